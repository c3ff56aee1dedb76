using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;
using SupportHub.Functions.Telemetry;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Telemetry;

// Whether the hub turns Application Insights on: only with a connection string. The endpoint given
// is a closed loopback port, so nothing could leave the machine even if the SDK tried.
public sealed class TelemetryRegistrationTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Hub_WithoutConnectionString_HasNoTelemetryClient()
    {
        using var hub = new HubFactory(_data.Path);
        _ = hub.Server;

        Assert.Null(hub.Services.GetService<TelemetryClient>());
        Assert.NotNull(hub.Services.GetService<DecisionTelemetry>());
    }

    [Fact]
    public void Hub_WithConnectionString_CollectsWithTheRedactingInitializer()
    {
        using var hub = new HubFactory(_data.Path, new Dictionary<string, string?>
        {
            [TelemetryRegistration.ConnectionStringSetting] =
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        });
        _ = hub.Server;

        Assert.NotNull(hub.Services.GetService<TelemetryClient>());
        var configuration = hub.Services.GetRequiredService<TelemetryConfiguration>();
        Assert.Contains(configuration.TelemetryInitializers, i => i is RedactedRequestUrls);
    }
}
