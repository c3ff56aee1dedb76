using SupportHub.Notifications;
using SupportHub.Tickets;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>POLICY.md "Lifecycle": New → Open → Pending / On-hold → Solved → Closed, driven through the decider.</summary>
public class LifecycleTests
{
    // Mon 23 Nov 2026 08:00 Chicago, inside support hours. Business days after it: Tue 24, Wed 25,
    // (Thu 26 is a holiday), Fri 27, Mon 30, Tue 1 Dec, Wed 2 Dec, Thu 3 Dec, ...
    private const string Monday = "2026-11-23T08:00-06:00";

    /// <summary>A Sev 3 chat from Lee, opened by Alice's reply at 09:00.</summary>
    private static TicketHarness OpenTicket()
    {
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3));
        h.When("2026-11-23T09:00-06:00", StaffReply("alice"));
        return h;
    }

    /// <summary>An open ticket that Alice solves on Monday at 10:00.</summary>
    private static TicketHarness SolvedMonday()
    {
        var h = OpenTicket();
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Solved));
        return h;
    }

    [Fact]
    public void Reply_StaffOnNew_OpensTicketAndMeetsResponseOnce()
    {
        // A staff public reply to a New ticket is both the first response and the move to Open;
        // the response target is met once, not once for each.
        var h = OpenTicket();

        Assert.Equal(["2026-11-23T09:00:00-06:00|from=New,to=Open,by=alice"], h.Lines("ticket.status", "from", "to", "by"));
        Assert.Equal(["2026-11-23T09:00:00-06:00|target=response"], h.Lines("sla.met", "target"));
    }

    [Fact]
    public void Reply_RequesterOnNew_StaysNewAndMeetsNothing()
    {
        // The requester adding detail is not a response from support.
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3));
        h.When("2026-11-23T08:30-06:00", RequesterReply(Lee));

        Assert.Empty(h.Lines("ticket.status"));
        Assert.Empty(h.Lines("sla.met"));
        Assert.Equal(TicketStatus.New, h.State!.Status);
    }

    [Fact]
    public void ChangeStatus_NewToOpen_MeetsResponse()
    {
        // "The first move from New to Open" meets response even without a reply.
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3));
        h.When("2026-11-23T08:20-06:00", Status(TicketStatus.Open));

        Assert.Equal(["2026-11-23T08:20:00-06:00|target=response"], h.Lines("sla.met", "target"));
    }

    [Fact]
    public void ChangeStatus_ToPending_RemindsRequesterWithAutoSolveInstant()
    {
        // The requester is told when the ticket will solve itself: 7 business days later, skipping
        // the weekend and Thanksgiving, at the same time of day.
        var h = OpenTicket();
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Pending));

        var reminder = Assert.Single(h.Sent, n => n.Purpose == NotificationPurpose.PendingReminder);
        Assert.Equal(Lee, reminder.To.To);
        Assert.Contains("Thu 3 Dec 2026 10:00 (UTC-06:00)", reminder.Text);
    }

    [Fact]
    public void Reply_RequesterWhilePending_ReopensTicket()
    {
        // The requester's answer is what Pending waits for.
        var h = OpenTicket();
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-23T11:00-06:00", RequesterReply(Lee));

        Assert.Equal("2026-11-23T11:00:00-06:00|from=Pending,to=Open,by=lee@acme.gov", h.Lines("ticket.status", "from", "to", "by")[^1]);
    }

    [Fact]
    public void PendingAutoSolve_NoReply_SolvedBySystemAfterSevenBusinessDays()
    {
        // Pending Mon 23 Nov 10:00 + 7bd = Thu 3 Dec 10:00 (Thu 26 Nov is a holiday).
        var h = OpenTicket();
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Pending));
        h.RunUntil("2026-12-03T09:59-06:00");
        Assert.Equal(TicketStatus.Pending, h.State!.Status);

        h.RunUntil("2026-12-10T00:00-06:00");
        Assert.Equal("2026-12-03T10:00:00-06:00|from=Pending,to=Solved,by=system", h.Lines("ticket.status", "from", "to", "by")[2]);
    }

    [Fact]
    public void PendingAutoSolve_AfterRequesterReplied_ChangesNothing()
    {
        // The timer of a Pending stretch that ended is stale, even once a later stretch begins:
        // the second stretch (from Tue 24 10:00) solves at its own 7bd (Fri 4 Dec 10:00), not earlier.
        var h = OpenTicket();
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-23T11:00-06:00", RequesterReply(Lee));
        h.When("2026-11-24T10:00-06:00", Status(TicketStatus.Pending));
        h.RunUntil("2026-12-03T12:00-06:00");
        Assert.Equal(TicketStatus.Pending, h.State!.Status);

        h.RunUntil("2026-12-04T12:00-06:00");
        Assert.Equal("2026-12-04T10:00:00-06:00|from=Pending,to=Solved,by=system", h.Lines("ticket.status", "from", "to", "by")[^1]);
    }

    [Fact]
    public void Reply_RequesterInsideReopenWindow_ReopensAndNoSurveyFollows()
    {
        // A reopened ticket is no longer solved: its pending survey and close are both stale.
        var h = SolvedMonday();
        h.When("2026-11-24T10:00-06:00", RequesterReply(Lee));
        h.RunUntil("2026-12-31T00:00-06:00");

        Assert.Equal("2026-11-24T10:00:00-06:00|from=Solved,to=Open,by=lee@acme.gov", h.Lines("ticket.status", "from", "to", "by")[^1]);
        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.CsatSurvey);
        Assert.Equal(TicketStatus.Open, h.State!.Status);
    }

    [Fact]
    public void ReopenWindow_Ends_ClosedBySystemAfterFiveBusinessDays()
    {
        // Solved Mon 23 Nov 10:00 + 5bd = Tue 1 Dec 10:00 (Thanksgiving skipped).
        var h = SolvedMonday();
        h.RunUntil("2026-12-10T00:00-06:00");

        Assert.Equal("2026-12-01T10:00:00-06:00|from=Solved,to=Closed,by=system", h.Lines("ticket.status", "from", "to", "by")[^1]);
    }

    [Fact]
    public void CsatSurvey_48HoursAfterSolve_SentToRequesterWithGoodAndBadLinks()
    {
        // 48h is elapsed time: Wed 25 Nov 10:00, whatever the calendar says.
        var h = SolvedMonday();
        h.RunUntil("2026-12-10T00:00-06:00");

        var survey = Assert.Single(h.Sent, n => n.Purpose == NotificationPurpose.CsatSurvey);
        Assert.Equal(["2026-11-25T10:00:00-06:00|to=lee@acme.gov,via=email"],
            h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("csat-survey")).Select(l => l.Replace("purpose=csat-survey,", "")));
        Assert.Equal([LinkAction.RateGood, LinkAction.RateBad], survey.Links.Select(l => l.Action));
    }

    [Fact]
    public void CsatSurvey_AfterStaffClosedTicket_StillSent()
    {
        // "is still Solved or Closed": closing by hand before the survey does not cancel it.
        var h = SolvedMonday();
        h.When("2026-11-23T11:00-06:00", Status(TicketStatus.Closed));
        h.RunUntil("2026-12-10T00:00-06:00");

        Assert.Single(h.Sent, n => n.Purpose == NotificationPurpose.CsatSurvey);
    }

    [Fact]
    public void CsatSurvey_SolvedReopenedSolvedAgain_OneSurveyAfterSecondSolve()
    {
        // The first solve's survey timer is stale once the ticket was reopened.
        var h = SolvedMonday();
        h.When("2026-11-23T12:00-06:00", RequesterReply(Lee));
        h.When("2026-11-24T09:00-06:00", Status(TicketStatus.Solved));
        h.RunUntil("2026-12-10T00:00-06:00");

        Assert.Equal(["2026-11-26T09:00:00-06:00|purpose=csat-survey"],
            h.Lines("notify", "purpose").Where(l => l.Contains("csat-survey")));
    }

    [Fact]
    public void Rate_Once_RecordedAndSecondRatingRejected()
    {
        // One question, one answer: the second click is told it was already rated.
        var h = SolvedMonday();
        h.RunUntil("2026-11-25T12:00-06:00");
        h.When("2026-11-25T12:00-06:00", Rate(good: true));
        var second = h.When("2026-11-25T12:05-06:00", Rate(good: false));

        Assert.Equal(["2026-11-25T12:00:00-06:00|rating=good,by=lee@acme.gov"], h.Lines("csat.rated", "rating", "by"));
        Assert.Equal("ticket #1001 has already been rated; thank you", second.Rejection);
        Assert.Empty(second.Events);
    }

    [Fact]
    public void Rate_BeforeSurvey_Rejected()
    {
        // A rating without a survey (a forged or stale link) is refused.
        var h = SolvedMonday();
        var early = h.When("2026-11-24T10:00-06:00", Rate(good: true));

        Assert.Equal("no satisfaction survey is open for ticket #1001", early.Rejection);
        Assert.Empty(h.Lines("csat.rated"));
    }

    [Theory]
    // Closed is final: a reply opens a follow-up instead (intake's job).
    [InlineData(TicketStatus.Closed, TicketStatus.Open, "ticket #1001 cannot move from Closed to Open")]
    // Open → Closed skips Solved, so no survey and no reopen window would ever run.
    [InlineData(TicketStatus.Open, TicketStatus.Closed, "ticket #1001 cannot move from Open to Closed")]
    // Solved → Pending: waiting on a requester after solving makes no sense; reopen first.
    [InlineData(TicketStatus.Solved, TicketStatus.Pending, "ticket #1001 cannot move from Solved to Pending")]
    // Nothing moves back to New.
    [InlineData(TicketStatus.Open, TicketStatus.New, "ticket #1001 cannot move from Open to New")]
    // The same status is not a move: no event, no timers restarted.
    [InlineData(TicketStatus.Open, TicketStatus.Open, "ticket #1001 is already Open")]
    [InlineData(TicketStatus.Pending, TicketStatus.Pending, "ticket #1001 is already Pending")]
    public void ChangeStatus_ImpossibleMove_RejectedAndChangesNothing(TicketStatus from, TicketStatus to, string reason)
    {
        var h = OpenTicket();
        var path = from switch
        {
            TicketStatus.Closed => [TicketStatus.Solved, TicketStatus.Closed],
            TicketStatus.Open => [],
            _ => new[] { from },
        };
        foreach (var step in path)
        {
            h.When("2026-11-23T10:00-06:00", Status(step));
        }
        var before = h.State;

        var move = h.When("2026-11-23T11:00-06:00", Status(to));

        Assert.Equal(reason, move.Rejection);
        Assert.False(move.Changed);
        Assert.Same(before, h.State);
    }

    [Fact]
    public void Reply_ToClosedTicket_Rejected()
    {
        // A reply to a Closed ticket belongs on a follow-up ticket, never on the closed one.
        var h = SolvedMonday();
        h.RunUntil("2026-12-02T00:00-06:00");
        var reply = h.When("2026-12-02T09:00-06:00", RequesterReply(Lee));

        Assert.Equal("ticket #1001 is closed; a reply to it opens a follow-up ticket", reply.Rejection);
        Assert.Equal(TicketStatus.Closed, h.State!.Status);
    }

    [Fact]
    public void Solve_WhilePending_StopsAutoSolveAndMeetsRestoreAndResolve()
    {
        // A staff solve ends the Pending stretch: the auto-solve timer is stale afterwards, and the
        // paused clocks are met rather than left paused.
        var h = OpenTicket();
        h.When("2026-11-23T10:00-06:00", Status(TicketStatus.Pending));
        h.When("2026-11-24T10:00-06:00", Status(TicketStatus.Solved));
        h.RunUntil("2026-12-10T00:00-06:00");

        Assert.Equal(
        [
            "2026-11-23T09:00:00-06:00|from=New,to=Open,by=alice",
            "2026-11-23T10:00:00-06:00|from=Open,to=Pending,by=alice",
            "2026-11-24T10:00:00-06:00|from=Pending,to=Solved,by=alice",
            "2026-12-02T10:00:00-06:00|from=Solved,to=Closed,by=system",
        ], h.Lines("ticket.status", "from", "to", "by"));
        Assert.Equal(["2026-11-24T10:00:00-06:00|target=restore", "2026-11-24T10:00:00-06:00|target=resolve"],
            h.Lines("sla.met", "target").Skip(1));
    }
}
