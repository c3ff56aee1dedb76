using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.EndToEnd;

// The built hub as a developer runs it: `dotnet SupportHub.Functions.dll`, no Azure settings, on a
// free loopback port, driven over real HTTP.

public sealed class EmbeddedHubProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Start_NoAzureSettings_AnswersHealthzOverHttpAndPrintsGeneratedSecrets()
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        using var hub = Start(url, HubFactory.Fixture("policy.json"));

        await hub.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), StartTimeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(_data.Path, "supporthub.db")));

        // CONTRACT.md: the API key and intake secrets are generated and printed; the signing key is not.
        var secrets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_data.Path, "secrets.json"))).RootElement;
        Assert.Contains(secrets.GetProperty("ApiKey").GetString()!, hub.Output, StringComparison.Ordinal);
        Assert.Contains(secrets.GetProperty("Chat").GetString()!, hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secrets.GetProperty("LinkSigningKey").GetString()!, hub.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BadPolicy_ExitsWithCode1ListingEveryProblem()
    {
        using var hub = Start($"http://127.0.0.1:{FreePort()}", HubFactory.Fixture("bad-policy.json"));

        var exitCode = await hub.WaitForExitAsync(StartTimeout);

        Assert.Equal(1, exitCode);
        Assert.Contains("SupportHub cannot start", hub.Output, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus_Mons", hub.Output, StringComparison.Ordinal);
        Assert.Contains("no-such-calendar", hub.Output, StringComparison.Ordinal);
        Assert.Contains("gold", hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", hub.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", hub.Output); // no stack trace, from the host's log either
    }

    [Fact]
    public async Task Start_PolicyWithOnlyWarnings_RunsAndPrintsEachWarning()
    {
        // Carol has no phone: a warning. The hub starts, says so on its console, and answers.
        var policy = Path.Combine(_data.Path, "warnings.json");
        await File.WriteAllTextAsync(policy, (await File.ReadAllTextAsync(HubFactory.Fixture("policy.json")))
            .Replace("\"phone\": \"+13125550003\",", "", StringComparison.Ordinal));
        var url = $"http://127.0.0.1:{FreePort()}";
        using var hub = Start(url, policy);

        await hub.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), StartTimeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"SupportHub: policy {policy}: warning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no phone, needed for \"sms\"", hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot start", hub.Output, StringComparison.Ordinal);
    }

    private DotnetProcess Start(string url, string policy) => DotnetProcess.Start(
        Path.Combine(AppContext.BaseDirectory, "SupportHub.Functions.dll"),
        [],
        new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["SupportHub__DataPath"] = _data.Path,
            ["SupportHub__Policy"] = policy,
        },
        workingDirectory: _data.Path);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
