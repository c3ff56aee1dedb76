using SupportHub.Tickets;
using SupportHub.Workflows;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>
/// The ticket decider as a whole: routing, rejections, idempotency (a redelivered message or a stale
/// timer changes nothing) and determinism (the same messages at the same instants give the same effects).
/// </summary>
public class TicketWorkflowTests
{
    private const string Monday = "2026-11-23T08:00-06:00";
    private const string Saturday = "2026-11-21T10:00-06:00";
    private const string Night = "2026-12-01T23:00-06:00";

    [Fact]
    public void Decide_CommandForTicketThatDoesNotExist_RejectedWithoutState()
    {
        // Only OpenTicket creates a ticket; anything else for an unknown reference is refused.
        var decision = TicketWorkflow.Decide(StaffReply("alice"), null, TestTime.At(Monday), new TicketHarness().Context);

        Assert.Equal("ticket #1001 does not exist", decision.Rejection);
        Assert.Null(decision.State);
        Assert.False(decision.Changed);
    }

    [Fact]
    public void Open_SecondOpenWithNewIdForExistingTicket_ChangesNothing()
    {
        // A second OpenTicket for the same reference (intake retried with a new id) must not
        // re-create the ticket, re-acknowledge the requester or restart its clocks.
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3));
        var again = h.When(Monday, FromAcmeUser(Monday, 3));

        Assert.False(again.Changed);
        Assert.Single(h.Lines("ticket.created"));
    }

    /// <summary>Idempotency cases: a setup, then the command that is delivered twice.</summary>
    private static readonly Dictionary<string, Func<TicketHarness, (string At, TicketCommand Command)>> Commands = new()
    {
        // Intake redelivers the message that opened the ticket.
        ["open"] = _ => (Monday, FromAcmeUser(Monday, 3)),
        // A staff reply both meets response and opens the ticket; neither may happen twice.
        ["staff reply"] = h => { h.When(Monday, FromAcmeUser(Monday, 3)); return ("2026-11-23T09:00-06:00", StaffReply("alice")); },
        // A requester reply reopens a Pending ticket; a repeat must not post it twice.
        ["requester reply"] = h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Pending));
            return ("2026-11-23T10:00-06:00", RequesterReply(Lee));
        },
        // A status move schedules timers; a repeat must schedule none.
        ["status"] = h => { h.When(Monday, FromAcmeUser(Monday, 3)); return ("2026-11-23T09:00-06:00", Status(TicketStatus.Solved)); },
        // A severity change recomputes clocks and may page.
        ["severity"] = h => { h.When(Monday, FromAcmeUser(Monday, 3)); return ("2026-11-23T09:00-06:00", Severity(1)); },
        ["restored"] = h => { h.When(Monday, FromAcmeUser(Monday, 2)); return ("2026-11-23T09:00-06:00", Restored()); },
        // The same SMS "ACK" delivered twice is not "already acknowledged by alice".
        ["ack"] = h => { h.When(Night, FromDana(Night, 1)); return ("2026-12-01T23:05-06:00", Ack("alice")); },
        // One approval, one billing record.
        ["approve"] = h => { h.When(Saturday, FromAcmeUser(Saturday, 3)); return ("2026-11-21T10:30-06:00", Approve()); },
        ["decline"] = h => { h.When(Saturday, FromAcmeUser(Saturday, 3)); return ("2026-11-21T10:30-06:00", Decline()); },
        // A redelivered bounce is one delivery failure on the timeline.
        ["delivery failure"] = h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            return ("2026-11-23T08:05-06:00", new RecordDeliveryFailure(Id("bounce"), Ref, Lee, "failed", "5.1.1", "550 user unknown", "1001.1.acknowledgement.email@example.com"));
        },
        // A notification withheld twice (its queue message redelivered) is recorded once.
        ["withheld"] = h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            return ("2026-11-23T08:05-06:00", new WithholdNotification(Id("withheld"), Ref, "1001:1:acknowledgement.email", "acknowledgement", Lee, "email", "limit"));
        },
        // One survey click, one rating.
        ["rate"] = h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Solved));
            h.RunUntil("2026-11-25T10:00-06:00");
            return ("2026-11-25T11:00-06:00", Rate(good: true));
        },
    };

    public static TheoryData<string> CommandNames => [.. Commands.Keys];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Command_Redelivered_ChangesNothing(string name)
    {
        var h = new TicketHarness();
        var (at, command) = Commands[name](h);
        var first = h.When(at, command);
        Assert.True(first.Changed, "the first delivery must do something, or the repeat proves nothing");
        var before = h.State;

        var repeat = h.Deliver(at, command);

        Assert.False(repeat.Changed);
        Assert.Null(repeat.Rejection);
        Assert.Same(before, h.State);
    }

    /// <summary>Timer cases: a scenario run far enough that the timer kind fired and acted.</summary>
    private static readonly Dictionary<string, (Type Kind, string End, Action<TicketHarness> Run)> Timers = new()
    {
        // Nobody acknowledges: the chain walks all its steps and exhausts.
        ["ack window"] = (typeof(AckWindowElapsed), "2026-12-02T03:00-06:00", h => h.When(Night, FromDana(Night, 1))),
        // An unanswered Sev 2 warns and breaches.
        ["sla checkpoint"] = (typeof(SlaCheckpointReached), "2026-11-23T13:00-06:00", h => h.When(Monday, FromAcmeUser(Monday, 2))),
        ["no progress"] = (typeof(NoProgressElapsed), "2026-11-24T09:00-06:00", h => h.When(Monday, FromAcmeUser(Monday, 2))),
        // Dana never answers the Saturday billing request.
        ["approval window"] = (typeof(ApprovalWindowElapsed), "2026-11-21T13:00-06:00", h => h.When(Saturday, FromAcmeUser(Saturday, 3))),
        ["auto-solve"] = (typeof(PendingAutoSolveDue), "2026-12-04T00:00-06:00", h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Pending));
        }),
        ["reopen window"] = (typeof(ReopenWindowEnded), "2026-12-02T00:00-06:00", h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Solved));
        }),
        ["csat"] = (typeof(CsatSurveyDue), "2026-11-26T00:00-06:00", h =>
        {
            h.When(Monday, FromAcmeUser(Monday, 3));
            h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Solved));
        }),
    };

    public static TheoryData<string> TimerNames => [.. Timers.Keys];

    [Theory]
    [MemberData(nameof(TimerNames))]
    public void Timer_RedeliveredOrCopiedAfterItActed_ChangesNothing(string name)
    {
        // A timer delivered twice (same id) is a duplicate; the same timer under a new id (the
        // scheduler re-sent it) is stale because the state already moved past it.
        var (kind, end, run) = Timers[name];
        var h = new TicketHarness();
        run(h);
        h.RunUntil(end);
        var fired = h.Fired.Where(f => f.Message.GetType() == kind).ToList();
        Assert.Contains(fired, f => f.Decision.Events.Count > 0);
        var before = h.State;

        foreach (var (_, message, _) in fired)
        {
            Assert.False(h.Deliver(end, message).Changed, $"{message} redelivered");
            Assert.False(h.Deliver(end, message with { Id = message.Id + "-copy" }).Changed, $"{message} copied");
        }
        Assert.Equal(before!.Status, h.State!.Status);
        Assert.Equal(before.Sla, h.State.Sla);
    }

    [Fact]
    public void Acknowledge_NobodyPaged_RejectedAndMayBeRetriedOncePaged()
    {
        // A rejected message is not remembered as handled: the same ack, delivered again once a
        // page is out, is taken.
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3));
        var ack = Ack("alice");
        var early = h.When("2026-11-23T08:05-06:00", ack);
        h.When("2026-11-23T08:10-06:00", Severity(1));
        var retried = h.Deliver("2026-11-23T08:15-06:00", ack);

        Assert.Equal("nobody has been paged for ticket #1001", early.Rejection);
        Assert.Null(retried.Rejection);
        Assert.Equal(["2026-11-23T08:15:00-06:00|reason=acknowledged,by=alice"], h.Lines("escalation.stopped", "reason", "by"));
    }

    [Fact]
    public void Acknowledge_AfterSolve_RejectedSayingItWasSolved()
    {
        // The chain ended because the ticket was solved, not because someone took the page.
        var h = new TicketHarness();
        h.When(Night, FromDana(Night, 1));
        h.When("2026-12-01T23:05-06:00", Status(TicketStatus.Solved, "bob"));
        var ack = h.When("2026-12-01T23:06-06:00", Ack("alice"));

        Assert.Equal("ticket #1001 was already solved by bob; the page has ended", ack.Rejection);
        Assert.Empty(ack.Events);
    }

    [Fact]
    public void Decide_SameMessagesAtSameInstants_GiveEqualEffectsAndState()
    {
        // Determinism: replaying one script (timers included) gives byte-identical effects, state
        // and timeline, so a retried decision writes the same outbox rows.
        TicketCommand[] script =
        [
            FromAcmeUser(Saturday, 1), Approve(), StaffReply("alice"), Status(TicketStatus.Pending),
            RequesterReply(Lee), Severity(1), Ack("bob"), Restored("bob"), Status(TicketStatus.Solved, "bob"),
        ];
        string[] at =
        [
            Saturday, "2026-11-21T10:30-06:00", "2026-11-21T11:00-06:00", "2026-11-21T11:30-06:00",
            "2026-11-23T09:00-06:00", "2026-11-23T09:30-06:00", "2026-11-23T09:40-06:00", "2026-11-23T10:00-06:00",
            "2026-11-23T11:00-06:00",
        ];

        string Run()
        {
            var h = new TicketHarness();
            for (var i = 0; i < script.Length; i++)
            {
                h.When(at[i], script[i]);
            }
            h.RunUntil("2026-12-31T00:00-06:00");
            return string.Join("\n", h.Decisions.Select(d => WorkflowJson.Serialize(d.Effects) + WorkflowJson.Serialize(d.State) + d.Rejection))
                + string.Join("\n", h.Timeline.Select(l => l.ToJsonString()));
        }

        var first = Run();
        Assert.Contains("billing-approval", first);
        Assert.Equal(first, Run());
    }
}
