using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
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
/// The built hub (<c>dotnet SupportHub.Functions.dll</c>) on a free loopback port with a temporary
/// data folder, known secrets and the board test's policy, on the real clock.
/// </summary>
internal sealed class BoardHub : IAsyncDisposable
{
    public const string ApiKey = "board-test-key-0123456789abcdef";
    public const string ChatSecret = "board-chat-secret-0123456789";
    public const string PhoneSecret = "board-phone-secret-0123456789";
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _data = new();
    private DotnetProcess? _process;

    public string Url { get; } = $"http://127.0.0.1:{FreePort()}";

    public HttpClient Http { get; private set; } = null!;

    public string DataPath => _data.Path;

    public string Output => _process?.Output ?? "";

    public async Task StartAsync()
    {
        _process = DotnetProcess.Start(Path.Combine(AppContext.BaseDirectory, "SupportHub.Functions.dll"), [],
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = Url,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["SupportHub__DataPath"] = _data.Path,
                ["SupportHub__Policy"] = WritePolicy(),
                ["SupportHub__ApiKey"] = ApiKey,
                ["SupportHub__Secrets__Chat"] = ChatSecret,
                ["SupportHub__Secrets__Phone"] = PhoneSecret,
                ["SupportHub__Queues__PollInterval"] = "00:00:00.050",
            },
            workingDirectory: _data.Path);
        await _process.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience);
        Http = new HttpClient { BaseAddress = new Uri(Url) };
    }

    /// <summary>A signed chat webhook (CONTRACT.md); answers the ticket reference.</summary>
    public Task<string> ChatAsync(string messageId, string account, string name, string email, string text, int severity) =>
        IntakeAsync("/api/intake/chat", ChatSecret, new
        {
            messageId, conversationId = "c-" + messageId, account, from = new { name, email }, text, severity,
            sentAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        });

    /// <summary>A signed phone (IVR) callback; answers the ticket reference.</summary>
    public Task<string> PhoneAsync(string callId, string from, string selection, int severity, string transcript) =>
        IntakeAsync("/api/intake/phone", PhoneSecret, new
        {
            callId, from, to = "+18005550000", selection, severity, transcript, callbackNumber = from,
            occurredAt = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        });

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
        request.Headers.Add("x-functions-key", ApiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Polls <c>/board.json</c> until <paramref name="ready"/> holds.</summary>
    public async Task<JsonElement> BoardWhenAsync(Func<JsonElement, bool> ready, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var board = await AgentAsync(HttpMethod.Get, "/board.json");
            if (ready(board))
            {
                return board;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the board did not show {what} in time; it showed: {board}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        _process?.Dispose();
        await Task.CompletedTask;
        _data.Dispose();
    }

    private async Task<string> IntakeAsync(string path, string secret, object body)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        request.Headers.Add(WebhookAuth.TimestampHeader, timestamp);
        request.Headers.Add(WebhookAuth.SignatureHeader, WebhookAuth.Sign(secret, timestamp, bytes));
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{path}: {(int)response.StatusCode} {text}");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
