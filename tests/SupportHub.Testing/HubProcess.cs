using System.Text.Json;

namespace SupportHub.Testing;

/// <summary>
/// The built hub as a developer runs it, <c>dotnet SupportHub.Functions.dll</c>, as a real child process:
/// on a free loopback port, in production mode, with a data folder the test owns, a policy file, known
/// secrets (unless the test wants the hub to generate them) and whatever other settings the test adds.
/// It is driven over real HTTP, and can be killed and started again on the same folder and port.
/// </summary>
/// <remarks>
/// The hub's dll is found beside the running tests (<see cref="AppContext.BaseDirectory"/>): a test
/// project that uses this references SupportHub.Functions, which copies it there with its
/// runtimeconfig. This project does not reference it, so nothing here depends on the hub's code.
/// </remarks>
public sealed class HubProcess : IDisposable
{
    public const string ApiKey = "hub-test-key-0123456789abcdef";
    public const string EmailSecret = "hub-email-secret-0123456789";
    public const string ChatSecret = "hub-chat-secret-0123456789";
    public const string PhoneSecret = "hub-phone-secret-0123456789";
    public const string SmsSecret = "hub-sms-secret-0123456789";

    private readonly Dictionary<string, string?> _environment;
    private DotnetProcess? _process;
    private HttpClient? _http;
    private HttpClient? _agent;

