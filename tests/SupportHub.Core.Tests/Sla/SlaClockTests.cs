using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;
using SupportHub.Sla;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.Sla;

public class SlaClockTests
{
    // Mon–Fri 09:00–17:00 Chicago, holiday Mon 23 Nov 2026.
    private static readonly BusinessCalendar Worked = ExamplePolicy.Worked;

    private static SlaClock Begin(SlaTarget target, string amount, string received) =>
        SlaClock.Begin(target, PolicyDuration.Parse(amount), Worked, At(received), 0.75);

    [Fact]
    public void Resume_BusinessTarget_MovesDueByPendingBusinessTime()
    {
        // 2bd from Tue 10:00 → Thu 10:00; Pending Tue 15:00 → Wed 10:00 is 2 h + 1 h of open time.
        var clock = Begin(SlaTarget.Restore, "2bd", "2026-11-24T10:00-06:00");

        var resumed = clock.Pause(At("2026-11-24T15:00-06:00")).Resume(Worked, At("2026-11-25T10:00-06:00"));

        Assert.Equal(Duration.FromHours(3), resumed.Paused);
        Assert.Equal(At("2026-11-26T13:00-06:00"), resumed.Due);
        Assert.EndsWith("; paused 3h of business time while Pending = Thu 13:00", resumed.Explain);
    }

    [Fact]
    public void Resume_ElapsedTarget_MovesDueByPendingElapsedTime()
    {
        // 48h from Tue 10:00 → Thu 10:00; 19 real hours Pending → Fri 05:00.
        var clock = Begin(SlaTarget.Restore, "48h", "2026-11-24T10:00-06:00");

        var resumed = clock.Pause(At("2026-11-24T15:00-06:00")).Resume(Worked, At("2026-11-25T10:00-06:00"));

        Assert.Equal(At("2026-11-27T05:00-06:00"), resumed.Due);
    }

    [Fact]
    public void Resume_PendingOnlyWhileClosed_DoesNotMoveABusinessDue()
    {
        // Pending overnight costs no business time: the due stays, and so does the explanation.
        var clock = Begin(SlaTarget.Resolve, "8bh", "2026-11-24T10:00-06:00");

        var resumed = clock.Pause(At("2026-11-24T17:00-06:00")).Resume(Worked, At("2026-11-25T09:00-06:00"));

        Assert.Equal(clock.Due, resumed.Due);
        Assert.Equal(clock.Explain, resumed.Explain);
    }

    [Fact]
    public void Resume_AfterBusinessDueLandedOnClosing_ContinuesAtNextOpening()
    {
        // 7bh from Tue 10:00 is due Tue 17:00 (a closing time); 1 business hour Pending moves it to Wed 10:00.
        var clock = Begin(SlaTarget.Resolve, "7bh", "2026-11-24T10:00-06:00");

        var resumed = clock.Pause(At("2026-11-24T12:00-06:00")).Resume(Worked, At("2026-11-24T13:00-06:00"));

        Assert.Equal(At("2026-11-24T17:00-06:00"), clock.Due);
        Assert.Equal(At("2026-11-25T10:00-06:00"), resumed.Due);
    }

    [Fact]
    public void Pause_Response_IsIgnored()
    {
        var clock = Begin(SlaTarget.Response, "4bh", "2026-11-24T10:00-06:00");

        Assert.Same(clock, clock.Pause(At("2026-11-24T11:00-06:00")));
    }

    [Fact]
    public void DueAt_WhilePaused_IsNull()
    {
        var paused = Begin(SlaTarget.Resolve, "4bh", "2026-11-24T10:00-06:00").Pause(At("2026-11-24T11:00-06:00"));

        Assert.Null(paused.DueAt);
        Assert.Null(paused.WarningAt);
        Assert.False(paused.IsBreachDue(At("2026-12-24T11:00-06:00")));
    }

