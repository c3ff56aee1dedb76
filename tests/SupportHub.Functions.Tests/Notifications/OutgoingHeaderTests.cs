using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using SupportHub.Functions.Tests.Intake;

namespace SupportHub.Functions.Tests.Notifications;

// Issue 23: a ticket's subject and a requester's name are what customers wrote, and they go into the
// Subject and To headers of what the hub sends. Over HTTP: a chat or an email whose subject or name
// carries "\r\nBcc: x@evil.example" opens its ticket as written, and every notification the dev outbox
// shows (what a sender puts in headers) has that subject and name on one line.

public sealed class OutgoingHeaderTests : IDisposable
{
    private const string Injection = "\r\nBcc: x@evil.example";

    private readonly IntakeHub _hub = new(configure: services => services.AddSingleton<IStartupFilter>(new FromLoopback()));

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Chat_NameAndFirstLineWithLineBreaks_NotificationsCarryThemOnOneLine()
    {
        var chat = new Dictionary<string, object?>
        {
            ["messageId"] = "m-1",
            ["conversationId"] = "c-1",
            ["from"] = new Dictionary<string, object?> { ["name"] = "Dana" + Injection, ["email"] = "dana@acme.gov" },
            // The first line becomes the subject; a bare CR does not end it.
            ["text"] = "Export fails\rBcc: x@evil.example\nThe nightly export fails.",
        };

        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.ChatAsync(chat));
        await _hub.DrainAsync();

        // The ticket keeps what was written; only what is sent is cleaned.
        var state = await _hub.TicketAsync(ticket);
        Assert.Equal(("Export fails\rBcc: x@evil.example", "Dana" + Injection), (state!.Facts.Subject, state.Facts.Requester.Name));
        var notifications = await OutboxAsync();
        var acknowledgement = notifications.Single(n => n.GetProperty("purpose").GetString() == "acknowledgement");
        Assert.Equal($"[#{ticket}] Export fails Bcc: x@evil.example", acknowledgement.GetProperty("subject").GetString());
        Assert.Equal("Dana Bcc: x@evil.example", acknowledgement.GetProperty("toName").GetString());
        AssertOneLine(notifications);
    }

    [Fact]
    public async Task Email_SubjectWithLineBreaks_NotificationsCarryItOnOneLine()
    {
        // SendGrid's default mode posts the decoded subject as a form field, which can carry a CR LF.
        // Today's email parser already puts it on one line before the ticket keeps it, so this case
        // holds the whole path to the outbox, not HeaderText alone (the chat case above does that).
        var form = IntakeHub.Form(("from", "Dana Ortiz <dana@acme.gov>"), ("to", "support@example.com"),
            ("subject", "Export fails" + Injection), ("text", "The nightly export fails."));

        var ticket = await IntakeHub.AcceptedTicketAsync(await _hub.EmailAsync(form, "xYzZY"));
        await _hub.DrainAsync();

        var notifications = await OutboxAsync();
        var acknowledgement = notifications.Single(n => n.GetProperty("purpose").GetString() == "acknowledgement");
        Assert.StartsWith($"[#{ticket}] Export fails", acknowledgement.GetProperty("subject").GetString(), StringComparison.Ordinal);
        AssertOneLine(notifications);
    }

    /// <summary>Every notification of <c>GET /dev/outbox.json</c>.</summary>
    private async Task<List<JsonElement>> OutboxAsync()
    {
        var response = await _hub.Http.GetAsync(new Uri("/dev/outbox.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notifications = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("notifications").EnumerateArray().ToList();
        Assert.NotEmpty(notifications);
        return notifications;
    }

    private static void AssertOneLine(IEnumerable<JsonElement> notifications) =>
        Assert.All(notifications, n =>
        {
            Assert.DoesNotMatch("[\r\n\u0000-\u001F\u007F-\u009F]", n.GetProperty("subject").GetString()!);
            Assert.DoesNotMatch("[\r\n\u0000-\u001F\u007F-\u009F]", n.GetProperty("toName").GetString()!);
        });

    /// <summary>The dev outbox answers loopback callers only; TestServer's requests have no address.</summary>
    private sealed class FromLoopback : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate following) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return following(context);
            });
            next(app);
        };
    }
}
