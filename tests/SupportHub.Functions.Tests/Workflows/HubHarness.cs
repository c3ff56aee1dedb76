using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using NodaTime;
using SupportHub.Functions.Notifications;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Workflows;

/// <summary>
/// The whole hub in-process with the real SQLite store, queue and pump, on a fake clock that starts
/// Saturday 21 Nov 2026 02:00 Chicago (after hours; alice is primary on call). Requests appear to
/// come from <see cref="RemoteAddress"/> (loopback unless a test says otherwise).
/// </summary>
internal sealed class HubHarness : IAsyncDisposable
{
    public const string ApiKey = "agent-key-0123456789abcdef";
    public const string PublicBaseUrl = "http://hub.test";
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _data = new();
    private readonly HubFactory _factory;

    public HubHarness(Action<IServiceCollection>? services = null)
    {
        _factory = new HubFactory(
            _data.Path,
            new Dictionary<string, string?>
            {
                ["SupportHub:ApiKey"] = ApiKey,
                ["SupportHub:PublicBaseUrl"] = PublicBaseUrl,
                ["SupportHub:Queues:PollInterval"] = "00:00:00.020",
            },
            s =>
            {
                s.AddSingleton<IClock>(Clock);
                s.AddSingleton<IStartupFilter>(new RemoteAddressFilter(this));
                services?.Invoke(s);
            });
        Client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public FakeClock Clock { get; } = FakeClock.AtEpoch();

    public IPAddress RemoteAddress { get; set; } = IPAddress.Loopback;

    public HttpClient Client { get; }

    public string DataPath => _data.Path;

    public T Service<T>() where T : notnull => _factory.Services.GetRequiredService<T>();

    /// <summary>Dana (an Acme emergency contact) reports a ticket by phone now, through the workflow-events queue.</summary>
    public async Task OpenAsync(string ticket, int severity)
    {
        var facts = new TicketFacts(ticket, "acme", "standard", severity, IntakeChannel.Phone,
            new Requester("Dana Ortiz", "dana@acme.gov", "+13125550101"), Clock.GetCurrentInstant(), "Payment page is down");
        await Service<IMessageSender>().SendAsync(QueueNames.WorkflowEvents,
            new OutgoingMessage($"open-{ticket}", WorkflowJson.Serialize<TicketCommand>(new OpenTicket($"src:phone:{ticket}", ticket, facts))),
            CancellationToken.None);
    }

    /// <summary>Waits for the pump to put a matching notification in the dev outbox.</summary>
    public async Task<DevOutboxEntry> NotificationAsync(Func<DevOutboxEntry, bool> match)
    {
        var outbox = Service<DevOutbox>();
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if ((await outbox.ListAsync(CancellationToken.None)).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "the notification did not arrive in the dev outbox in time");
            await Task.Delay(20);
        }
    }

    /// <summary>The page to alice by SMS for <paramref name="ticket"/>, once the pump has handled it.</summary>
    public Task<DevOutboxEntry> PageAsync(string ticket, string via = "sms") =>
        NotificationAsync(n => n.Ticket == ticket && n.Purpose == "page" && n.To == "alice" && n.Via == via);

    /// <summary>The path of a link (its URL points at <see cref="PublicBaseUrl"/>).</summary>
    public static string PathOf(string url) => new Uri(url).PathAndQuery;

    public async Task<HttpResponseMessage> AgentAsync(HttpMethod method, string path, object? body = null, string? key = ApiKey, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await Client.SendAsync(request);
    }

    public async Task<JsonElement> TicketAsync(string ticket)
    {
        var response = await AgentAsync(HttpMethod.Get, $"/api/tickets/{ticket}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json(response);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        _data.Dispose();
    }

    private sealed class RemoteAddressFilter(HubHarness harness) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate following) =>
            {
                context.Connection.RemoteIpAddress = harness.RemoteAddress;
                return following(context);
            });
            next(app);
        };
    }
}