    [Theory]
    [InlineData("4bh", "2026-11-24T09:00-06:00", "2026-11-24T12:00-06:00", "3 of 4 business hours, received at opening")]
    [InlineData("8bh", "2026-11-24T14:00-06:00", "2026-11-25T12:00-06:00", "6 business hours: 3 today and 3 tomorrow")]
    [InlineData("4bh", "2026-11-20T18:30-06:00", "2026-11-24T12:00-06:00", "span starts at the clock start, not at receipt")]
    [InlineData("2bd", "2026-11-24T10:00-06:00", "2026-11-25T14:00-06:00", "bd: 75% of the 16 business hours to Thu 10:00")]
    [InlineData("48h", "2026-11-24T10:00-06:00", "2026-11-25T22:00-06:00", "elapsed: 36 of 48 hours")]
    [InlineData("1d", "2026-03-07T12:00-06:00", "2026-03-08T06:15-05:00", "d over spring forward: the span is 23 real hours, 75% is 17h15m")]
    public void WarningAt_IsTheShareOfTheSpan(string amount, string received, string expected, string why)
    {
        var clock = SlaClock.Begin(SlaTarget.Resolve, PolicyDuration.Parse(amount), amount == "1d" ? ExamplePolicy.Always : Worked, At(received), 0.75);

        Assert.True(At(expected) == clock.WarningAt, $"{why}: got {(clock.WarningAt is { } w ? Show(w) : "null")}");
    }

    [Fact]
    public void WarningAt_AfterPending_MovesLaterByThePendingTime()
    {
        // 48h: warning at 36 h (Wed 22:00) plus 19 h Pending → Thu 17:00.
        var clock = Begin(SlaTarget.Restore, "48h", "2026-11-24T10:00-06:00")
            .Pause(At("2026-11-24T15:00-06:00")).Resume(Worked, At("2026-11-25T10:00-06:00"));

        Assert.Equal(At("2026-11-26T17:00-06:00"), clock.WarningAt);
    }

    [Fact]
    public void Breach_RecordedOnceAtDue()
    {
        var clock = Begin(SlaTarget.Response, "4bh", "2026-11-24T09:00-06:00");

        var early = clock.Breach(At("2026-11-24T12:59-06:00"));
        var breached = clock.Breach(At("2026-11-24T13:00-06:00"));
        var again = breached.Breach(At("2026-11-24T14:00-06:00"));

        Assert.Same(clock, early);
        Assert.Equal(At("2026-11-24T13:00-06:00"), breached.BreachedAt);
        Assert.Same(breached, again);
        Assert.Null(breached.DueAt);
    }

    [Fact]
    public void Warn_RecordedOnce_AndNotAfterMet()
    {
        var clock = Begin(SlaTarget.Response, "4bh", "2026-11-24T09:00-06:00");

        var warned = clock.Warn(At("2026-11-24T12:00-06:00"));
        var met = clock.Meet(At("2026-11-24T11:00-06:00"));

        Assert.Equal(At("2026-11-24T12:00-06:00"), warned.WarnedAt);
        Assert.Same(warned, warned.Warn(At("2026-11-24T12:30-06:00")));
        Assert.Same(met, met.Warn(At("2026-11-24T12:00-06:00")));
        Assert.Null(met.WarningAt);
    }

    [Fact]
    public void Meet_Twice_KeepsTheFirst()
    {
        var met = Begin(SlaTarget.Response, "4bh", "2026-11-24T09:00-06:00").Meet(At("2026-11-24T10:00-06:00"));

        Assert.Same(met, met.Meet(At("2026-11-24T11:00-06:00")));
        Assert.Null(met.DueAt);
    }

    [Fact]
    public void Meet_AfterBreach_RecordsBoth()
    {
        var late = Begin(SlaTarget.Response, "4bh", "2026-11-24T09:00-06:00")
            .Breach(At("2026-11-24T13:00-06:00")).Meet(At("2026-11-24T14:00-06:00"));

        Assert.Equal(At("2026-11-24T13:00-06:00"), late.BreachedAt);
        Assert.Equal(At("2026-11-24T14:00-06:00"), late.MetAt);
    }

    [Fact]
    public void TicketClocks_Pause_StopsRestoreAndResolveOnly()
    {
        var clocks = TicketClocks.Start(Worked, new SeverityTargets(
            PolicyDuration.Parse("4bh"), PolicyDuration.Parse("2bd"), PolicyDuration.Parse("30d")), At("2026-11-24T09:00-06:00"), 0.75);

        var paused = clocks.Pause(At("2026-11-24T10:00-06:00"));

        Assert.NotNull(paused[SlaTarget.Response]!.DueAt);
        Assert.Null(paused[SlaTarget.Restore]!.DueAt);
        Assert.Null(paused[SlaTarget.Resolve]!.DueAt);
        Assert.Same(paused, paused.Pause(At("2026-11-24T11:00-06:00")));
        Assert.Same(clocks, clocks.Resume(Worked, At("2026-11-24T11:00-06:00")));
    }
}
