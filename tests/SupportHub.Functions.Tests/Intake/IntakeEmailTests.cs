using System.Net;
using System.Text.Json;
using SupportHub.Functions.Notifications;
using SupportHub.Notifications;
using SupportHub.Tickets;

namespace SupportHub.Functions.Tests.Intake;

// Issue 23 over HTTP, against the in-process hub with its real SQLite store and queue: mail a machine
// sent opens or joins its ticket without an acknowledgement; a bounce joins the ticket whose message
// bounced and opens none; one address gets at most three acknowledgements an hour; an Outlook reply
// in raw mode is trimmed and its full text kept.

public sealed class IntakeEmailTests : IDisposable
{
    private readonly IntakeHub _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Email_ListMail_OpensTicketWithoutAcknowledgement()
    {
        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.RawEmailAsync("""
            From: Pat Lee <pat.lee@acme.gov>
            To: users@lists.acme.gov
            Subject: Payment page down for anyone else?
            Message-ID: <list.1@acme.gov>
            List-Id: Acme City users <users.lists.acme.gov>
            Precedence: list

            Is anyone else seeing the payment page error?
            """));

        var sent = await _hub.TakeNotificationsAsync();

        Assert.NotNull(await _hub.TicketAsync(ticket));
        Assert.DoesNotContain(sent, n => n.Purpose == NotificationPurpose.Acknowledgement);
        Assert.DoesNotContain(await _hub.OutboxAsync(), e => e.Purpose == "acknowledgement");
        var skipped = Assert.Single(await _hub.HistoryAsync(ticket), l => (string?)l["type"] == "notify.skipped");
        Assert.Equal("automatic mail (Precedence: list)", (string?)skipped["reason"]);
        Assert.Equal("Precedence: list", Assert.Single(await _hub.ConversationAsync(ticket)).Details["automatic"]);
    }

    [Fact]
    public async Task Email_OutOfOfficeReplyToTheAcknowledgement_ThreadsWithoutAnsweringIt()
    {
        var (ticket, ack) = await TicketWithAcknowledgementAsync();

        var reply = await IntakeHub.AcceptedTicketAsync(await _hub.RawEmailAsync($"""
            From: Dana Ortiz <dana@acme.gov>
            To: Support <support@example.com>
            Subject: Automatic reply: [#{ticket}] Export fails
            Message-ID: <ooo.1@acme.gov>
            In-Reply-To: {ack.MessageId}
            Auto-Submitted: auto-replied
            X-Auto-Response-Suppress: All

            I am out of the office until Monday.
            """));
        var sent = await _hub.TakeNotificationsAsync();

        Assert.Equal(ticket, reply);
        Assert.Equal(2, (await _hub.ConversationAsync(ticket)).Count);
        Assert.DoesNotContain(sent, n => n.Purpose == NotificationPurpose.Acknowledgement);
        Assert.Single(await _hub.OutboxAsync(), e => e.Purpose == "acknowledgement");
    }

    [Fact]
    public async Task Email_OutOfOfficeFromExchange_OpensTicketWithoutAcknowledgement()
    {
        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.RawEmailAsync("""
            From: Pat Lee <pat.lee@acme.gov>
            To: Support <support@example.com>
            Subject: Automatic reply: Export question
            Message-ID: <oof.2@EXCH01.acme.local>
            X-Auto-Response-Suppress: All
            X-MS-Exchange-Inbox-Rules-Loop: pat.lee@acme.gov

            I am on leave until 1 December.
            """));

        Assert.DoesNotContain(await _hub.TakeNotificationsAsync(), n => n.Purpose == NotificationPurpose.Acknowledgement);
        Assert.Contains(await _hub.HistoryAsync(ticket), l => (string?)l["type"] == "notify.skipped"
            && (string?)l["reason"] == "automatic mail (X-Auto-Response-Suppress: All)");
    }

    [Fact]
    public async Task Email_BounceOfTheAcknowledgement_JoinsItsTicketAsADeliveryFailureAndOpensNone()
    {
        var (ticket, ack) = await TicketWithAcknowledgementAsync();
        var before = await _hub.TicketAsync(ticket);
        var counter = await _hub.CounterAsync();

        var response = await _hub.RawEmailAsync(Bounce("b1", ack.MessageId!));
        var joined = await IntakeHub.AcceptedTicketAsync(response);
        var sent = await _hub.TakeNotificationsAsync();

        Assert.Equal(ticket, joined);
        Assert.Equal(counter, await _hub.CounterAsync());
        Assert.Empty(sent);
        var after = await _hub.TicketAsync(ticket);
        Assert.Equal(before!.Status, after!.Status);
        Assert.Equal(SupportHub.Workflows.WorkflowJson.Serialize(before.Sla), SupportHub.Workflows.WorkflowJson.Serialize(after.Sla));
        var failure = Assert.Single(await _hub.ConversationAsync(ticket), m => m.SourceId == "b1@mx.acme.gov");
        Assert.Equal(("delivery-failure", "dana@acme.gov", "5.1.1"), (failure.Details["kind"], failure.Details["recipient"], failure.Details["status"]));
        Assert.Contains("User unknown", failure.Details["diagnostic"], StringComparison.Ordinal);
        var line = Assert.Single(await _hub.HistoryAsync(ticket), l => (string?)l["type"] == "delivery.failed");
        Assert.Equal(("dana@acme.gov", "5.1.1"), ((string?)line["to"], (string?)line["status"]));
    }

    [Fact]
    public async Task Email_BounceOfAMessageNoTicketSent_IsIgnoredAndWritesNothing()
    {
        var before = await _hub.FootprintAsync();

        var response = await _hub.RawEmailAsync(Bounce("b2", "<never-sent@example.com>"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("ticket").ValueKind);
        Assert.Equal("ignored", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("a delivery report about a message no ticket sent", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(before, await _hub.FootprintAsync());
        Assert.Null(await _hub.CounterAsync());
    }

    [Fact]
    public async Task Email_FourthNewTicketFromOneAddressWithinTheHour_AcknowledgementWithheldWithItsReason()
    {
        var tickets = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            tickets.Add(await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync($"n{i}@riverton.org", "Sam <sam@riverton.org>", $"Question {i}", "How do I export?")));
            _hub.Clock.Advance(NodaTime.Duration.FromMinutes(5));
        }
        var sent = await _hub.TakeNotificationsAsync();

        Assert.Equal(tickets[..3], sent.Where(n => n.Purpose == NotificationPurpose.Acknowledgement).Select(n => n.Ticket));
        await _hub.DrainAsync();
        var skipped = Assert.Single(await _hub.HistoryAsync(tickets[3]), l => (string?)l["type"] == "notify.skipped");
        Assert.Equal(("acknowledgement", "sam@riverton.org", "3 automatic replies to sam@riverton.org in the last hour (limit 3)"),
            ((string?)skipped["purpose"], (string?)skipped["to"], (string?)skipped["reason"]));
    }

    [Fact]
    public async Task Email_RawOutlookReply_TrimmedWithTheFullTextKept()
    {
        var (ticket, ack) = await TicketWithAcknowledgementAsync();

        var reply = await IntakeHub.AcceptedTicketAsync(await _hub.RawEmailAsync($"""
            From: Dana Ortiz <dana@acme.gov>
            To: Support <support@example.com>
            Subject: RE: [#{ticket}] Export fails
            Message-ID: <SN6PR04MB4126@namprd04.prod.outlook.com>
            In-Reply-To: {ack.MessageId}
            MIME-Version: 1.0
            Content-Type: text/plain; charset="utf-8"

            It fails on version 4.2.1 too.

            From: Support [mailto:support@example.com]
            Sent: Saturday, November 21, 2026 2:00 AM
            To: Dana Ortiz <dana@acme.gov>
            Subject: [#{ticket}] Export fails

            We have received your request and opened ticket #{ticket}.
            """));
        await _hub.DrainAsync();

        Assert.Equal(ticket, reply);
        var message = Assert.Single(await _hub.ConversationAsync(ticket), m => m.SourceId == "SN6PR04MB4126@namprd04.prod.outlook.com");
        Assert.Equal("It fails on version 4.2.1 too.", message.Text);
        Assert.Contains("Sent: Saturday, November 21, 2026 2:00 AM", message.FullText, StringComparison.Ordinal);
        // The conversation row carries both, as the messages route will show them.
        var row = SupportHub.Workflows.WorkflowJson.Serialize(message);
        Assert.Contains("\"text\":\"It fails on version 4.2.1 too.\"", row, StringComparison.Ordinal);
        Assert.Contains("\"fullText\":", row, StringComparison.Ordinal);
    }

    private static string Bounce(string id, string original) => $"""
        Return-Path: <>
        From: MAILER-DAEMON@mx.acme.gov (Mail Delivery System)
        To: support@example.com
        Subject: Undelivered Mail Returned to Sender
        Message-ID: <{id}@mx.acme.gov>
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="R"

        --R
        Content-Type: text/plain

        Your message could not be delivered.
        --R
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.acme.gov

        Final-Recipient: rfc822; dana@acme.gov
        Action: failed
        Status: 5.1.1
        Diagnostic-Code: smtp; 550 5.1.1 <dana@acme.gov>: Recipient address rejected: User unknown

        --R
        Content-Type: text/rfc822-headers

        From: Support <support@example.com>
        To: dana@acme.gov
        Subject: [#1001] Export fails
        Message-ID: {original}

        --R--
        """;

    // Dana's new ticket and the acknowledgement the hub sent her: what replies and bounces refer to.
    private async Task<(string Ticket, DevOutboxEntry Acknowledgement)> TicketWithAcknowledgementAsync()
    {
        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m1@acme.gov", "Dana <dana@acme.gov>", "Export fails", "The nightly export fails."));
        await _hub.TakeNotificationsAsync();
        return (ticket, Assert.Single(await _hub.OutboxAsync(), e => e.Purpose == "acknowledgement"));
    }
}
