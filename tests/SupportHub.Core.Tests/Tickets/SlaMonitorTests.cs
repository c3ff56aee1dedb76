using SupportHub.Notifications;
using SupportHub.Sla;
using SupportHub.Tickets;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>POLICY.md "SLA clocks" and the <c>noProgress</c> rule, driven through the ticket decider.</summary>
public class SlaMonitorTests
{
    // Mon 23 Nov 2026 08:00 Chicago, inside support hours (Mon–Fri 07:00–19:00; Thu 26 Nov is a
    // holiday). Primary on call: alice until Mon 09:00, then bob. Targets (standard tier):
    //   Sev 2: response 4bh, restore 48h, resolve 30d;  Sev 3: response 8bh, restore 2bd, resolve 30d.
    private const string Monday = "2026-11-23T08:00-06:00";

    private static TicketHarness Chat(int severity)
    {
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, severity));
        return h;
    }

    private static List<string> Sla(TicketHarness h, string type, SlaTarget target) =>
        h.Lines(type, "target").Where(l => l.EndsWith("target=" + target.Name(), StringComparison.Ordinal))
            .Select(l => l.Split('|')[0]).ToList();

    [Fact]
    public void Checkpoints_ResponseUnmet_WarnAt75PercentAndBreachAtDue()
    {
        // 4bh from Mon 08:00 is due 12:00; 75% of the 4 open hours is 11:00. Each is told once, to
        // whoever is primary on call at that moment (bob since the 09:00 handoff).
        var h = Chat(2);
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(["2026-11-23T11:00:00-06:00"], Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Equal(["2026-11-23T12:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Response));
        Assert.Equal(
        [
            "2026-11-23T11:00:00-06:00|purpose=sla-warning,to=bob,via=email",
            "2026-11-23T12:00:00-06:00|purpose=sla-breach,to=bob,via=teams",
            "2026-11-23T12:00:00-06:00|purpose=sla-breach,to=bob,via=email",
        ], h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("purpose=sla-")));
    }

    [Fact]
    public void Checkpoints_ResponseMetBeforeWarning_NeitherWarnNorBreach()
    {
        // A met target's checkpoints are stale.
        var h = Chat(2);
        h.When("2026-11-23T10:00-06:00", StaffReply("alice"));
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(["2026-11-23T10:00:00-06:00"], Sla(h, "sla.met", SlaTarget.Response));
        Assert.Empty(Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Empty(Sla(h, "sla.breached", SlaTarget.Response));
    }

    [Fact]
    public void Checkpoints_ResponseMetBetweenWarningAndDue_WarnsButNeverBreaches()
    {
        // The warning is history once told; the breach checkpoint after the reply is stale.
        var h = Chat(2);
        h.When("2026-11-23T11:30-06:00", StaffReply("alice"));
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(["2026-11-23T11:00:00-06:00"], Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Empty(Sla(h, "sla.breached", SlaTarget.Response));
    }

    [Fact]
    public void Pending_ElapsedTarget_DueMovesLaterByElapsedPendingTime()
    {
        // Sev 2 restore 48h: due Wed 25 08:00, warning (36h) Tue 24 20:00. Pending Mon 09:00–13:00
        // pauses it 4h of real time: warning Wed 00:00, breach Wed 12:00. Response never pauses.
        var h = Chat(2);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-23T13:00-06:00", RequesterReply(Lee));
        h.RunUntil("2026-11-25T18:00-06:00");

        Assert.Equal(["2026-11-25T00:00:00-06:00"], Sla(h, "sla.warning", SlaTarget.Restore));
        Assert.Equal(["2026-11-25T12:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Restore));
        // Resolve (30d, Wed 23 Dec 08:00) moves by the same 4 hours.
        Assert.Equal(TestTime.At("2026-12-23T12:00-06:00"), h.State!.Sla[SlaTarget.Resolve]!.Due);
    }

    [Fact]
    public void Pending_BusinessTarget_DueMovesLaterByBusinessPendingTimeAndCheckpointsInsideAreIgnored()
    {
        // Sev 3 restore 2bd: due Wed 25 08:00; 75% of its 24 open hours (18h) is Tue 24 14:00.
        // Pending Mon 18:00 → Wed 10:00 holds 1 + 12 + 3 = 16 business hours, and both checkpoints
        // fall inside it, so they are ignored. Moved by 16bh: warning Wed 25 18:00, due Fri 27 12:00
        // (Thanksgiving skipped). Elapsed time (40h) would give other instants.
        var h = Chat(3);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T18:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-25T10:00-06:00", RequesterReply(Lee));
        h.RunUntil("2026-11-30T00:00-06:00");

        Assert.Equal(["2026-11-25T18:00:00-06:00"], Sla(h, "sla.warning", SlaTarget.Restore));
        Assert.Equal(["2026-11-27T12:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Restore));
        // Resolve is 30d, elapsed: it moves by the 40 real hours.
        Assert.Equal(TestTime.At("2026-12-25T00:00-06:00"), h.State!.Sla[SlaTarget.Resolve]!.Due);
    }

    [Fact]
    public void Pending_ResponseTarget_KeepsRunning()
    {
        // Only restore and resolve pause: an unanswered ticket put in Pending still owes a response.
        var h = Chat(2);
        h.When("2026-11-23T08:10-06:00", Status(TicketStatus.Pending));
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(["2026-11-23T12:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Response));
    }

    [Fact]
    public void ChangeSeverity_Raised_RecomputesUnmetTargetsFromReceived()
    {
        // Sev 3 → 2 at 09:00: response becomes 4bh from Mon 08:00 (warning 11:00, due 12:00), not
        // from the change; the old Sev 3 checkpoints (14:00, 16:00) are stale. Restore becomes 48h.
        var h = Chat(3);
        h.When("2026-11-23T09:00-06:00", Severity(2));
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(["2026-11-23T09:00:00-06:00|from=3,to=2,by=alice"], h.Lines("ticket.severity", "from", "to", "by"));
        Assert.Equal(["2026-11-23T11:00:00-06:00"], Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Equal(["2026-11-23T12:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Response));
        Assert.Equal(TestTime.At("2026-11-25T08:00-06:00"), h.State!.Sla[SlaTarget.Restore]!.Due);
    }

    [Fact]
    public void ChangeSeverity_RaisedPastNewDue_BreachesNowAndDoesNotWarnAgain()
    {
        // At 15:00 the Sev 3 warning (14:00) was told; as Sev 2 the response was due at 12:00, so it
        // breaches at once, and the warning already told is not repeated.
        var h = Chat(3);
        h.When("2026-11-23T15:00-06:00", Severity(2));
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(["2026-11-23T14:00:00-06:00"], Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Equal(["2026-11-23T15:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Response));
    }

    [Fact]
    public void ChangeSeverity_RaisedToEmergency_PagesAndRunsOnEmergencyHours()
    {
        // Staff raising to Sev 1 starts the onCreate chain at once (alice, before the 09:00
        // handoff) and moves the clocks to the always-open calendar: response 1h from 08:00. An
        // acknowledgement stops the chain but is no response, so the target still warns and breaches.
        var h = Chat(3);
        h.When("2026-11-23T08:10-06:00", Severity(1));
        h.When("2026-11-23T08:20-06:00", Ack("alice"));
        h.RunUntil("2026-11-23T10:00-06:00");

        Assert.Equal(["2026-11-23T08:10:00-06:00|chain=page,step=1"], h.Lines("escalation.step", "chain", "step"));
        Assert.Contains("2026-11-23T08:10:00-06:00|purpose=page,to=alice,via=sms", h.Lines("notify", "purpose", "to", "via"));
        Assert.Equal((true, "always"), (h.State!.Emergency, h.State.ClockCalendar));
        Assert.Equal(["2026-11-23T08:45:00-06:00"], Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Equal(["2026-11-23T09:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Response));
    }

    [Fact]
    public void ChangeSeverity_MetTargetStaysMet()
    {
        // Recomputing touches unmet targets only: a response already given is not owed again.
        var h = Chat(3);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T09:00-06:00", Severity(2));
        h.RunUntil("2026-11-23T18:00-06:00");

        Assert.Equal(TestTime.At("2026-11-23T08:30-06:00"), h.State!.Sla[SlaTarget.Response]!.MetAt);
        Assert.Empty(Sla(h, "sla.warning", SlaTarget.Response));
        Assert.Empty(Sla(h, "sla.breached", SlaTarget.Response));
    }

    [Fact]
    public void ChangeSeverity_AfterPendingStretch_StillLeavesThePendingTimeOut()
    {
        // Recomputing from the received instant must not charge the vendor for time spent waiting on
        // the requester: Pending Mon 09:00–13:00, then Sev 3 → 2 at 14:00 gives restore 48h + 4h.
        var h = Chat(3);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-23T13:00-06:00", RequesterReply(Lee));
        h.When("2026-11-23T14:00-06:00", Severity(2));

        Assert.Equal(TestTime.At("2026-11-25T12:00-06:00"), h.State!.Sla[SlaTarget.Restore]!.Due);
        Assert.Equal(TestTime.At("2026-12-23T12:00-06:00"), h.State.Sla[SlaTarget.Resolve]!.Due);
    }

    [Fact]
    public void ChangeSeverity_WhilePending_StaysPausedAndMovesOnResume()
    {
        // A change during a Pending stretch keeps the new clock paused; leaving Pending moves it by
        // the whole stretch (Mon 09:00–13:00), not only the part after the change.
        var h = Chat(3);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-23T10:00-06:00", Severity(2));
        h.When("2026-11-23T13:00-06:00", RequesterReply(Lee));
        h.RunUntil("2026-11-25T18:00-06:00");

        Assert.Equal(["2026-11-25T12:00:00-06:00"], Sla(h, "sla.breached", SlaTarget.Restore));
    }

    [Theory]
    // The level the ticket already has is not a change.
    [InlineData(3, "ticket #1001 is already severity 3")]
    // Only the policy's severities exist.
    [InlineData(7, "severity 7 is not defined by the policy (use 1, 2, 3, 4)")]
    public void ChangeSeverity_Invalid_Rejected(int level, string reason)
    {
        var h = Chat(3);
        var change = h.When("2026-11-23T09:00-06:00", Severity(level));

        Assert.Equal(reason, change.Rejection);
        Assert.False(change.Changed);
    }

    [Fact]
    public void ChangeSeverity_OnClosedTicket_Rejected()
    {
        // A closed ticket's clocks are history.
        var h = Chat(3);
        h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Solved));
        h.When("2026-11-23T09:30-06:00", Status(TicketStatus.Closed));
        var change = h.When("2026-11-23T10:00-06:00", Severity(1));

        Assert.Equal("ticket #1001 is closed", change.Rejection);
        Assert.Empty(h.Lines("escalation.step"));
    }

    [Fact]
    public void MarkRestored_Unmet_MeetsRestoreAndItNeverWarns()
    {
        // A workaround meets restore; its 48h checkpoints become stale. Resolve keeps running.
        var h = Chat(2);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T10:00-06:00", Restored("alice"));
        h.RunUntil("2026-11-26T00:00-06:00");

        Assert.Equal(["2026-11-23T10:00:00-06:00|by=alice"], h.Lines("ticket.restored", "by"));
        Assert.Equal(["2026-11-23T10:00:00-06:00"], Sla(h, "sla.met", SlaTarget.Restore));
        Assert.Empty(Sla(h, "sla.warning", SlaTarget.Restore));
        Assert.Empty(Sla(h, "sla.breached", SlaTarget.Restore));
        Assert.False(h.State!.Sla[SlaTarget.Resolve]!.IsMet);
    }

    [Fact]
    public void MarkRestored_Twice_SecondRejected()
    {
        // Restore is met once; the second mark would rewrite history.
        var h = Chat(2);
        h.When("2026-11-23T10:00-06:00", Restored("alice"));
        var again = h.When("2026-11-23T10:05-06:00", Restored("bob"));

        Assert.Equal("ticket #1001 is already marked restored", again.Rejection);
        Assert.Single(h.Lines("ticket.restored"));
    }

    [Fact]
    public void MarkRestored_AfterSolve_Rejected()
    {
        // Solving met restore already.
        var h = Chat(2);
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Solved));
        var restored = h.When("2026-11-23T10:05-06:00", Restored("alice"));

        Assert.Equal("ticket #1001 is already Solved", restored.Rejection);
    }

    [Fact]
    public void NoProgress_Sev2Untouched_TellsCarolEachBusinessDay()
    {
        // 1bd in the business calendar, restarting from each notice: Tue 24, Wed 25, then Fri 27
        // (Thu 26 is a holiday), always at 08:00, to carol by email.
        var h = Chat(2);
        h.RunUntil("2026-11-27T12:00-06:00");

        Assert.Equal(
        [
            "2026-11-24T08:00:00-06:00|to=carol,via=email",
            "2026-11-25T08:00:00-06:00|to=carol,via=email",
            "2026-11-27T08:00:00-06:00|to=carol,via=email",
        ], h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("no-progress")).Select(l => l.Replace("purpose=no-progress,", "")));
    }

    [Fact]
    public void NoProgress_AfterStaffReply_RestartsFromTheReply()
    {
        // Progress at Mon 10:00 moves the first notice to Tue 10:00; the 08:00 timer is stale.
        var h = Chat(2);
        h.When("2026-11-23T10:00-06:00", StaffReply("alice"));
        h.RunUntil("2026-11-24T12:00-06:00");

        Assert.Equal(["2026-11-24T10:00:00-06:00|purpose=no-progress"], h.Lines("notify", "purpose").Where(l => l.Contains("no-progress")));
    }

    [Fact]
    public void NoProgress_WhilePending_DoesNotRunAndRestartsOnLeaving()
    {
        // Pending Mon 09:00 → Wed 25 09:00: nothing is owed while waiting on the requester; the
        // wait starts again when the ticket leaves Pending (next business day: Fri 27 09:00).
        var h = Chat(2);
        h.When("2026-11-23T08:30-06:00", StaffReply("alice"));
        h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-25T09:00-06:00", RequesterReply(Lee));
        h.RunUntil("2026-11-27T12:00-06:00");

        Assert.Equal(["2026-11-27T09:00:00-06:00|purpose=no-progress"], h.Lines("notify", "purpose").Where(l => l.Contains("no-progress")));
    }

    [Fact]
    public void NoProgress_Sev3_WaitsThreeBusinessDays()
    {
        // The rule is per severity: Sev 3 waits 3bd (Tue 24, Wed 25, Fri 27 → Fri 27 08:00).
        var h = Chat(3);
        h.RunUntil("2026-11-27T12:00-06:00");

        Assert.Equal(["2026-11-27T08:00:00-06:00|purpose=no-progress"], h.Lines("notify", "purpose").Where(l => l.Contains("no-progress")));
    }

    [Fact]
    public void NoProgress_Sev4_HasNoRule()
    {
        // Severities without a noProgress entry are never chased.
        var h = Chat(4);
        h.RunUntil("2026-12-31T00:00-06:00");

        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.NoProgress);
    }

    [Fact]
    public void NoProgress_AfterSolve_Stops()
    {
        // Solved tickets are not chased.
        var h = Chat(2);
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Solved));
        h.RunUntil("2026-11-27T12:00-06:00");

        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.NoProgress);
    }
}
