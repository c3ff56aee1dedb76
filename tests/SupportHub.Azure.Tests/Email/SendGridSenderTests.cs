using System.Net;
using System.Text.Json.Nodes;
using Azure;
using SupportHub.Azure.Email;
using SupportHub.Notifications;
using SupportHub.Policy;

namespace SupportHub.Azure.Tests.Email;

// SendGrid v3 mail/send as its reference documents the exchange: Bearer key, JSON body, 202.
public sealed class SendGridSenderTests
{
    private readonly StubHandler _stub = new();

    [Fact]
    public async Task Send_Page_PostsMailWithCustomArgsAndMessageId()
    {
        _stub.Answer(HttpStatusCode.Accepted);
        var sender = new SendGridSender(new SendGridSettings("SG.test-key", "support@example.com", "Example Support"), Notifications.Ledger(), _stub.Options(Notifications.Now));

        await sender.SendAsync(Notifications.Page(Channel.Email, "T-42:7:page:email"), "Sev1 ticket T-42.\n\nAcknowledge the page: https://hub/api/links/abc", "<T-42.7.page.email@example.com>", CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal(("POST", "https://api.sendgrid.com/v3/mail/send"), (request.Method, request.Uri.AbsoluteUri));
        Assert.Equal("Bearer SG.test-key", request.Headers["Authorization"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""
                {"personalizations":[{"to":[{"email":"bob@example.com","name":"Bob Stone"}]}],
                 "from":{"email":"support@example.com","name":"Example Support"},
                 "subject":"[Sev1] T-42: payment page down",
                 "content":[{"type":"text/plain","value":"Sev1 ticket T-42.\n\nAcknowledge the page: https://hub/api/links/abc"}],
                 "custom_args":{"notification_id":"T-42:7:page:email","ticket":"T-42","purpose":"page"},
                 "headers":{"Message-ID":"<T-42.7.page.email@example.com>"}}
                """),
            JsonNode.Parse(request.Text)));
    }

    [Fact]
    public async Task Send_SubjectAndNamesWithLineBreaks_PutsEachOnOneLineAndKeepsTheBody()
    {
        // A ticket subject and a requester name as customers can write them (issue 23): SendGrid would
        // put them in the Subject and To headers, where a CR or LF starts a header of its own.
        _stub.Answer(HttpStatusCode.Accepted);
        var sender = new SendGridSender(new SendGridSettings("SG.k", "support@example.com", "Example\r\nSupport"), Notifications.Ledger(), _stub.Options(Notifications.Now));
        var page = Notifications.Page(Channel.Email, "T-42:8:acknowledgement:email") with
        {
            Subject = "[#1001] Export fails\r\nBcc: x@evil.example",
            To = new SupportHub.OnCall.Recipient("dana@acme.gov", "Dana\r\nBcc: x@evil.example\u0000", "dana@acme.gov", null, null),
        };

        await sender.SendAsync(page, "Line one.\r\nLine two.", "<T-42.8.acknowledgement.email@example.com>\r\nBcc: x@evil.example", CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        var body = JsonNode.Parse(request.Text)!;
        Assert.Equal("[#1001] Export fails Bcc: x@evil.example", body["subject"]!.GetValue<string>());
        Assert.Equal("Dana Bcc: x@evil.example", body["personalizations"]![0]!["to"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Example Support", body["from"]!["name"]!.GetValue<string>());
        Assert.Equal("<T-42.8.acknowledgement.email@example.com> Bcc: x@evil.example", body["headers"]!["Message-ID"]!.GetValue<string>());
        Assert.Equal("Line one.\r\nLine two.", body["content"]![0]!["value"]!.GetValue<string>());
        // Nothing but the body carries a line break, in the JSON or in the request's own headers.
        body.AsObject().Remove("content");
        var rest = body.ToJsonString();
        Assert.All(new[] { "\\r", "\\n", "\\u0000" }, escaped => Assert.DoesNotContain(escaped, rest, StringComparison.Ordinal));
        Assert.All(request.Headers.Values, v => Assert.DoesNotMatch("[\r\n]", v));
    }

    [Fact]
    public async Task Send_Redelivered_SendsOnce()
    {
        _stub.Answer(HttpStatusCode.Accepted);
        var sender = new SendGridSender(new SendGridSettings("SG.k", "support@example.com"), Notifications.Ledger(), _stub.Options(Notifications.Now));

        await sender.SendAsync(Notifications.Page(Channel.Email), "text", null, CancellationToken.None);
        await sender.SendAsync(Notifications.Page(Channel.Email), "text", null, CancellationToken.None);

        Assert.Single(_stub.Requests);
    }

    [Fact]
    public async Task Send_Refused_ThrowsAndLetsTheRetrySendAgain()
    {
        _stub.Answer(HttpStatusCode.TooManyRequests, """{"errors":[{"message":"too many requests"}]}""").Answer(HttpStatusCode.Accepted);
        var sender = new SendGridSender(new SendGridSettings("SG.k", "support@example.com", SandboxMode: true), Notifications.Ledger(), _stub.Options(Notifications.Now));

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => sender.SendAsync(Notifications.Page(Channel.Email), "text", null, CancellationToken.None));
        await sender.SendAsync(Notifications.Page(Channel.Email), "text", null, CancellationToken.None);

        Assert.Equal(429, failure.Status);
        Assert.Equal(2, _stub.Requests.Count);
        Assert.True(JsonNode.Parse(_stub.Requests[1].Text)!["mail_settings"]!["sandbox_mode"]!["enable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SendAsChannel_Email_SendsTheRenderedTextUnderTheHubsMessageId()
    {
        _stub.Answer(HttpStatusCode.Accepted);
        INotificationChannel channel = new SendGridSender(new SendGridSettings("SG.k", "support@example.com"), Notifications.Ledger(), _stub.Options(Notifications.Now));

        await channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Email, "T-42:7:page:email"), "rendered text", [], "<T-42.7.page.email@example.com>"), CancellationToken.None);

        var body = JsonNode.Parse(Assert.Single(_stub.Requests).Text)!;
        Assert.Equal("rendered text", body["content"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("<T-42.7.page.email@example.com>", body["headers"]!["Message-ID"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendAsChannel_AnotherKind_ThrowsAndSendsNothing()
    {
        INotificationChannel channel = new SendGridSender(new SendGridSettings("SG.k", "support@example.com"), Notifications.Ledger(), _stub.Options(Notifications.Now));

        await Assert.ThrowsAsync<ArgumentException>(() => channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Sms), "text", [], null), CancellationToken.None));

        Assert.Empty(_stub.Requests);
    }

    [Fact]
    public void Settings_ToString_NeverShowsTheKey()
    {
        Assert.DoesNotContain("SG.secret", new SendGridSettings("SG.secret", "a@b.c").ToString(), StringComparison.Ordinal);
    }
}
