using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using SupportHub.Channels;
using SupportHub.Embedded;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Board.Tests;

/// <summary>
/// The built hub (<see cref="HubProcess"/>) with a temporary data folder and the board test's policy,
/// on the real clock.
/// </summary>
internal sealed class BoardHub : IAsyncDisposable
{
    private readonly TemporaryDirectory _data = new();
    private readonly HubProcess _process;

    public BoardHub()
    {
        _process = new HubProcess(_data.Path, WritePolicy(), new Dictionary<string, string?> { ["SupportHub__Queues__PollInterval"] = "00:00:00.050" });
    }

    public string Url => _process.Url;

    public string Output => _process.Output;

    public Task StartAsync() => _process.StartAsync();

    /// <summary>A signed chat webhook (CONTRACT.md); answers the ticket reference.</summary>
    public Task<string> ChatAsync(string messageId, string account, string name, string email, string text, int severity) =>
        TicketOfAsync(_process.ChatAsync(new
        {
            messageId, conversationId = "c-" + messageId, account, from = new { name, email }, text, severity,
            sentAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        }));

    /// <summary>A signed phone (IVR) callback; answers the ticket reference.</summary>
    public Task<string> PhoneAsync(string callId, string from, string selection, int severity, string transcript) =>
        TicketOfAsync(_process.PhoneAsync(new
        {
            callId, from, to = "+18005550000", selection, severity, transcript, callbackNumber = from,
            occurredAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        }));

    /// <summary>
    /// A ticket received <paramref name="ago"/> whose opening command reaches the workflow only now, as
    /// ticket intake hands it over (an OpenTicket on workflow-events), written into the hub's own
    /// SQLite file. Intake stamps tickets with the hub's clock, and this test runs on the real one:
    /// this is how a ticket already past its response target gets onto the board without waiting.
    /// </summary>
    public async Task OpenReceivedEarlierAsync(string ticket, string account, string tier, int severity, Requester requester, string subject, Duration ago)
    {
        using var database = SqliteDatabase.InFolder(_data.Path);
        var queue = new SqliteMessageQueue(database, SystemClock.Instance, MessageQueueOptions.Default);
        var facts = new TicketFacts(ticket, account, tier, severity, IntakeChannel.Phone, requester, SystemClock.Instance.GetCurrentInstant() - ago, subject);
        await queue.SendAsync(QueueNames.WorkflowEvents,
            new OutgoingMessage($"open-{ticket}", WorkflowJson.Serialize<TicketCommand>(new OpenTicket($"src:phone:{ticket}", ticket, facts))),
            CancellationToken.None);
    }

    /// <summary>An agent route with the API key; the answer must be 200.</summary>
    public async Task<JsonElement> AgentAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await _process.Agent.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Polls <c>/board.json</c> until <paramref name="ready"/> holds.</summary>
    public Task<JsonElement> BoardWhenAsync(Func<JsonElement, bool> ready, string what) => _process.UntilAsync(
        () => AgentAsync(HttpMethod.Get, "/board.json"), ready, board => $"the board did not show {what} in time; it showed: {board}");

    public async ValueTask DisposeAsync()
    {
        _process.Dispose();
        await Task.CompletedTask;
        _data.Dispose();
    }

    // The answer to an intake webhook must be 202; it names the ticket.
    private static async Task<string> TicketOfAsync(Task<HttpResponseMessage> sent)
    {
        var response = await sent;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("ticket").GetString()!;
    }

    // Business hours one hour a week, on a day at least two days from today in Chicago: every Acme
    // ticket this test opens is after hours, whatever day and time it runs.
    private string WritePolicy()
    {
        var chicago = DateTimeZoneProviders.Tzdb["America/Chicago"];
        var today = SystemClock.Instance.GetCurrentInstant().InZone(chicago).DayOfWeek;
        var openDay = (IsoDayOfWeek)(((int)today + 2) % 7 + 1);
        var day = openDay.ToString()[..3].ToLowerInvariant();
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "board-policy.json")).Replace("OPEN-DAY", day, StringComparison.Ordinal);
        var path = Path.Combine(_data.Path, "policy.json");
        File.WriteAllText(path, text);
        return path;
    }
}
