using SupportHub.Notifications;
using SupportHub.Tickets;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Tickets;

// Mail a machine sent (RFC 3834) opens its ticket without the acknowledgement, and says why on the
// timeline; a bounce is recorded on its ticket and changes nothing else.

public sealed class AutomaticMailTests
{
    private const string Monday = "2026-11-23T08:00-06:00";

    [Fact]
    public void Open_FromAutomaticMail_OpensWithoutAcknowledgementAndSaysWhy()
    {
        var h = new TicketHarness();
        var open = FromAcmeUser(Monday, 3, IntakeChannel.Email);

        h.When(Monday, open with { Facts = open.Facts with { NoAutoReply = "Auto-Submitted: auto-replied" } });

        Assert.Single(h.Lines("ticket.created"));
        Assert.DoesNotContain(h.Sent, n => n.Purpose == NotificationPurpose.Acknowledgement);
        var skipped = Assert.Single(Of(h, "notify.skipped"));
        Assert.Equal(("acknowledgement", Lee, "email", "automatic mail (Auto-Submitted: auto-replied)"),
            ((string?)skipped["purpose"], (string?)skipped["to"], (string?)skipped["via"], (string?)skipped["reason"]));
        // Everything else a ticket gets still happens: its clocks run.
        Assert.NotEmpty(h.State!.Sla.Clocks);
    }

    [Fact]
    public void Open_FromAPerson_IsAcknowledged()
    {
        var h = new TicketHarness();

        h.When(Monday, FromAcmeUser(Monday, 3, IntakeChannel.Email));

        Assert.Single(h.Sent, n => n.Purpose == NotificationPurpose.Acknowledgement);
        Assert.Empty(h.Lines("notify.skipped"));
    }

    [Fact]
    public void RecordDeliveryFailure_OnASolvedTicket_IsRecordedAndChangesNothingElse()
    {
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3, IntakeChannel.Email));
        h.When("2026-11-23T09:00-06:00", Status(TicketStatus.Solved));
        var before = h.State!;
        h.Sent.Clear();

        var decision = h.When("2026-11-23T09:05-06:00",
            new RecordDeliveryFailure(Id("bounce"), Ref, Lee, "failed", "5.1.1", "550 5.1.1 user unknown", "1001.3.solved.email@example.com"));

        Assert.Empty(decision.Effects);
        Assert.Equal((TicketStatus.Solved, before.Sla, before.Lifecycle), (h.State!.Status, h.State.Sla, h.State.Lifecycle));
        var line = Assert.Single(Of(h, "delivery.failed"));
        Assert.Equal((Lee, "failed", "5.1.1", "550 5.1.1 user unknown"),
            ((string?)line["to"], (string?)line["action"], (string?)line["status"], (string?)line["diagnostic"]));
    }

    [Fact]
    public void WithholdNotification_IsANotifySkippedLineWithTheReason()
    {
        var h = new TicketHarness();
        h.When(Monday, FromAcmeUser(Monday, 3, IntakeChannel.Email));

        h.When("2026-11-23T08:01-06:00", new WithholdNotification(Id("withheld"), Ref, "1001:1:acknowledgement.email", "acknowledgement", Lee, "email",
            "3 automatic replies to lee@acme.gov in the last hour (limit 3)"));

        var line = Assert.Single(Of(h, "notify.skipped"));
        Assert.Equal("3 automatic replies to lee@acme.gov in the last hour (limit 3)", (string?)line["reason"]);
    }

    private static List<System.Text.Json.Nodes.JsonObject> Of(TicketHarness h, string type) =>
        [.. h.Timeline.Where(l => (string?)l["type"] == type)];
}
