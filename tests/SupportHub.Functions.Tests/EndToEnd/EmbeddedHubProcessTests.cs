using System.Net;
using System.Text.Json;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.EndToEnd;

// The built hub as a developer runs it: `dotnet SupportHub.Functions.dll`, no Azure settings, on a
// free loopback port, driven over real HTTP.

public sealed class EmbeddedHubProcessTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Start_NoAzureSettings_AnswersHealthzOverHttpAndPrintsGeneratedSecrets()
    {
        using var hub = Hub(HubFactory.Fixture("policy.json"));

        await hub.StartAsync();
        var response = await hub.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

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
        using var hub = Hub(HubFactory.Fixture("bad-policy.json"));

        hub.Start();
        var exitCode = await hub.WaitForExitAsync();

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
        using var hub = Hub(policy);

        await hub.StartAsync();
        var response = await hub.Http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"SupportHub: policy {policy}: warning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no phone, needed for \"sms\"", hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot start", hub.Output, StringComparison.Ordinal);
    }

    // No API key or intake secret given: the hub generates them, as on a developer's first run.
    private HubProcess Hub(string policy) => new(_data.Path, policy, knownSecrets: false);
}
