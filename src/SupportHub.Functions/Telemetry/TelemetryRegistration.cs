using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Extensibility;

namespace SupportHub.Functions.Telemetry;

// Application Insights runs only where it is configured: in Azure the Bicep sets
// APPLICATIONINSIGHTS_CONNECTION_STRING and the SDK collects requests and dependencies (HTTP,
// Service Bus, Storage) as it does by default, plus the decisions' custom events. Embedded, or in
// Azure without the setting, nothing is registered and nothing leaves the machine. Bodies are never
// collected (the SDK does not), and RedactedRequestUrls keeps secrets out of request URLs.

/// <summary>Registers Application Insights when its connection string is set, and the decision telemetry always.</summary>
public static class TelemetryRegistration
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static IServiceCollection AddSupportHubTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            services.AddApplicationInsightsTelemetry(options => options.ConnectionString = connectionString);
            services.AddSingleton<ITelemetryInitializer, RedactedRequestUrls>();
        }

        services.AddSingleton(sp => new DecisionTelemetry(sp.GetService<TelemetryClient>()));
        return services;
    }
}
