using NodaTime;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.Calendars;

public class BusinessCalendarQueryTests
{
    [Theory]
    [InlineData("worked", "2026-11-24T09:00-06:00", true, "opening instant is open: [open, close)")]
    [InlineData("worked", "2026-11-24T16:59:59-06:00", true, "last second before closing is open")]
    [InlineData("worked", "2026-11-24T17:00-06:00", false, "closing instant is closed")]
    [InlineData("worked", "2026-11-23T10:00-06:00", false, "holiday overrides the weekly hours")]
    [InlineData("worked", "2026-11-21T10:00-06:00", false, "Saturday has no hours")]
    [InlineData("lunch", "2026-11-24T12:00-06:00", false, "lunch break")]
    [InlineData("allDay", "2026-03-08T03:00-05:00", true, "spring-forward day open straight through the gap")]
    [InlineData("sundayNight", "2026-11-01T01:30-06:00", true, "second 01:30 of fall-back night is inside 01:00–04:00")]
    [InlineData("inTheGap", "2026-03-08T03:00-05:00", false, "an interval inside the DST gap never opens that day")]
    [InlineData("always", "2026-12-25T03:00-06:00", true, "always open")]
    public void IsOpen_Case(string calendar, string at, bool expected, string why)
    {
        Assert.True(expected == Calendars.Named(calendar).IsOpen(At(at)), why);
    }

    [Theory]
    [InlineData("worked", "2026-11-24T10:00-06:00", "2026-11-24T10:00-06:00", "open: the instant itself")]
    [InlineData("worked", "2026-11-24T17:00-06:00", "2026-11-25T09:00-06:00", "at closing: next morning")]
    [InlineData("worked", "2026-11-20T18:30-06:00", "2026-11-24T09:00-06:00", "worked example: over weekend and holiday")]
    [InlineData("lunch", "2026-11-24T12:00-06:00", "2026-11-24T13:00-06:00", "lunch: the afternoon opening")]
    [InlineData("inTheGap", "2026-03-01T03:00-06:00", "2026-03-15T02:00-05:00", "skips the Sunday whose interval the gap swallowed")]
    public void NextOpening_Case(string calendar, string at, string expected, string why)
    {
        var next = Calendars.Named(calendar).NextOpening(At(at));

        Assert.True(At(expected) == next, $"{why}: got {Show(next)}");
    }

    [Theory]
    [InlineData("allDay", "2026-03-08", 23, "spring-forward day is 23 h")]
    [InlineData("allDay", "2026-11-01", 25, "fall-back day is 25 h")]
    [InlineData("allDay", "2026-11-02", 24, "an ordinary day")]
    [InlineData("sundayNight", "2026-03-08", 2, "01:00–04:00 loses the skipped hour")]
    [InlineData("sundayNight", "2026-11-01", 4, "01:00–04:00 gains the repeated hour")]
    [InlineData("inTheGap", "2026-03-08", 0, "02:00–02:30 does not exist that day")]
    [InlineData("always", "2026-03-08", 23, "always open still has local days")]
    public void OpenIntervalsOn_DstDays_HaveRealLengths(string calendar, string date, int hours, string why)
    {
        var intervals = Calendars.Named(calendar).OpenIntervalsOn(NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value);

        Assert.True(Duration.FromHours(hours) == intervals.Aggregate(Duration.Zero, (sum, i) => sum + i.Duration), why);
    }

    [Fact]
    public void OpenIntervalsOn_Lunch_GivesTwoIntervals()
    {
        var intervals = Calendars.Lunch.OpenIntervalsOn(new LocalDate(2026, 11, 24));

        Assert.Equal(
            [new Interval(At("2026-11-24T09:00-06:00"), At("2026-11-24T12:00-06:00")), new Interval(At("2026-11-24T13:00-06:00"), At("2026-11-24T17:00-06:00"))],
            intervals);
    }

    [Fact]
    public void OpenIntervalsFrom_Friday_SkipsWeekendAndHoliday()
    {
        var next = Calendars.Worked.OpenIntervalsFrom(At("2026-11-20T16:00-06:00")).Take(2).ToList();

        Assert.Equal(
            [new Interval(At("2026-11-20T09:00-06:00"), At("2026-11-20T17:00-06:00")), new Interval(At("2026-11-24T09:00-06:00"), At("2026-11-24T17:00-06:00"))],
            next);
    }

    [Theory]
    [InlineData("worked", "2026-11-20T16:00-06:00", "2026-11-24T10:00-06:00", 120, "over weekend and holiday")]
    [InlineData("worked", "2026-11-24T10:00-06:00", "2026-11-20T16:00-06:00", -120, "reversed: negative")]
    [InlineData("worked", "2026-11-21T00:00-06:00", "2026-11-22T00:00-06:00", 0, "all closed")]
    [InlineData("worked", "2026-12-31T16:00-06:00", "2027-01-01T10:00-06:00", 120, "across New Year (2027-01-01 is a Friday, no holiday)")]
    [InlineData("worked", "2025-01-01T00:00-06:00", "2027-01-01T00:00-06:00", 2 * 261 * 480 - 480, "two whole years minus the one holiday")]
    [InlineData("allDay", "2026-03-07T12:00-06:00", "2026-03-08T12:00-05:00", 23 * 60, "counts real open time across the gap")]
    [InlineData("always", "2026-11-01T00:00-05:00", "2026-11-02T00:00-06:00", 25 * 60, "always open: elapsed time")]
    public void BusinessTimeBetween_Case(string calendar, string from, string to, int minutes, string why)
    {
        Assert.True(Duration.FromMinutes(minutes) == Calendars.Named(calendar).BusinessTimeBetween(At(from), At(to)), why);
    }
}
