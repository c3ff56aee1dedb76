using System.Globalization;
using NodaTime;

namespace SupportHub.Calendars;

/// <summary>
/// One opening interval of a weekday, <c>[start, end)</c> in local time, as minutes since midnight.
/// <c>24:00</c> is minute 1440, so <c>00:00-24:00</c> is a whole day; an interval never crosses midnight.
/// </summary>
public readonly record struct OpeningInterval(int StartMinute, int EndMinute)
{
    public const int MinutesPerDay = 24 * 60;

    /// <summary>Parses <c>HH:mm-HH:mm</c>; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static OpeningInterval? TryParse(string? text, out string? error)
    {
        error = null;
        var parts = text?.Split('-') ?? [];
        if (parts.Length != 2 || ParseTime(parts[0]) is not { } start || ParseTime(parts[1]) is not { } end)
        {
            error = $"\"{text}\" is not an interval (use HH:mm-HH:mm, e.g. 09:00-17:00; 24:00 ends a day)";
            return null;
        }
        if (start == MinutesPerDay)
        {
            error = $"\"{text}\" starts at 24:00 (use 00:00 of the next day)";
            return null;
        }
        if (end <= start)
        {
            error = $"\"{text}\" ends before it starts or crosses midnight (write two intervals, the first ending at 24:00)";
            return null;
        }
        return new OpeningInterval(start, end);
    }

    private static int? ParseTime(string text)
    {
        if (text.Length != 5 || text[2] != ':'
            || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes))
        {
            return null;
        }
        if (hours == 24 && minutes == 0)
        {
            return MinutesPerDay;
        }
        return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
    }

    public override string ToString() =>
        $"{StartMinute / 60:00}:{StartMinute % 60:00}-{EndMinute / 60:00}:{EndMinute % 60:00}";
}

/// <summary>
/// When support is open: weekly opening intervals per weekday in one time zone, minus holidays
/// (whole local dates), or always open. The arithmetic over it lives in the other parts of this
/// partial class.
/// </summary>
public sealed partial class BusinessCalendar
{
    private static readonly IReadOnlyList<OpeningInterval> Closed = [];

    public BusinessCalendar(
        string name,
        DateTimeZone zone,
        IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<OpeningInterval>> weekly,
        IEnumerable<LocalDate> holidays)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(weekly);
        Name = name;
        Zone = zone;
        Weekly = weekly.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<OpeningInterval>)[.. kv.Value.OrderBy(i => i.StartMinute)]);
        Holidays = holidays.ToHashSet();
        AlwaysOpen = false;
    }

    private BusinessCalendar(string name, DateTimeZone zone)
    {
        Name = name;
        Zone = zone;
        Weekly = new Dictionary<IsoDayOfWeek, IReadOnlyList<OpeningInterval>>();
        Holidays = new HashSet<LocalDate>();
        AlwaysOpen = true;
    }

    /// <summary>A 24×7×365 calendar (<c>"alwaysOpen": true</c>); the zone only matters for <c>d</c> and <c>bd</c> arithmetic.</summary>
    public static BusinessCalendar CreateAlwaysOpen(string name, DateTimeZone zone) => new(name, zone);

    /// <summary>The name the policy gives it (<c>business</c>, <c>always</c>).</summary>
    public string Name { get; }

    public DateTimeZone Zone { get; }

    public bool AlwaysOpen { get; }

    /// <summary>Opening intervals per weekday, sorted by start; a missing day is closed.</summary>
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<OpeningInterval>> Weekly { get; }

    public IReadOnlySet<LocalDate> Holidays { get; }

    /// <summary>The opening intervals of one local date: none on a holiday, the whole day when always open.</summary>
    public IReadOnlyList<OpeningInterval> IntervalsOn(LocalDate date)
    {
        if (AlwaysOpen)
        {
            return WholeDay;
        }
        if (Holidays.Contains(date))
        {
            return Closed;
        }
        return Weekly.TryGetValue(date.DayOfWeek, out var intervals) ? intervals : Closed;
    }

    private static readonly IReadOnlyList<OpeningInterval> WholeDay = [new OpeningInterval(0, OpeningInterval.MinutesPerDay)];
}
