using SupportHub.Calendars;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.Calendars;

public class BusinessCalendarAddTests
{
    // Each row: calendar, received (with offset), duration, expected due, and why the row exists.
    // 2026 US DST: spring forward Sun 8 Mar 02:00 CST → 03:00 CDT; fall back Sun 1 Nov 02:00 CDT → 01:00 CST.
    [Theory]
    // POLICY.md's worked example, all three units.
    [InlineData("worked", "2026-11-20T18:30-06:00", "4bh", "2026-11-24T13:00-06:00", "worked example: after hours Friday, Monday holiday")]
    [InlineData("worked", "2026-11-20T18:30-06:00", "1bd", "2026-11-25T09:00-06:00", "worked example: bd counts from the next opening's time of day")]
    [InlineData("worked", "2026-11-20T18:30-06:00", "15d", "2026-12-05T18:30-06:00", "worked example: d ignores the calendar's hours")]
    // Elapsed units ignore the calendar.
    [InlineData("worked", "2026-11-20T18:30-06:00", "30m", "2026-11-20T19:00-06:00", "m is real time even when closed")]
    [InlineData("worked", "2026-11-20T18:30-06:00", "4h", "2026-11-20T22:30-06:00", "h is real time even when closed")]
    // Edges of an opening interval.
    [InlineData("worked", "2026-11-24T09:00-06:00", "8bh", "2026-11-24T17:00-06:00", "received exactly at opening; budget ends exactly at closing: due then, not next morning")]
    [InlineData("worked", "2026-11-24T17:00-06:00", "1bh", "2026-11-25T10:00-06:00", "received exactly at closing: [open, close) so it is closed and counts from next opening")]
    [InlineData("worked", "2026-11-24T16:00-06:00", "1bh", "2026-11-24T17:00-06:00", "budget runs out exactly at closing")]
    [InlineData("worked", "2026-11-24T16:00-06:00", "90bm", "2026-11-25T09:30-06:00", "bm carries the rest into the next day")]
    [InlineData("worked", "2026-11-20T16:00-06:00", "2bh", "2026-11-24T10:00-06:00", "carries over a weekend and a holiday")]
    [InlineData("worked", "2026-11-21T12:00-06:00", "0bh", "2026-11-24T09:00-06:00", "zero business time from a closed instant is the next opening")]
    [InlineData("worked", "2026-11-24T09:00-06:00", "40bh", "2026-11-30T17:00-06:00", "a whole business week ends on a closing time")]
    [InlineData("worked", "2026-11-24T09:00-06:00", "400bh", "2027-02-01T17:00-06:00", "fifty business days, across New Year (year tables)")]
    [InlineData("worked", "2026-11-24T10:15-06:00", "2bd", "2026-11-26T10:15-06:00", "bd keeps the time of day")]
    [InlineData("worked", "2026-11-21T10:00-06:00", "1bd", "2026-11-25T09:00-06:00", "bd from a weekend starts at the next opening, past the holiday")]
    [InlineData("worked", "2026-11-24T14:30-06:00", "0bd", "2026-11-24T14:30-06:00", "zero business days is the clock start")]
    [InlineData("worked", "2026-11-24T09:00-06:00", "60bd", "2027-02-16T09:00-06:00", "many business days across New Year")]
    // A lunch break splits the day.
    [InlineData("lunch", "2026-11-24T11:00-06:00", "2bh", "2026-11-24T14:00-06:00", "lunch hour does not count")]
    [InlineData("lunch", "2026-11-24T11:00-06:00", "1bh", "2026-11-24T12:00-06:00", "budget ending at the lunch closing is due at 12:00, not 13:00")]
    [InlineData("lunch", "2026-11-24T12:30-06:00", "30bm", "2026-11-24T13:30-06:00", "received during lunch counts from 13:00")]
    [InlineData("lunch", "2026-11-24T12:30-06:00", "1bd", "2026-11-25T13:00-06:00", "bd received during lunch takes the 13:00 start as its time of day")]
    [InlineData("lunch", "2026-11-24T09:00-06:00", "10bh", "2026-11-25T12:00-06:00", "seven-hour days: 7 + 3 hours lands on the next day's lunch closing")]
    // Short and split Fridays, late Mondays: bd clamping.
    [InlineData("shortFriday", "2026-11-19T15:00-06:00", "1bd", "2026-11-20T13:00-06:00", "bd lands after the short Friday closes: its last closing")]
    [InlineData("shortFriday", "2026-11-19T15:00-06:00", "6bh", "2026-11-20T13:00-06:00", "budget ends exactly at the short Friday's closing")]
    [InlineData("shortFriday", "2026-11-19T15:00-06:00", "7bh", "2026-11-23T10:00-06:00", "one hour past the short Friday goes to Monday")]
    [InlineData("splitFriday", "2026-11-19T12:30-06:00", "1bd", "2026-11-20T11:00-06:00", "bd lands in a midday break: the closing before it")]
    [InlineData("splitFriday", "2026-11-19T15:30-06:00", "1bd", "2026-11-20T15:30-06:00", "bd lands in the afternoon interval: kept")]
    [InlineData("lateMonday", "2026-11-20T10:00-06:00", "1bd", "2026-11-23T13:00-06:00", "bd lands before a late opening: its first opening")]
    // Two holidays in a row.
    [InlineData("twoHolidays", "2026-11-25T16:00-06:00", "2bh", "2026-11-30T10:00-06:00", "bh skips Thursday and Friday holidays and the weekend")]
    [InlineData("twoHolidays", "2026-11-25T10:00-06:00", "1bd", "2026-11-30T10:00-06:00", "bd skips two holidays")]
    [InlineData("twoHolidays", "2026-11-26T10:00-06:00", "1bh", "2026-11-30T10:00-06:00", "received on a holiday: next opening is Monday")]
    // DST spring forward, Sun 8 Mar 2026.
    [InlineData("allDay", "2026-03-07T12:00-06:00", "24h", "2026-03-08T13:00-05:00", "h is elapsed: 24 real hours show as 13:00 after spring forward")]
    [InlineData("allDay", "2026-03-07T12:00-06:00", "1d", "2026-03-08T12:00-05:00", "d keeps the wall time: only 23 real hours")]
    [InlineData("allDay", "2026-03-07T02:30-06:00", "1d", "2026-03-08T03:00-05:00", "d onto a time in the gap: first instant after the gap")]
    [InlineData("allDay", "2026-03-08T00:00-06:00", "24bh", "2026-03-09T01:00-05:00", "00:00–24:00 on spring-forward day is 23 business hours")]
    [InlineData("worked", "2026-03-06T16:00-06:00", "2bh", "2026-03-09T10:00-05:00", "bh across the spring weekend keeps local opening hours")]
    [InlineData("worked", "2026-03-06T10:00-06:00", "1bd", "2026-03-09T10:00-05:00", "bd across spring forward keeps the local time of day")]
    [InlineData("sundayNight", "2026-03-08T01:00-06:00", "2bh", "2026-03-08T04:00-05:00", "01:00–04:00 on spring-forward night is 2 hours; ends exactly at closing")]
    [InlineData("sundayNight", "2026-03-08T01:00-06:00", "150bm", "2026-03-15T01:30-05:00", "the rest carries to next Sunday")]
    [InlineData("always", "2026-03-08T01:59-06:00", "1bm", "2026-03-08T03:00-05:00", "always open: a business minute is a real minute across the gap")]
    // DST fall back, Sun 1 Nov 2026.
    [InlineData("allDay", "2026-10-31T01:30-05:00", "1d", "2026-11-01T01:30-05:00", "d onto a time that occurs twice: the earlier")]
    [InlineData("allDay", "2026-11-01T01:30-06:00", "1d", "2026-11-02T01:30-06:00", "d from the second 01:30 keeps 01:30 wall time")]
    [InlineData("allDay", "2026-11-01T00:00-05:00", "24bh", "2026-11-01T23:00-06:00", "00:00–24:00 on fall-back day is 25 business hours")]
    [InlineData("allDay", "2026-11-01T00:00-05:00", "24h", "2026-11-01T23:00-06:00", "24 real hours on fall-back day end at 23:00")]
    [InlineData("sundayNight", "2026-11-01T01:00-05:00", "3bh", "2026-11-01T03:00-06:00", "01:00–04:00 on fall-back night is 4 hours")]
    [InlineData("worked", "2026-10-30T16:00-05:00", "2bh", "2026-11-02T10:00-06:00", "bh across the autumn weekend keeps local opening hours")]
    // Always open.
    [InlineData("always", "2026-11-20T18:30-06:00", "4bh", "2026-11-20T22:30-06:00", "always open: business hours are hours")]
    [InlineData("always", "2026-11-20T18:30-06:00", "2bd", "2026-11-22T18:30-06:00", "always open: business days are days")]
    [InlineData("always", "2026-10-31T12:00-05:00", "1bd", "2026-11-01T12:00-06:00", "always open: bd keeps wall time over fall back")]
    public void Add_Case(string calendar, string received, string duration, string expected, string why)
    {
        var due = Calendars.Named(calendar).Add(At(received), PolicyDuration.Parse(duration));

        Assert.True(At(expected) == due, $"{why}: expected {expected}, got {Show(due)}");
    }