    /// <param name="settings">Environment variables added to what this class sets (<c>SupportHub__Queues__PollInterval</c>,
    /// a log level…) or replacing it (<c>SupportHub__ApiKey</c>…).</param>
    /// <param name="knownSecrets">Whether the hub is given <see cref="ApiKey"/> and the four intake
    /// secrets; without them it generates its own, writes them to the data folder and prints them.</param>
    public HubProcess(string dataPath, string policy, IReadOnlyDictionary<string, string?>? settings = null, bool knownSecrets = true)
    {
        DataPath = dataPath;
        Url = $"http://127.0.0.1:{Loopback.FreePort()}";
        _environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = Url,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SupportHub__DataPath"] = dataPath,
            ["SupportHub__Policy"] = policy,
        };
        if (knownSecrets)
        {
            _environment["SupportHub__ApiKey"] = ApiKey;
            _environment["SupportHub__Secrets__Email"] = EmailSecret;
            _environment["SupportHub__Secrets__Chat"] = ChatSecret;
            _environment["SupportHub__Secrets__Phone"] = PhoneSecret;
            _environment["SupportHub__Secrets__Sms"] = SmsSecret;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            _environment[name] = value;
        }
    }

    /// <summary>The program to run: another dll beside the tests that composes the hub (a probe) can stand in.</summary>
    public string Program { get; init; } = "SupportHub.Functions.dll";

    /// <summary>The process's working directory (its content root); the data folder unless set.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How long a start, a kill, an exit or a condition awaited with <see cref="UntilAsync"/> may take.</summary>
    public TimeSpan Patience { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The timeout of <see cref="Http"/> and <see cref="Agent"/>; HttpClient's own unless set.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public string DataPath { get; }

    /// <summary><c>http://127.0.0.1:port</c>, the same across restarts.</summary>
    public string Url { get; }

    /// <summary>The process of the latest start.</summary>
    public DotnetProcess Process => _process ?? throw new InvalidOperationException("The hub has not been started.");

    /// <summary>What the latest start printed so far; empty before a start.</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>A client with no credentials, as a webhook sender or a browser calls the hub.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The hub has not been started.");

    /// <summary>A client that sends the API key in <c>x-functions-key</c>, as an agent's tools call the hub
    /// (no key when the hub generates its own).</summary>
    public HttpClient Agent => _agent ?? throw new InvalidOperationException("The hub has not been started.");

    /// <summary>Starts the hub (again, once a previous start has ended) without waiting for it to answer:
    /// for a start that must fail, awaited with <see cref="WaitForExitAsync"/>.</summary>
    public DotnetProcess Start()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"The hub (process {_process.Id}) is still running.");
        }

        DisposeProcess();
        _process = DotnetProcess.Start(Path.Combine(AppContext.BaseDirectory, Program), [], _environment, WorkingDirectory ?? DataPath);
        // New clients for each start: a pooled connection to the previous process is dead.
        _http = new HttpClient { BaseAddress = new Uri(Url), Timeout = HttpTimeout };
        _agent = new HttpClient { BaseAddress = new Uri(Url), Timeout = HttpTimeout };
        if (_environment.GetValueOrDefault("SupportHub__ApiKey") is { } key)
        {
            _agent.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return _process;
    }

    /// <summary>Starts the hub and waits until it listens (the host prints "Application started").</summary>
    public async Task StartAsync()
    {
        var process = Start();
        await process.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience);
    }

    /// <summary>SIGKILL, as in a crash: nothing in the hub runs on the way down.</summary>
    public Task KillAsync() => Process.KillAsync(Patience);

    /// <summary>Waits for the hub to end by itself; returns its exit code.</summary>
    public Task<int> WaitForExitAsync() => Process.WaitForExitAsync(Patience);

    /// <summary>POSTs <paramref name="body"/> as JSON, signed as a chat or phone provider signs it, now.</summary>
    public Task<HttpResponseMessage> SignedAsync(string path, object body, string secret) =>
        Http.SendAsync(SignedWebhook.Post(path, JsonSerializer.SerializeToUtf8Bytes(body), "application/json", secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>The chat webhook (<c>/api/intake/chat</c>).</summary>
    public Task<HttpResponseMessage> ChatAsync(object body, string secret = ChatSecret) => SignedAsync("/api/intake/chat", body, secret);

    /// <summary>A chat from Dana Ortiz of Acme on a conversation of its own, so each opens a ticket.</summary>
    public Task<HttpResponseMessage> ChatAsync(string messageId, string text, int? severity = null) => ChatAsync(Chat(messageId, text, severity));

    /// <summary>The phone (IVR) webhook (<c>/api/intake/phone</c>).</summary>
    public Task<HttpResponseMessage> PhoneAsync(object body, string secret = PhoneSecret) => SignedAsync("/api/intake/phone", body, secret);

    /// <summary>The body of <see cref="ChatAsync(string, string, int?)"/>: without a severity when none is given.</summary>
    public static object Chat(string messageId, string text, int? severity = null)
    {
        var body = new Dictionary<string, object>
        {
            ["messageId"] = messageId,
            ["conversationId"] = $"conversation-{messageId}",
            ["account"] = "acme",
            ["from"] = new { name = "Dana Ortiz", email = "dana@acme.gov" },
            ["text"] = text,
        };
        if (severity is { } given)
        {
            body["severity"] = given;
        }

        return body;
    }

    /// <summary>Every notification in the dev outbox (<c>/dev/outbox.json</c>).</summary>
    public async Task<IReadOnlyList<JsonElement>> OutboxAsync()
    {
        var outbox = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/dev/outbox.json", UriKind.Relative))).RootElement;
        return [.. outbox.GetProperty("notifications").EnumerateArray()];
    }

    /// <summary>The pages in the dev outbox.</summary>
    public async Task<IReadOnlyList<JsonElement>> PagesAsync() =>
        [.. (await OutboxAsync()).Where(n => n.GetProperty("purpose").GetString() == "page")];

    /// <summary>Polls the dev outbox until it has a page about <paramref name="ticket"/> sent by <paramref name="via"/>; answers it.</summary>
    public Task<JsonElement> WaitForPageAsync(string ticket, string via) => UntilAsync(
        async () => (await PagesAsync()).FirstOrDefault(n => n.GetProperty("ticket").GetString() == ticket && n.GetProperty("via").GetString() == via),
        page => page.ValueKind != JsonValueKind.Undefined,
        _ => $"no page about ticket {ticket} by {via} in the dev outbox in time");

    /// <summary>Polls <c>/healthz</c> until its status is <paramref name="status"/>; answers its body.</summary>
    public Task<JsonElement> WaitForHealthAsync(string status) => UntilAsync(
        // Unhealthy answers 503 with the same body: read it whatever the status.
        async () =>
        {
            using var response = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        },
        body => body.GetProperty("status").GetString() == status,
        body => $"/healthz never said {status}: {body}");

    /// <summary>Polls the agent API until the ticket exists.</summary>
    public Task WaitForTicketAsync(string ticket) => UntilAsync(
        () => Agent.GetAsync(new Uri($"/api/tickets/{ticket}", UriKind.Relative)),
        response => response.StatusCode == System.Net.HttpStatusCode.OK,
        response => $"ticket {ticket} answered {(int)response.StatusCode}");

    /// <summary>Reads until <paramref name="done"/> holds, every <paramref name="every"/> (100 ms unless
    /// given) for <see cref="Patience"/>; then fails with what <paramref name="failure"/> says of the last reading.</summary>
    public async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> failure, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(failure(value));
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }

    public void Dispose() => DisposeProcess();

    private void DisposeProcess()
    {
        _http?.Dispose();
        _agent?.Dispose();
        _process?.Dispose();
    }
}
