using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Tickets;
using SupportHub.Workflows;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>POLICY.md "After-hours requests and billing approval", driven through the ticket decider.</summary>
public class BillingApprovalTests
{
    // Sat 21 Nov 2026 10:00 Chicago: the business calendar (Mon–Fri 07:00–19:00) is closed, the
    // standard tier bills after hours at 200 USD/hour with a 2h approval window (deadline 12:00),
    // and support next opens Mon 23 Nov 07:00. Alice is primary on call (third weekly shift).
    private const string Saturday = "2026-11-21T10:00-06:00";
    private const string Deadline = "2026-11-21T12:00:00-06:00";
    private const string MondayOpening = "Mon 23 Nov 2026 07:00 (UTC-06:00)";

    private static TicketHarness SaturdayChat()
    {
        var h = new TicketHarness();
        h.When(Saturday, FromAcmeUser(Saturday, 3));
        return h;
    }

    [Fact]
    public void Open_SaturdayNonEmergencyChat_AsksDanaByEmailAndSmsAndPagesNobody()
    {
        // The core rule: after-hours work in a billable tier waits for the customer's consent.
        var h = SaturdayChat();

        Assert.Equal(["2026-11-21T10:00:00-06:00|afterHours=true,billingApproval=required,severity=3"],
            h.Lines("ticket.created", "afterHours", "billingApproval", "severity"));
        Assert.Equal([$"2026-11-21T10:00:00-06:00|rate=200,currency=USD,deadline={Deadline}"],
            h.Lines("billing.requested", "rate", "currency", "deadline"));
        var requests = h.Sent.Where(n => n.Purpose == NotificationPurpose.ApprovalRequest).ToList();
        Assert.Equal(["dana@acme.gov/Email", "dana@acme.gov/Sms"], requests.Select(n => $"{n.To.To}/{n.Via}"));
        // Each request carries single-use Approve and Decline links that stop working at the deadline.
        Assert.All(requests, n => Assert.Equal(
            [new LinkIntent(LinkAction.Approve, TestTime.At(Deadline)), new LinkIntent(LinkAction.Decline, TestTime.At(Deadline))],
            n.Links));
        Assert.Contains("200 USD per hour", requests[0].Text);
        Assert.Empty(h.Lines("escalation.step"));
        Assert.DoesNotContain(h.Sent, n => n.Purpose is NotificationPurpose.Page or NotificationPurpose.AfterHoursWork);
    }