    // Found by the property test (America/Santiago, seed in the commit): the kept time fell after an
    // interval the spring-forward gap swallowed whole, and its "closing" became the gap's end (03:00,
    // closed). An interval with no instant is no opening: the kept time is before the day's first real one.
    [Fact]
    public void AddBusinessDays_KeptTimeAfterAnIntervalTheGapSwallowed_IsTheFirstRealOpening()
    {
        var calendar = Calendar(["sat 02:00-03:00", "sun 02:00-02:30 06:00-08:00"]);

        var landing = calendar.AddBusinessDaysExplained(At("2027-03-13T02:22-06:00"), 1);

        Assert.Equal(Show(At("2027-03-14T06:00-05:00")), Show(landing.Due));
        Assert.True(landing.Clamped);
    }

    [Fact]
    public void Add_NeverOpeningCalendar_Throws()
    {
        var closed = Calendar([], "2026-01-01");

        Assert.Throws<InvalidOperationException>(() => closed.Add(At("2026-11-20T18:30-06:00"), PolicyDuration.Parse("1bh")));
        Assert.Throws<InvalidOperationException>(() => closed.NextOpening(At("2026-11-20T18:30-06:00")));
    }

    [Fact]
    public void Add_ElapsedUnitsOnNeverOpeningCalendar_StillWork()
    {
        // m, h and d do not need opening hours; only business units do.
        var closed = Calendar([]);

        Assert.Equal(At("2026-11-21T18:30-06:00"), closed.Add(At("2026-11-20T18:30-06:00"), PolicyDuration.Parse("1d")));
    }

    [Fact]
    public void Add_AYearOfHolidays_SkipsToTheNextYear()
    {
        // Holidays are finite, so a calendar with weekly hours always opens eventually.
        var holidays = Enumerable.Range(0, 365).Select(d => new NodaTime.LocalDate(2027, 1, 1).PlusDays(d).ToString("uuuu-MM-dd", null)).ToArray();
        var calendar = Calendar(["mon-fri 09:00-17:00"], holidays);

        Assert.Equal(At("2028-01-03T10:00-06:00"), calendar.Add(At("2026-12-31T16:00-06:00"), PolicyDuration.Parse("2bh")));
    }

    [Fact]
    public void Add_InstantOutsideSupportedRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendars.Worked.Add(At("2300-01-01T00:00Z"), PolicyDuration.Parse("1bh")));
    }
}
