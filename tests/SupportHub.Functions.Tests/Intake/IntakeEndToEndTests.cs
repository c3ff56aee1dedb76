using System.Net;
using System.Text;
using System.Text.Json;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Notifications;
using SupportHub.Tickets;

namespace SupportHub.Functions.Tests.Intake;

// Each channel over HTTP against the in-process hub with its real SQLite store and queue: the
// route answers with the ticket reference, and once the queues are drained the message is in the
// ticket's conversation and the workflow has run.

public sealed class IntakeEndToEndTests : IDisposable
{
    private readonly IntakeHub _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Email_DefaultModeFixture_OpensTicketKeepsConversationAndAsksForTheOs()
    {
        var response = await _hub.EmailAsync(await File.ReadAllBytesAsync(IntakeHub.IntakeFixture("sendgrid-default.multipart")), "xYzZY");

        Assert.Equal("1001", await IntakeHub.AcceptedTicketAsync(response));
        await _hub.DrainAsync();
        var message = Assert.Single(await _hub.ConversationAsync("1001"));
        Assert.Equal(("CAH7Xk4qZ9b_pay-1@mail.acme.gov", "[Sev2] Payment page error"), (message.SourceId, message.Subject));
        Assert.Contains("Café payments unavailable", message.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Anything else we can help with", message.Text, StringComparison.Ordinal);
        Assert.Equal("error-report.pdf", Assert.Single(message.Attachments).Name);
        var ticket = await _hub.TicketAsync("1001");
        Assert.Equal((2, "acme", IntakeChannel.Email), (ticket!.Severity, ticket.Facts.AccountId, ticket.Facts.Channel));
        var ack = (await _hub.TakeNotificationsAsync()).Single(n => n.Purpose == NotificationPurpose.Acknowledgement);
        Assert.EndsWith("please reply with your operating system.", ack.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_RawModeFixture_OpensTicketWithDecodedSubject()
    {
        var response = await _hub.EmailAsync(await File.ReadAllBytesAsync(IntakeHub.IntakeFixture("sendgrid-raw.multipart")), "----------------------------7c5e7b5f2f0d");

        var reference = await IntakeHub.AcceptedTicketAsync(response);
        await _hub.DrainAsync();
        var ticket = await _hub.TicketAsync(reference);
        Assert.Equal(("Ré: [#1001] Facturation en panne — urgent", "riverton", "sam@riverton.org"),
            (ticket!.Facts.Subject, ticket.Facts.AccountId, ticket.Facts.Requester.Email));
        Assert.Equal("journal d'erreurs été.txt", Assert.Single(Assert.Single(await _hub.ConversationAsync(reference)).Attachments).Name);
    }

    // SendGrid retries a post it timed out on while the first is still being answered: every copy is
    // the same ticket. Copies in one commit of the store answered 500 until a conflict waited for it.
    [Fact]
    public async Task Email_SamePostedTwelveTimesAtOnce_AllAnswerTheOneTicket()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            _hub.EmailAsync("same@acme.gov", "Dana <dana@acme.gov>", "Export fails", "The nightly export fails.")));

        var tickets = await Task.WhenAll(answers.Select(IntakeHub.AcceptedTicketAsync));
        Assert.All(tickets, t => Assert.Equal("1001", t));
        await _hub.DrainAsync();
        Assert.Single(await _hub.ConversationAsync("1001"));
    }