    [Fact]
    public void Approve_InsideWindow_RecordsOnceCallsPrimaryAndConfirmsToApprover()
    {
        // The happy path: one audit record (who, when, rate), the on-call engineer is called, and
        // the expiry timer that still fires at the deadline finds nothing to do.
        var h = SaturdayChat();
        h.When("2026-11-21T11:00-06:00", Approve());
        h.RunUntil("2026-11-21T14:00-06:00");

        Assert.Equal(["2026-11-21T11:00:00-06:00|by=dana@acme.gov,rate=200,currency=USD"],
            h.Lines("billing.approved", "by", "rate", "currency"));
        var record = Assert.Single(h.BillingRecords);
        Assert.Equal(new BillingApprovalRecord("1001", "acme", "dana@acme.gov", TestTime.At("2026-11-21T11:00-06:00"), 200m, "USD", "hour"), record);
        Assert.Equal(
        [
            "2026-11-21T11:00:00-06:00|purpose=approval-result,to=dana@acme.gov,via=email",
            "2026-11-21T11:00:00-06:00|purpose=after-hours-work,to=alice,via=teams",
            "2026-11-21T11:00:00-06:00|purpose=after-hours-work,to=alice,via=sms",
        ], h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("approval-result") || l.Contains("after-hours")));
        Assert.Empty(h.Lines("billing.expired"));
    }

    [Fact]
    public void Decline_InsideWindow_TellsRequesterWhenSupportOpensAndRecordsNothing()
    {
        // A decline bills nothing; the requester learns the ticket waits for Monday's opening.
        var h = SaturdayChat();
        h.When("2026-11-21T10:30-06:00", Decline());
        h.RunUntil("2026-11-21T14:00-06:00");

        Assert.Equal(["2026-11-21T10:30:00-06:00|by=dana@acme.gov"], h.Lines("billing.declined", "by"));
        var notice = Assert.Single(h.Sent, n => n.Purpose == NotificationPurpose.AfterHoursNotice);
        Assert.Equal((Lee, Channel.Email), (notice.To.To, notice.Via));
        Assert.Contains(MondayOpening, notice.Text);
        Assert.Empty(h.BillingRecords);
        Assert.Empty(h.Lines("billing.expired"));
        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.AfterHoursWork);
    }

    [Fact]
    public void ApprovalWindow_NoAnswer_ExpiresAtDeadlineAndTellsRequester()
    {
        // Silence is not consent: at the deadline the request expires and nothing is billed.
        var h = SaturdayChat();
        h.RunUntil("2026-11-21T18:00-06:00");

        Assert.Equal([Deadline + "|"], h.Lines("billing.expired"));
        Assert.Equal([Deadline + "|purpose=after-hours-notice,to=lee@acme.gov,via=email"],
            h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("after-hours-notice")));
        Assert.Contains(MondayOpening, Assert.Single(h.Sent, n => n.Purpose == NotificationPurpose.AfterHoursNotice).Text);
        Assert.Empty(h.BillingRecords);
    }

    [Fact]
    public void Approve_AfterExpiry_IsRejectedAndRecordsNothing()
    {
        // An answer after the timeout changes nothing and is told so.
        var h = SaturdayChat();
        var late = h.When("2026-11-21T12:30-06:00", Approve());

        Assert.Equal("the approval window for ticket #1001 closed at Sat 21 Nov 2026 12:00 (UTC-06:00); nothing was charged", late.Rejection);
        Assert.Empty(late.Events);
        Assert.Empty(late.Effects);
        Assert.Empty(h.BillingRecords);
        Assert.Empty(h.Lines("billing.approved"));
    }

    [Fact]
    public void Approve_AtDeadlineBeforeLateExpiryTimer_IsRejected()
    {
        // The window is [request, deadline): an approval delivered at the deadline, overtaking an
        // expiry timer that is late on the queue, must not bill.
        var h = SaturdayChat();
        var late = h.Deliver(Deadline, Approve());

        Assert.NotNull(late.Rejection);
        Assert.Empty(late.Events);
        Assert.Empty(h.BillingRecords);
        h.RunUntil("2026-11-21T13:00-06:00");
        Assert.Equal([Deadline + "|"], h.Lines("billing.expired"));
    }

    [Fact]
    public void Answer_SecondAfterApproval_IsRejectedAndRecordsNothingMore()
    {
        // A second answer (a second link click, the SMS after the email) changes nothing.
        var h = SaturdayChat();
        h.When("2026-11-21T11:00-06:00", Approve());
        var decline = h.When("2026-11-21T11:05-06:00", Decline());
        var approveAgain = h.When("2026-11-21T11:06-06:00", Approve());

        Assert.Equal("ticket #1001 was already approved by dana@acme.gov", decline.Rejection);
        Assert.Equal("ticket #1001 was already approved by dana@acme.gov", approveAgain.Rejection);
        Assert.Empty(decline.Events.Concat(approveAgain.Events));
        Assert.Single(h.BillingRecords);
        Assert.Empty(h.Lines("billing.declined"));
    }

    [Fact]
    public void Approve_AfterDecline_IsRejected()
    {
        // A decline is final too: no record can appear after it.
        var h = SaturdayChat();
        h.When("2026-11-21T10:30-06:00", Decline());
        var approve = h.When("2026-11-21T10:40-06:00", Approve());

        Assert.Equal("ticket #1001 was already declined by dana@acme.gov", approve.Rejection);
        Assert.Empty(h.BillingRecords);
    }

    [Fact]
    public void Approve_Redelivered_ChangesNothingAndRecordsOnce()
    {
        // The same signed-link message delivered twice is a duplicate, not a second answer.
        var h = SaturdayChat();
        var approve = Approve();
        h.When("2026-11-21T11:00-06:00", approve);
        var repeat = h.When("2026-11-21T11:00-06:00", approve);

        Assert.False(repeat.Changed);
        Assert.Null(repeat.Rejection);
        Assert.Single(h.BillingRecords);
    }

    [Fact]
    public void Approve_ByNonApprover_IsRejectedAndApproverMayStillAnswer()
    {
        // Only the account's approvesBilling contacts may commit it to pay; a rejected answer
        // leaves the window open for the real approver.
        var h = SaturdayChat();
        var stranger = h.When("2026-11-21T10:20-06:00", Approve(Lee));
        h.When("2026-11-21T10:30-06:00", Approve());

        Assert.Equal("lee@acme.gov may not approve after-hours work for this account", stranger.Rejection);
        Assert.Empty(stranger.Events);
        Assert.Equal("dana@acme.gov", Assert.Single(h.BillingRecords).ApprovedBy);
    }

    [Fact]
    public void Approve_AfterTicketSolved_RejectedAndNobodyCalled()
    {
        // Staff solved the ticket before Dana answered (a duplicate, a quick answer): approving now
        // would bill for and call an engineer to a ticket that needs no work.
        var h = SaturdayChat();
        h.When("2026-11-21T10:30-06:00", Status(TicketStatus.Solved, "bob"));
        var approve = h.When("2026-11-21T11:00-06:00", Approve());

        Assert.Equal("ticket #1001 is already Solved; nothing was charged", approve.Rejection);
        Assert.Empty(h.BillingRecords);
        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.AfterHoursWork);
    }

    [Fact]
    public void ApprovalWindow_ExpiresAfterTicketSolved_RequesterNotToldItWaitsForMonday()
    {
        // The request still expires, but "we will work on it when support opens" would be false.
        var h = SaturdayChat();
        h.When("2026-11-21T10:30-06:00", Status(TicketStatus.Solved, "bob"));
        h.RunUntil("2026-11-21T13:00-06:00");

        Assert.Equal([Deadline + "|"], h.Lines("billing.expired"));
        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.AfterHoursNotice);
    }

    [Fact]
    public void Open_NightEmergencyFromNonDesignatedUser_DowngradedToSev2TellsDanaAndNeedsApproval()
    {
        // emergencyContactsOnly: Lee is not a designated contact, so his Sev 1 is worked as Sev 2,
        // which after hours is billable like any other non-emergency.
        var h = new TicketHarness();
        h.When("2026-11-21T02:00-06:00", FromAcmeUser("2026-11-21T02:00-06:00", 1));

        Assert.Equal(["2026-11-21T02:00:00-06:00|severity=2,billingApproval=required,clockCalendar=business"],
            h.Lines("ticket.created", "severity", "billingApproval", "clockCalendar"));
        Assert.Equal(["2026-11-21T02:00:00-06:00|from=1,to=2,requester=lee@acme.gov"],
            h.Lines("ticket.emergency-downgraded", "from", "to", "requester"));
        Assert.Equal(["2026-11-21T02:00:00-06:00|purpose=emergency-downgraded,to=dana@acme.gov,via=email"],
            h.Lines("notify", "purpose", "to", "via").Where(l => l.Contains("emergency-downgraded")));
        Assert.Single(h.Lines("billing.requested"));
        Assert.Empty(h.Lines("escalation.step"));
    }

    [Fact]
    public void Open_NightEmergencyFromDana_PagesAndIsNeverBilled()
    {
        // A designated contact's emergency is worked at once and free of charge; there is nothing
        // to approve, so an approval answer is rejected.
        var h = new TicketHarness();
        h.When("2026-11-21T02:00-06:00", FromDana("2026-11-21T02:00-06:00", 1));
        var answer = h.When("2026-11-21T02:05-06:00", Approve());

        Assert.Equal(["2026-11-21T02:00:00-06:00|severity=1,billingApproval=emergency,clockCalendar=always"],
            h.Lines("ticket.created", "severity", "billingApproval", "clockCalendar"));
        Assert.Single(h.Lines("escalation.step"));
        Assert.Empty(h.Lines("billing.requested"));
        Assert.Equal("no after-hours approval was requested for ticket #1001", answer.Rejection);
        Assert.Empty(h.BillingRecords);
    }

    [Fact]
    public void Open_DuringBusinessHours_NeedsNoApproval()
    {
        // Mon 23 Nov 08:00 is inside support hours: worked normally, never billed.
        var h = new TicketHarness();
        h.When("2026-11-23T08:00-06:00", FromAcmeUser("2026-11-23T08:00-06:00", 3));
        h.RunUntil("2026-11-23T12:00-06:00");

        Assert.Equal(["2026-11-23T08:00:00-06:00|afterHours=false,billingApproval=not-required"],
            h.Lines("ticket.created", "afterHours", "billingApproval"));
        Assert.Empty(h.Lines("billing.requested"));
        Assert.DoesNotContain(h.Sent, n => n.Purpose is NotificationPurpose.ApprovalRequest or NotificationPurpose.AfterHoursNotice);
    }
}
