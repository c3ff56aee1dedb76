using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace SupportHub.Functions.Tests.Hosting;

/// <summary>The hub in-process (TestServer) on a test's own data folder, with the fixture policy
/// unless a setting says otherwise.</summary>
internal sealed class HubFactory(
    string dataPath,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>Starts a hub that must fail to start and returns every validation failure it reported.</summary>
    public static IReadOnlyList<string> StartFailures(string dataPath, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // Not disposed: WebApplicationFactory throws from Host.StopAsync when disposing a host that
        // never started, and such a host holds nothing to release.
        // WebApplicationFactory's deferred host races the failing entry point: now and then it asks
        // the already disposed service provider for the lifetime and reports ObjectDisposedException
        // instead of the start-up exception. That says nothing about the hub, so start again.
        Exception? failure = null;
        for (var attempt = 0; attempt < 5 && failure is null or ObjectDisposedException; attempt++)
        {
            var hub = new HubFactory(dataPath, settings);
            failure = Record.Exception(() => hub.CreateClient());
        }
        Assert.NotNull(failure);
        var failures = ValidationFailures(failure);
        Assert.True(failures.Count > 0, $"start-up failed, but not on validation: {failure}");
        return failures;
    }

    /// <summary>Every validation failure of a start that threw, however the host wrapped it.</summary>
    public static IReadOnlyList<string> ValidationFailures(Exception exception) => exception switch
    {
        OptionsValidationException invalid => invalid.Failures.ToList(),
        AggregateException all => all.InnerExceptions.SelectMany(ValidationFailures).ToList(),
        { InnerException: { } inner } => ValidationFailures(inner),
        _ => [],
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SupportHub:DataPath", dataPath);
        builder.UseSetting("SupportHub:Policy", Fixture("policy.json"));
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }
}
