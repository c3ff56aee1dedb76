using System.Text.Json.Serialization;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SupportHub.Calendars;

/// <summary>The unit of a <see cref="PolicyDuration"/>; POLICY.md "Durations" gives each one's exact meaning.</summary>
public enum DurationUnit
{
    /// <summary><c>m</c>: elapsed minutes of real time.</summary>
    Minutes,
    /// <summary><c>h</c>: elapsed hours of real time.</summary>
    Hours,
    /// <summary><c>d</c>: calendar days, same local wall-clock time N days later.</summary>
    Days,
    /// <summary><c>bm</c>: minutes that count only while the calendar is open.</summary>
    BusinessMinutes,
    /// <summary><c>bh</c>: hours that count only while the calendar is open.</summary>
    BusinessHours,
    /// <summary><c>bd</c>: the same local time-of-day on the N-th following business day.</summary>
    BusinessDays,
    /// <summary><c>w</c>: 7 calendar days; rotations only.</summary>
    Weeks,
}

/// <summary>
/// An amount of time as a policy states it (<c>30m</c>, <c>4bh</c>, <c>2bd</c>). It is not a
/// NodaTime <see cref="NodaTime.Duration"/>: business units only mean something against a calendar.
/// </summary>
public readonly partial record struct PolicyDuration(int Amount, DurationUnit Unit)
{
    /// <summary>What every "is not a duration" message tells the user to write instead.</summary>
    public const string Hint = "use 30m, 4h, 15d, 4bh or 2bd";

    [GeneratedRegex("^([0-9]{1,6})(m|h|d|bm|bh|bd|w)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [JsonIgnore]
    public bool IsBusiness => Unit is DurationUnit.BusinessMinutes or DurationUnit.BusinessHours or DurationUnit.BusinessDays;

    /// <summary>Parses <c>30m</c>, <c>4h</c>, <c>15d</c>, <c>90bm</c>, <c>4bh</c>, <c>2bd</c>, <c>1w</c>; null for anything else.</summary>
    public static PolicyDuration? TryParse(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return null;
        }
        var amount = int.Parse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value switch
        {
            "m" => DurationUnit.Minutes,
            "h" => DurationUnit.Hours,
            "d" => DurationUnit.Days,
            "bm" => DurationUnit.BusinessMinutes,
            "bh" => DurationUnit.BusinessHours,
            "bd" => DurationUnit.BusinessDays,
            _ => DurationUnit.Weeks,
        };
        return new PolicyDuration(amount, unit);
    }

    public static PolicyDuration Parse(string text) =>
        TryParse(text) ?? throw new FormatException($"\"{text}\" is not a duration ({Hint})");

    public override string ToString() => Amount.ToString(CultureInfo.InvariantCulture) + Unit switch
    {
        DurationUnit.Minutes => "m",
        DurationUnit.Hours => "h",
        DurationUnit.Days => "d",
        DurationUnit.BusinessMinutes => "bm",
        DurationUnit.BusinessHours => "bh",
        DurationUnit.BusinessDays => "bd",
        _ => "w",
    };
}
