using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Tickets;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Tickets;

public class EscalationChainTests
{
    // Tue 1 Dec 2026 23:00 Chicago: the primary rotation (weekly from Mon 2 Nov 09:00, [alice, bob])
    // has alice on call; secondary ([bob, carol]) has bob.
    private const string Night = "2026-12-01T23:00-06:00";

    [Fact]
    public void Open_EmergencyFromDesignatedContact_PagesPrimaryByTeamsAndSmsAtOnce()
    {
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));

        Assert.Equal(["2026-12-01T23:00:00-06:00|chain=page,step=1,round=1"], h.Lines("escalation.step", "chain", "step", "round"));
        Assert.Equal(
            ["2026-12-01T23:00:00-06:00|purpose=page,to=alice,via=teams", "2026-12-01T23:00:00-06:00|purpose=page,to=alice,via=sms"],
            h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("purpose=page")));
        Assert.Empty(h.Lines("billing.requested"));
    }

    [Fact]
    public void AckWindow_NobodyAcknowledges_WalksStepsRepeatsThenExhausts()
    {
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        h.RunUntil("2026-12-02T03:00-06:00");

        // 15m + 15m + 30m a round, two rounds (repeat 1), then whenExhausted once.
        Assert.Equal(
        [
            "2026-12-01T23:00:00-06:00|step=1,round=1",
            "2026-12-01T23:15:00-06:00|step=2,round=1",
            "2026-12-01T23:30:00-06:00|step=3,round=1",
            "2026-12-02T00:00:00-06:00|step=1,round=2",
            "2026-12-02T00:15:00-06:00|step=2,round=2",
            "2026-12-02T00:30:00-06:00|step=3,round=2",
        ], h.Lines("escalation.step", "step", "round"));
        Assert.Equal(["2026-12-02T01:00:00-06:00|chain=page"], h.Lines("escalation.exhausted", "chain"));
        Assert.Contains("2026-12-01T23:15:00-06:00|to=bob,via=sms", h.Lines("notify", "to", "via"));
        Assert.Contains("2026-12-01T23:30:00-06:00|to=carol,via=email", h.Lines("notify", "to", "via"));
        Assert.Contains("2026-12-02T01:00:00-06:00|to=carol,via=email", h.Lines("notify", "to", "via"));
    }

    [Fact]
    public void Acknowledge_DuringStep1_StopsChainAndLaterTimersChangeNothing()
    {
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        h.When("2026-12-01T23:10-06:00", Ack("alice"));
        h.RunUntil("2026-12-02T03:00-06:00");

        Assert.Equal(["2026-12-01T23:10:00-06:00|reason=acknowledged,by=alice"], h.Lines("escalation.stopped", "reason", "by"));
        Assert.Single(h.Lines("escalation.step"));
        Assert.Empty(h.Lines("escalation.exhausted"));
    }

    [Fact]
    public void Acknowledge_Twice_SecondIsToldWhoWasFirst()
    {
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        h.When("2026-12-01T23:10-06:00", Ack("alice"));
        var second = h.When("2026-12-01T23:11-06:00", Ack("bob"));

        Assert.Equal("ticket #1001 was already acknowledged by alice", second.Rejection);
        Assert.Empty(second.Events);
    }

    [Fact]
    public void Acknowledge_SameMessageRedelivered_ChangesNothing()
    {
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        var ack = Ack("alice");
        h.When("2026-12-01T23:10-06:00", ack);
        var repeat = h.When("2026-12-01T23:10-06:00", ack);

        Assert.False(repeat.Changed);
        Assert.Null(repeat.Rejection);
    }

    [Fact]
    public void Solve_WhileChainRuns_StopsItAsSolved()
    {
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        h.When("2026-12-01T23:20-06:00", Status(TicketStatus.Solved, "bob"));
        h.RunUntil("2026-12-02T03:00-06:00");

        Assert.Equal(["2026-12-01T23:20:00-06:00|reason=solved,by=bob"], h.Lines("escalation.stopped", "reason", "by"));
        Assert.Equal(2, h.Lines("escalation.step").Count);
    }

    [Fact]
    public void Open_OnCallPersonWithoutPhone_IsPagedByTeamsAndTheSkippedSmsIsRecorded()
    {
        // Alice (primary, on call at Night) has no phone: `policy check` warns, the hub runs.
        var h = new TicketHarness(WithoutPhone("alice", "+13125550001"));
        var opened = h.When(Night, FromDana(Night, 1));

        // The decision's own timeline, as `simulate` prints it: the step, its Teams page, then the
        // SMS it skipped, in the order the step went through its channels.
        Assert.Equal(
        [
            "escalation.step|chain=page,step=1",
            "notify|purpose=page,to=alice,via=teams",
            "notify.skipped|purpose=page,to=alice,via=sms,reason=no phone",
        ], TimelineOf(opened).Where(l => l.StartsWith("escalation.", StringComparison.Ordinal) || l.Contains("purpose=page", StringComparison.Ordinal)));
        Assert.Equal([(Channel.Teams, "alice")], h.Sent.Where(n => n.Purpose == NotificationPurpose.Page).Select(n => (n.Via, n.To.To)));
        Assert.Contains(opened.Events, e => e is NotificationSkipped { To: "alice", Via: Channel.Sms, Missing: "phone", Purpose: NotificationPurpose.Page });
    }

    [Fact]
    public void AckWindow_Step3PersonWithoutPhone_IsPagedByTeamsAndEmailAndTheSkipIsRecorded()
    {
        var h = new TicketHarness(WithoutPhone("carol", "+13125550003"));
        h.When(Night, FromDana(Night, 1));
        h.RunUntil("2026-12-01T23:30-06:00");

        // Step 3 names teams, sms and email for carol: two go out, the SMS is recorded as skipped.
        Assert.Equal(
            ["2026-12-01T23:30:00-06:00|to=carol,via=teams", "2026-12-01T23:30:00-06:00|to=carol,via=email"],
            h.Lines("notify", "to", "via").Where(l => l.Contains("to=carol", StringComparison.Ordinal)));
        Assert.Equal(
            ["2026-12-01T23:30:00-06:00|purpose=page,to=carol,via=sms,reason=no phone"],
            h.Lines("notify.skipped", "purpose", "to", "via", "reason"));
        Assert.Equal(["2026-12-01T23:30:00-06:00|step=3,round=1"], h.Lines("escalation.step", "step", "round").Where(l => l.Contains("step=3,round=1", StringComparison.Ordinal)));
    }

    [Fact]
    public void Open_EveryoneHasEveryAddress_RecordsNoSkip()
    {
        // The sample reaches everyone by every channel it names: no skip line, so timelines of
        // policies without warnings are unchanged.
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        h.RunUntil("2026-12-02T03:00-06:00");

        Assert.Empty(h.Lines("notify.skipped"));
    }

    /// <summary>The sample policy with <paramref name="person"/>'s phone taken out (a warning, not an error).</summary>
    private static string WithoutPhone(string person, string phone)
    {
        var sample = RepositoryFiles.Read("samples/policy.json");
        var edited = sample.Replace($"\"phone\": \"{phone}\",", "", StringComparison.Ordinal);
        Assert.NotEqual(sample, edited);
        var loaded = PolicyLoader.Load(edited);
        Assert.Empty(loaded.Errors);
        Assert.Contains(loaded.Warnings, w => w.Message.Contains($"\"{person}\"", StringComparison.Ordinal));
        return edited;
    }

    /// <summary>A decision's timeline lines in its order, as "type|field=value,..." without at and ticket.</summary>
    private static List<string> TimelineOf(TicketDecision decision) =>
        TicketTimeline.Describe(decision, TestTime.At(Night), Ref, NodaTime.DateTimeZone.Utc)
            .Select(l => (string)l["type"]! + "|" + string.Join(",", l.Where(p => p.Key is not ("at" or "type" or "ticket" or "round")).Select(p => $"{p.Key}={p.Value}")))
            .ToList();
}
