using SupportHub.Calendars;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.Calendars;

/// <summary>The named calendars the case tables use, all America/Chicago.</summary>
internal static class Calendars
{
    /// <summary>POLICY.md's worked example: Mon–Fri 09:00–17:00, holiday Mon 2026-11-23.</summary>
    public static readonly BusinessCalendar Worked = Calendar(["mon-fri 09:00-17:00"], "2026-11-23");

    public static readonly BusinessCalendar Lunch = Calendar(["mon-fri 09:00-12:00 13:00-17:00"]);

    public static readonly BusinessCalendar ShortFriday = Calendar(["mon-thu 09:00-17:00", "fri 09:00-13:00"]);

    /// <summary>Friday has a long midday break: 09:00–11:00 and 14:00–17:00.</summary>
    public static readonly BusinessCalendar SplitFriday = Calendar(["mon-thu 09:00-17:00", "fri 09:00-11:00 14:00-17:00"]);

    /// <summary>Monday opens late, at 13:00.</summary>
    public static readonly BusinessCalendar LateMonday = Calendar(["mon 13:00-17:00", "tue-fri 09:00-17:00"]);

    /// <summary>Thanksgiving Thursday and Friday 2026 both off.</summary>
    public static readonly BusinessCalendar TwoHolidays = Calendar(["mon-fri 09:00-17:00"], "2026-11-26", "2026-11-27");

    /// <summary>A business calendar open 00:00–24:00 every day: business time is real time, but DST days are 23 h / 25 h.</summary>
    public static readonly BusinessCalendar AllDay = Calendar(["mon-sun 00:00-24:00"]);

    /// <summary>Only Sunday 01:00–04:00, the hours the US DST changes cut into.</summary>
    public static readonly BusinessCalendar SundayNight = Calendar(["sun 01:00-04:00"]);

    /// <summary>Only Sunday 02:00–02:30: swallowed whole by the spring-forward gap.</summary>
    public static readonly BusinessCalendar InTheGap = Calendar(["sun 02:00-02:30"]);

    public static readonly BusinessCalendar Always = BusinessCalendar.CreateAlwaysOpen("always", Chicago);

    public static BusinessCalendar Named(string name) => name switch
    {
        "worked" => Worked,
        "lunch" => Lunch,
        "shortFriday" => ShortFriday,
        "splitFriday" => SplitFriday,
        "lateMonday" => LateMonday,
        "twoHolidays" => TwoHolidays,
        "allDay" => AllDay,
        "sundayNight" => SundayNight,
        "inTheGap" => InTheGap,
        "always" => Always,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such test calendar"),
    };
}
