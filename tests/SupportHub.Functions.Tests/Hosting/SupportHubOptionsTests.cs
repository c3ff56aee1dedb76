using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportHub.Functions.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

public sealed class SupportHubOptionsTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Start_ValidSettings_HealthzReportsStoreAndQueueHealthy()
    {
        await using var hub = new HubFactory(_data.Path);

        var response = await hub.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("queue").GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(_data.Path, "supporthub.db")));
    }

    [Fact]
    public void Start_BadPolicy_FailsListingEveryProblem()
    {
        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?> { ["SupportHub:Policy"] = HubFactory.Fixture("bad-policy.json") });

        var policyProblems = failures.Where(f => f.StartsWith("SupportHub:Policy:", StringComparison.Ordinal)).ToList();
        Assert.True(policyProblems.Count >= 3, $"expected the three mistakes of bad-policy.json, got:\n{string.Join('\n', policyProblems)}");
        Assert.Contains(policyProblems, p => p.Contains("Mars/Olympus_Mons", StringComparison.Ordinal));
        Assert.Contains(policyProblems, p => p.Contains("no-such-calendar", StringComparison.Ordinal));
        Assert.Contains(policyProblems, p => p.Contains("gold", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_PolicyWithOnlyWarnings_RunsAndLogsEachWarningWithItsPath()
    {
        // Carol has no phone (the page steps text her) and severity 1 starts no chain: warnings,
        // which CONTRACT.md says the hub runs with and logs at start.
        using var folder = new TemporaryDirectory();
        var policy = Path.Combine(folder.Path, "warnings.json");
        await File.WriteAllTextAsync(policy, PolicyWithOnlyWarnings());
        var logs = new CapturedLogs();
        await using var hub = new HubFactory(_data.Path, new Dictionary<string, string?> { ["SupportHub:Policy"] = policy },
            services => services.AddSingleton<ILoggerProvider>(logs));

        var response = await hub.CreateClient().GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
        [
            $"SupportHub: policy {policy}: warning: escalation.chains.page.steps[0].notify[0]: rotation \"primary\" includes \"carol\", who has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded",
            $"SupportHub: policy {policy}: warning: escalation.chains.page.steps[1].notify[0]: rotation \"secondary\" includes \"carol\", who has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded",
            $"SupportHub: policy {policy}: warning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded",
            $"SupportHub: policy {policy}: warning: escalation.onCreate: severity 1 (\"Critical\") is an emergency but starts no chain, so nobody is paged for it; add \"1\": \"<chain>\"",
        ], logs.Messages(typeof(StartupReport).FullName!, LogLevel.Warning));
    }

    [Fact]
    public void Start_PolicyWithErrorsAndWarnings_FailsListingOnlyTheErrors()
    {
        using var folder = new TemporaryDirectory();
        var policy = Path.Combine(folder.Path, "both.json");
        var json = JsonNode.Parse(PolicyWithOnlyWarnings())!;
        json["defaultTier"] = "gold";
        File.WriteAllText(policy, json.ToJsonString());

        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?> { ["SupportHub:Policy"] = policy });

        // The error stops the hub; the warnings are not failures (policy check shows them).
        Assert.Equal([$"SupportHub:Policy: {policy}: defaultTier: unknown tier \"gold\" (known: standard, enterprise)"], failures);
    }

    [Fact]
    public void Start_PolicyJson_BecomesThePolicyFile()
    {
        var json = File.ReadAllText(HubFactory.Fixture("policy.json"));
        using var hub = new HubFactory(_data.Path, new Dictionary<string, string?> { ["SupportHub:Policy"] = string.Empty, ["SupportHub:PolicyJson"] = json });
        hub.CreateClient().Dispose();

        var policy = hub.Services.GetRequiredService<IOptions<SupportHubOptions>>().Value.Policy!;
        Assert.Equal(json, File.ReadAllText(policy));
        Assert.NotNull(hub.Services.GetRequiredService<SupportHub.Policy.SupportPolicy>());
    }

    [Fact]
    public void Start_PolicyAndPolicyJson_FailsAskingForOne()
    {
        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?> { ["SupportHub:PolicyJson"] = "{}" });

        Assert.Contains("SupportHub:Policy and SupportHub:PolicyJson are both set; set one.", failures);
    }

    [Fact]
    public void Start_PolicyFileMissing_FailsNamingThePath()
    {
        var missing = Path.Combine(_data.Path, "nowhere.json");
        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?> { ["SupportHub:Policy"] = missing });

        Assert.Equal([$"SupportHub:Policy: no file at '{missing}'."], failures);
    }

    [Fact]
    public void Start_ShortSecrets_FailsNamingEachSetting()
    {
        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?>
        {
            ["SupportHub:ApiKey"] = "short",
            ["SupportHub:Secrets:Chat"] = "also-short",
            ["SupportHub:LinkSigningKey"] = "sixteen-chars-xx",
        });

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("SupportHub:ApiKey ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Secrets:Chat ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:LinkSigningKey ", StringComparison.Ordinal));
    }

    [Fact]
    public void Start_DataPathIsAFile_Fails()
    {
        var file = _data.File("not-a-folder");
        File.WriteAllText(file, "");
        var failures = HubFactory.StartFailures(file);

        Assert.Equal([$"SupportHub:DataPath: '{file}' is a file, not a folder."], failures);
    }

    [Fact]
    public void Start_ZeroLease_Fails()
    {
        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?> { ["SupportHub:Queues:Lease"] = "00:00:00" });

        Assert.Contains(failures, f => f.Contains("Lease", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_NoSecretsConfigured_GeneratesThemOnceAndKeepsThemAcrossRestarts()
    {
        HubSecrets first;
        await using (var hub = new HubFactory(_data.Path))
        {
            first = hub.Services.GetRequiredService<HubSecrets>();
        }

        await using var restarted = new HubFactory(_data.Path);
        var second = restarted.Services.GetRequiredService<HubSecrets>();

        Assert.Equal(Values(first), Values(second));
        Assert.Equal(first.FromDataFolder, second.FromDataFolder);
        Assert.Equal(6, Values(first).Distinct().Count());
        Assert.All(new[] { first.ApiKey, first.LinkSigningKey }, s => Assert.True(s.Length >= 43));
        Assert.Equal(["ApiKey", "Secrets:Email", "Secrets:Chat", "Secrets:Phone", "Secrets:Sms", "LinkSigningKey"], first.FromDataFolder);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data.Path, HubSecrets.FileName)));
        }
    }

    [Fact]
    public async Task Start_SecretsConfigured_UsesThemAndGeneratesOnlyTheRest()
    {
        const string apiKey = "configured-api-key-0123456789";
        await using var hub = new HubFactory(_data.Path, new Dictionary<string, string?>
        {
            ["SupportHub:ApiKey"] = apiKey,
            ["SupportHub:Secrets:Email"] = "configured-email-secret",
        });

        var secrets = hub.Services.GetRequiredService<HubSecrets>();

        Assert.Equal((apiKey, "configured-email-secret"), (secrets.ApiKey, secrets.EmailSecret));
        Assert.Equal(["Secrets:Chat", "Secrets:Phone", "Secrets:Sms", "LinkSigningKey"], secrets.FromDataFolder);
        Assert.DoesNotContain(apiKey, await File.ReadAllTextAsync(Path.Combine(_data.Path, HubSecrets.FileName)));
    }

    /// <summary>The fixture policy with carol's phone and severity 1's chain taken out: warnings, no error.</summary>
    private static string PolicyWithOnlyWarnings()
    {
        var json = JsonNode.Parse(File.ReadAllText(HubFactory.Fixture("policy.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        Assert.True(json["people"]!["carol"]!.AsObject().Remove("phone"));
        Assert.True(json["escalation"]!["onCreate"]!.AsObject().Remove("1"));
        return json.ToJsonString();
    }

    /// <summary>Every log message the hub writes, by category and level.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> entries = new();

        public IReadOnlyList<string> Messages(string category, LogLevel level) =>
            [.. entries.Where(e => e.Category == category && e.Level == level).Select(e => e.Message)];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    private static string[] Values(HubSecrets secrets) =>
        [secrets.ApiKey, secrets.EmailSecret, secrets.ChatSecret, secrets.PhoneSecret, secrets.SmsSecret, secrets.LinkSigningKey];
}
