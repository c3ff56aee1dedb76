using NodaTime;
using NodaTime.Text;
using SupportHub.Calendars;

namespace SupportHub.Core.Tests;

/// <summary>Readable instants and calendars for case tables.</summary>
internal static class TestTime
{
    public static readonly DateTimeZone Chicago = DateTimeZoneProviders.Tzdb["America/Chicago"];

    private static readonly OffsetDateTimePattern Minutes =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>");

    /// <summary>An instant written with its offset, e.g. <c>2026-11-20T18:30-06:00</c> (seconds optional).</summary>
    public static Instant At(string text) =>
        (text.Length > 16 && text[16] == ':' ? OffsetDateTimePattern.ExtendedIso : Minutes).Parse(text).GetValueOrThrow().ToInstant();

    /// <summary>How a due instant is written in a failing assertion: Chicago local time with offset.</summary>
    public static string Show(Instant instant) => OffsetDateTimePattern.ExtendedIso.Format(instant.InZone(Chicago).ToOffsetDateTime());

    /// <summary>
    /// A Chicago calendar from lines like <c>"mon-fri 09:00-12:00 13:00-17:00"</c> or
    /// <c>"fri 09:00-13:00"</c>; a later line replaces the days it names.
    /// </summary>
    public static BusinessCalendar Calendar(string[] lines, params string[] holidays)
    {
        var weekly = new Dictionary<IsoDayOfWeek, IReadOnlyList<OpeningInterval>>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var intervals = parts.Skip(1)
                .Select(p => OpeningInterval.TryParse(p, out var error) ?? throw new FormatException(error))
                .ToList();
            foreach (var day in Days(parts[0]))
            {
                weekly[day] = intervals;
            }
        }
        return new BusinessCalendar("test", Chicago, weekly, holidays.Select(h => LocalDatePattern.Iso.Parse(h).Value));
    }

    private static IEnumerable<IsoDayOfWeek> Days(string text)
    {
        var names = new[] { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
        var range = text.Split('-');
        var first = Array.IndexOf(names, range[0]);
        var last = Array.IndexOf(names, range[^1]);
        for (var i = first; i <= last; i++)
        {
            yield return (IsoDayOfWeek)(i + 1);
        }
    }
}
