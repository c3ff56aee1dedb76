using System.Net;
using System.Net.Sockets;
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
    private const string ApiKey = "process-test-key-0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task OpenEmergency_PageAcknowledgedThroughItsLink_TicketShowsEscalationStoppedByThatPerson()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        using var hub = DotnetProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "SupportHub.Functions.dll"),
            [],
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = url,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["SupportHub__DataPath"] = _data.Path,
                ["SupportHub__Policy"] = HubFactory.Fixture("policy.json"),
                ["SupportHub__ApiKey"] = ApiKey,
                ["SupportHub__Queues__PollInterval"] = "00:00:00.050",
            },
            workingDirectory: _data.Path);
        await hub.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience);
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        await SendOpenTicketAsync("1001");
        var page = await WaitForPageAsync(http, "1001");
        var link = page.GetProperty("links")[0].GetProperty("url").GetString()!;
        Assert.StartsWith(url + "/api/links/", link, StringComparison.Ordinal);
        var outboxHtml = await http.GetStringAsync(new Uri("/dev/outbox", UriKind.Relative));
        Assert.Contains($"<a href=\"{link}\">", outboxHtml, StringComparison.Ordinal);

        var confirm = await http.GetAsync(new Uri(link));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("<button type=\"submit\">Acknowledge the page</button>", await confirm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var done = await http.PostAsync(new Uri(link), null);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tickets/1001");
        request.Headers.Add("x-functions-key", ApiKey);
        var ticket = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement;
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

    private static async Task<JsonElement> WaitForPageAsync(HttpClient http, string ticket)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var outbox = JsonDocument.Parse(await http.GetStringAsync(new Uri("/dev/outbox.json", UriKind.Relative))).RootElement;
            foreach (var n in outbox.GetProperty("notifications").EnumerateArray())
            {
                if (n.GetProperty("ticket").GetString() == ticket && n.GetProperty("purpose").GetString() == "page"
                    && n.GetProperty("via").GetString() == "sms")
                {
                    return n;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "no page in the dev outbox in time");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
