using System.Net;
using System.Text.Json;
using NodaTime;
using SupportHub.Embedded;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.EndToEnd;

// A newcomer's walk-through, against the built hub as `dotnet SupportHub.Functions.dll` runs it, over
// real HTTP on loopback: an emergency ticket opens (an OpenTicket command put on workflow-events, as
// ticket intake will), the dev outbox shows the page to whoever is on call now, that person clicks
// the acknowledge link and confirms, and the agent API shows the escalation stopped by them. The
// process runs on the real clock, so the test asks who was paged instead of assuming it.

public sealed class PageAcknowledgeProcessTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task OpenEmergency_PageAcknowledgedThroughItsLink_TicketShowsEscalationStoppedByThatPerson()
    {
        using var hub = new HubProcess(_data.Path, HubFactory.Fixture("policy.json"),
            new Dictionary<string, string?> { ["SupportHub__Queues__PollInterval"] = "00:00:00.050" });
        await hub.StartAsync();

        await SendOpenTicketAsync("1001");
        var page = await hub.WaitForPageAsync("1001", via: "sms");
        var link = page.GetProperty("links")[0].GetProperty("url").GetString()!;
        Assert.StartsWith(hub.Url + "/api/links/", link, StringComparison.Ordinal);
        var outboxHtml = await hub.Http.GetStringAsync(new Uri("/dev/outbox", UriKind.Relative));
        Assert.Contains($"<a href=\"{link}\">", outboxHtml, StringComparison.Ordinal);

        var confirm = await hub.Http.GetAsync(new Uri(link));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("<button type=\"submit\">Acknowledge the page</button>", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var done = await hub.Http.PostAsync(new Uri(link), null);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        var ticket = JsonDocument.Parse(await hub.Agent.GetStringAsync(new Uri("/api/tickets/1001", UriKind.Relative))).RootElement;
        var escalation = ticket.GetProperty("escalation");
        Assert.False(escalation.GetProperty("active").GetBoolean());
        Assert.Equal(page.GetProperty("to").GetString(), escalation.GetProperty("stoppedBy").GetString());
        Assert.Contains(ticket.GetProperty("history").EnumerateArray(), l => l.GetProperty("type").GetString() == "escalation.stopped");
    }

    // What ticket intake does once it has opened a ticket: the OpenTicket command onto workflow-events,
    // written into the hub's own SQLite file from this process (the file is built for two processes).
    private async Task SendOpenTicketAsync(string ticket)
    {
        using var database = SqliteDatabase.InFolder(_data.Path);
        var queue = new SqliteMessageQueue(database, SystemClock.Instance, MessageQueueOptions.Default);
        var facts = new TicketFacts(ticket, "acme", "standard", 1, IntakeChannel.Phone,
            new Requester("Dana Ortiz", "dana@acme.gov", "+13125550101"), SystemClock.Instance.GetCurrentInstant(), "Payment page is down");
        await queue.SendAsync(QueueNames.WorkflowEvents,
            new OutgoingMessage($"open-{ticket}", WorkflowJson.Serialize<TicketCommand>(new OpenTicket($"src:phone:{ticket}", ticket, facts))),
            CancellationToken.None);
    }
}