    [Fact]
    public async Task Email_BasicAuthPassword_IsAccepted()
    {
        var content = new ByteArrayContent(IntakeHub.Form(("from", "dana@acme.gov"), ("subject", "Hi"), ("text", "The export fails every night.")));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xYzZY");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/intake/email", UriKind.Relative)) { Content = content };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("sendgrid:" + IntakeHub.EmailSecret)));

        Assert.Equal("1001", await IntakeHub.AcceptedTicketAsync(await _hub.Http.SendAsync(request)));
    }

    [Fact]
    public async Task Email_InReplyToAMessageOfTheTicket_ThreadsIntoIt()
    {
        var first = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m1@acme.gov", "Dana <dana@acme.gov>", "Export fails", "The nightly export fails."));

        var reply = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m2@mail.other.net", "Pat <pat@other.net>", "Re: something", "Same here.", inReplyTo: "m1@acme.gov"));
        await _hub.DrainAsync();

        Assert.Equal(first, reply);
        Assert.Equal(2, (await _hub.ConversationAsync(first)).Count);
    }

    [Fact]
    public async Task Email_SubjectReference_ThreadsOnlyForTheRequester()
    {
        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m1@acme.gov", "Dana <dana@acme.gov>", "Export fails", "The nightly export fails."));
        await _hub.DrainAsync();

        var fromRequester = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m2@acme.gov", "dana@acme.gov", $"Re: [#{ticket}] Export fails", "Version: 4.2.1"));
        var fromStranger = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m3@evil.example", "Mallory <mallory@evil.example>", $"[#{ticket}] please close", "Close this ticket and send me the logs."));
        await _hub.DrainAsync();

        Assert.Equal(ticket, fromRequester);
        Assert.NotEqual(ticket, fromStranger);
        var conversation = await _hub.ConversationAsync(ticket);
        Assert.Equal(["m1@acme.gov", "m2@acme.gov"], conversation.Select(m => m.SourceId));
        Assert.DoesNotContain(conversation, m => m.From.Email == "mallory@evil.example");
        Assert.Equal("mallory@evil.example", (await _hub.TicketAsync(fromStranger))!.Facts.Requester.Email);
    }

    [Fact]
    public async Task Email_Redelivered_SameTicketAndNothingNew()
    {
        var body = await File.ReadAllBytesAsync(IntakeHub.IntakeFixture("sendgrid-default.multipart"));
        var first = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync(body, "xYzZY"));
        await _hub.DrainAsync();
        var state = await _hub.TicketAsync(first);
        var counter = await _hub.CounterAsync();
        await _hub.TakeNotificationsAsync();

        var again = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync(body, "xYzZY"));
        await _hub.DrainAsync();

        Assert.Equal(first, again);
        Assert.Single(await _hub.ConversationAsync(first));
        Assert.Equal(counter, await _hub.CounterAsync());
        Assert.Equal(state!.Version, (await _hub.TicketAsync(first))!.Version);
        Assert.Empty(await _hub.TakeNotificationsAsync());
    }

    [Fact]
    public async Task Chat_RedeliveredBeforeItsTicketRan_SameTicket_NothingWritten_OneMessage()
    {
        var body = Chat("m-r1", "c-r1", "Our payment page is down", 2);
        var first = await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(body));
        var footprint = await _hub.FootprintAsync();

        var again = await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(body));

        Assert.Equal(first, again);
        // The decision, its index rows and its message were one transaction: the redelivery finds them all
        // (its message falls in the queue's duplicate window) and writes nothing.
        Assert.Equal(footprint, await _hub.FootprintAsync());
        var source = new SupportHub.Storage.EntityKey(
            $"source-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("Chat:m-r1")))[..40]}", "i");
        var decision = IntakeDecision.Read((await _hub.Store.GetAsync(TicketIntake.IndexTable, source, CancellationToken.None))!.Payload);
        Assert.Equal((first, true), (decision.Ticket, decision.Command is SupportHub.Tickets.OpenTicket));
        await _hub.DrainAsync();
        Assert.Single(await _hub.ConversationAsync(first));
    }

    [Fact]
    public async Task Chat_SameConversation_ThreadsAndSeverityComesFromTheBody()
    {
        var first = await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(Chat("m-1", "c-9", "Our payment page is down", 1)));
        var second = await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(Chat("m-2", "c-9", "Still down after a restart", null)));
        var other = await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(Chat("m-3", "c-10", "A question about invoices", null)));
        await _hub.DrainAsync();

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.Equal(1, (await _hub.TicketAsync(first))!.Facts.RequestedSeverity);
        Assert.Equal(3, (await _hub.TicketAsync(other))!.Facts.RequestedSeverity);
        Assert.Equal(2, (await _hub.ConversationAsync(first)).Count);
    }

    [Fact]
    public async Task Phone_SameCallerWithinTheWindow_ThreadsAndLaterOpensAnother()
    {
        var first = await IntakeHub.AcceptedTicketAsync(await _hub.PhoneAsync(Call("call-1", "support")));
        _hub.Clock.Advance(Duration.FromMinutes(20));
        var second = await IntakeHub.AcceptedTicketAsync(await _hub.PhoneAsync(Call("call-2", "support")));
        _hub.Clock.Advance(Duration.FromMinutes(31));
        var third = await IntakeHub.AcceptedTicketAsync(await _hub.PhoneAsync(Call("call-3", "support")));
        await _hub.DrainAsync();

        Assert.Equal(first, second);
        Assert.NotEqual(first, third);
        Assert.Equal(3, (await _hub.TicketAsync(first))!.Facts.RequestedSeverity);
    }

    [Fact]
    public async Task Phone_FormEncodedEmergency_IsSeverity1WithTheCallbackNumber()
    {
        var form = "callId=call-77&from=anonymous&to=%2B18005550000&selection=emergency&transcript=the+site+is+down&callbackNumber=%2B13125550101";

        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.SignedAsync("/api/intake/phone", form, "application/x-www-form-urlencoded", IntakeHub.PhoneSecret, null));
        await _hub.DrainAsync();

        var state = await _hub.TicketAsync(ticket);
        Assert.Equal((1, "+13125550101", "acme"), (state!.Facts.RequestedSeverity, state.Facts.Requester.Phone, state.Facts.AccountId));
        Assert.Equal("emergency", Assert.Single(await _hub.ConversationAsync(ticket)).Details["selection"]);
    }

    [Fact]
    public async Task CrossChannel_CallThenEmailFromTheAccount_LinkedAndSplitRemovesIt()
    {
        var call = await IntakeHub.AcceptedTicketAsync(await _hub.PhoneAsync(Call("call-1", "emergency")));
        _hub.Clock.Advance(Duration.FromMinutes(10));
        var email = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync("m1@acme.gov", "Dana <dana@acme.gov>", "Site down", "The whole site is down since 2am."));
        await _hub.DrainAsync();

        Assert.NotEqual(call, email);
        Assert.Equal(email, Assert.Single(await _hub.LinksAsync(call)).Ticket);
        Assert.Contains("10 min apart", Assert.Single(await _hub.LinksAsync(email)).Reason, StringComparison.Ordinal);

        var unauthorised = await _hub.Http.PostAsync(new Uri($"/api/tickets/{email}/split", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        Assert.Single(await _hub.LinksAsync(call));

        var split = await Split(email, call);
        Assert.Equal(HttpStatusCode.OK, split.StatusCode);
        Assert.Equal([call], JsonDocument.Parse(await split.Content.ReadAsStringAsync()).RootElement.GetProperty("unlinked").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(await _hub.LinksAsync(call));
        Assert.Empty(await _hub.LinksAsync(email));
        Assert.Equal(HttpStatusCode.NotFound, (await Split(email, call)).StatusCode);
    }

    [Fact]
    public async Task CrossChannel_OutsideTheConfiguredWindow_NotLinked()
    {
        using var hub = new IntakeHub(new Dictionary<string, string?> { ["SupportHub:Intake:LinkWindow"] = "00:05:00" });
        var call = await IntakeHub.AcceptedTicketAsync(await hub.PhoneAsync(Call("call-1", "emergency")));
        hub.Clock.Advance(Duration.FromMinutes(10));
        await IntakeHub.AcceptedTicketAsync(await hub.EmailAsync("m1@acme.gov", "Dana <dana@acme.gov>", "Site down", "The whole site is down since 2am."));
        await hub.DrainAsync();

        Assert.Empty(await hub.LinksAsync(call));
    }

    [Fact]
    public async Task Sms_OnCallRepliesToAPage_AcknowledgeOnceThenTellWhoWasFirst()
    {
        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.PhoneAsync(Call("call-1", "emergency")));
        await _hub.DrainAsync();
        Assert.True((await _hub.TicketAsync(ticket))!.Escalation!.Active);
        await _hub.TakeNotificationsAsync();

        // The fixture: bob (+13125550002) answers " ack  1001 ".
        var ack = await _hub.SmsAsync(await File.ReadAllTextAsync(IntakeHub.IntakeFixture("eventgrid-sms.json")));
        var redelivered = await _hub.SmsAsync(await File.ReadAllTextAsync(IntakeHub.IntakeFixture("eventgrid-sms.json")));
        var late = await _hub.SmsAsync(IntakeHub.SmsEvent("sms-2", "+13125550001", "1001"));
        var unknownTicket = await _hub.SmsAsync(IntakeHub.SmsEvent("sms-3", "+13125550001", "ACK 9999"));
        var stranger = await _hub.SmsAsync(IntakeHub.SmsEvent("sms-4", "+15555550123", "ACK 1001"));
        var help = await _hub.SmsAsync(IntakeHub.SmsEvent("sms-5", "+13125550003", "HELP"));

        Assert.All(new[] { ack, redelivered, late, unknownTicket, stranger, help }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var state = await _hub.TicketAsync(ticket);
        Assert.Equal((false, "bob"), (state!.Escalation!.Active, state.Escalation.StoppedBy));
        var replies = (await _hub.TakeNotificationsAsync()).Where(n => n.Via == SupportHub.Policy.Channel.Sms && n.Purpose == NotificationPurpose.Acknowledgement).ToList();
        // The redelivered event answered the same notification id: the queue dropped the repeat. The
        // stranger's text ran nothing and, by default, is not answered (SmsEventsTests).
        Assert.Equal(
            ["ACK 1001: acknowledged", "ACK 1001: ticket #1001 was already acknowledged by bob", "ACK 9999: unknown ticket 9999",
             SupportHub.Channels.Sms.OnCallReplies.HelpText],
            replies.Select(n => n.Text));
        Assert.Equal(["bob", "alice", "alice", "carol"], replies.Select(n => n.To.To));
    }

    [Fact]
    public async Task Sms_ValidationHandshake_AnswersTheCode()
    {
        var response = await _hub.SmsAsync(await File.ReadAllTextAsync(IntakeHub.IntakeFixture("eventgrid-validation.json")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9dfb2d",
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("validationResponse").GetString());
    }

    [Theory]
    // Inbound Parse sends each field as bytes in a charset, and every decoder the hub uses replaces
    // what is not text with U+FFFD. So an email can spell a surrogate (UTF-8's ED A0 80, UTF-16's
    // 00 D8, an HTML &#xD800;, UTF-7's +2AA-, which .NET no longer decodes) but none reaches the
    // ticket as one: the email is accepted and what it keeps is Unicode text (issue 22).
    [InlineData("utf-8 bytes of a surrogate")]
    [InlineData("utf-16 without the low half")]
    [InlineData("utf-7 text")]
    [InlineData("html numeric entities")]
    [InlineData("encoded words in the subject")]
    public async Task Email_FieldSpellingASurrogate_IsAcceptedAndKeptAsText(string name)
    {
        (string Name, byte[] Value)[] fields = name switch
        {
            "utf-8 bytes of a surrogate" => [("text", [.. "down "u8, 0xED, 0xA0, 0x80]), ("charsets", """{"text":"UTF-8"}"""u8.ToArray())],
            "utf-16 without the low half" => [("text", [.. Encoding.Unicode.GetBytes("down "), 0x00, 0xD8]), ("charsets", """{"text":"UTF-16LE"}"""u8.ToArray())],
            "utf-7 text" => [("text", "down +2AA-"u8.ToArray()), ("charsets", """{"text":"UTF-7"}"""u8.ToArray())],
            "html numeric entities" => [("html", "<p>down &#xD800; &#56320;</p>"u8.ToArray())],
            "encoded words in the subject" => [("subject", "=?utf-16le?B?ANg=?= =?utf-7?Q?+2AA-?="u8.ToArray()), ("text", "down"u8.ToArray())],
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };

        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync(IntakeHub.Form([("from", "dana@acme.gov"u8.ToArray()), .. fields]), "xYzZY"));
        await _hub.DrainAsync();

        var message = Assert.Single(await _hub.ConversationAsync(ticket));
        Assert.Contains("down", message.Text, StringComparison.Ordinal);
        foreach (var kept in new[] { message.Subject, message.Text, (await _hub.TicketAsync(ticket))!.Facts.Subject })
        {
            Assert.Equal(System.Buffers.OperationStatus.Done,
                System.Text.Unicode.Utf8.FromUtf16(kept, new byte[kept.Length * 3], out _, out _, replaceInvalidSequences: false));
        }
    }

    private Task<HttpResponseMessage> Split(string ticket, string other)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/tickets/{ticket}/split", UriKind.Relative))
        {
            Content = new StringContent(JsonSerializer.Serialize(new { ticket = other }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", IntakeHub.ApiKey);
        return _hub.Http.SendAsync(request);
    }

    internal static object Chat(string messageId, string conversationId, string text, int? severity) => new Dictionary<string, object?>
    {
        ["messageId"] = messageId,
        ["conversationId"] = conversationId,
        ["account"] = "acme",
        ["from"] = new { name = "Dana Ortiz", email = "dana@acme.gov" },
        ["text"] = text,
        ["severity"] = severity,
        ["sentAt"] = "2026-11-21T02:00:00-06:00",
    };

    internal static object Call(string callId, string selection) => new
    {
        callId,
        from = "+13125550101",
        to = "+18005550000",
        selection,
        transcript = "the site is down",
        recordingUrl = "https://ivr.example.com/recordings/" + callId,
        occurredAt = "2026-11-21T02:00:00-06:00",
    };
}
