using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Board;
using SupportHub.Functions.Embedded;
using SupportHub.Functions.Metrics;
using SupportHub.Functions.Telemetry;
using SupportHub.Functions.Workflows;
using SupportHub.Functions.Intake;
using SupportHub.Policy;

namespace SupportHub.Functions.Hosting;

/// <summary>The composition root: what <c>Program.cs</c> calls.</summary>
public static class SupportHubHosting
{
    /// <summary>Where the hub listens when nothing else says (the Functions host's local port).</summary>
    public const string DefaultUrl = "http://localhost:7071";

    public static WebApplicationBuilder AddSupportHub(this WebApplicationBuilder builder)
    {
        ListenOnDefaultUrlUnlessConfigured(builder);

        var services = builder.Services;
        services.AddOptions<SupportHubOptions>().BindConfiguration(SupportHubOptions.Section).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<SupportHubOptions>, SupportHubOptionsSetup>();
        services.AddSingleton<IValidateOptions<SupportHubOptions>, SupportHubOptionsValidator>();

        // A background service that fails (the queue pump when its database fails) stops the hub,
        // which then exits non-zero (SupportHubRun): never a hub that answers intake with no pump.
        services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);

        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddSingleton(sp => HubSecrets.Resolve(sp.GetRequiredService<IOptions<SupportHubOptions>>().Value));
        services.AddSingleton<SupportPolicy>(sp => PolicyFile.Load(sp.GetRequiredService<IOptions<SupportHubOptions>>().Value.Policy!));

        // Before the pump: the policy and secrets are loaded (and reported) before any message is handled.
        services.AddHostedService<StartupReport>();
        services.AddEmbeddedRuntime();
        services.AddTicketWorkflows();
        services.AddIntake();
        services.AddSupportMetrics();
        services.AddBoard();
        services.AddSupportHubTelemetry(builder.Configuration);

        // Azure adapters (issue 6): each replaces its embedded form when its settings are present.
        builder.AddAzureAdapters();

        // Custom handler (issue 6): the Functions host's invocations and the Housekeeping timer.
        services.AddCustomHandler();

        services.AddHealthChecks()
            .AddCheck<EntityStoreHealthCheck>("store")
            .AddCheck<MessageQueueHealthCheck>("queue");
        return builder;
    }

    public static WebApplication MapSupportHub(this WebApplication app)
    {
        app.MapHealthEndpoint();
        app.MapTicketWorkflows(embedded: !UnderFunctionsHost(app.Configuration));
        app.MapIntake();

        // Custom handler (issue 6): POST /{FunctionName} exists only under the Functions host.
        if (UnderFunctionsHost(app.Configuration))
        {
            app.MapFunctionInvocations();
        }

        app.MapSupportMetrics();
        app.MapBoard();
        return app;
    }

    /// <summary>The Functions host starts a custom handler with this port; without it the hub runs embedded.</summary>
    public static bool UnderFunctionsHost(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[InvocationEndpoints.PortSetting]);

    // ASPNETCORE_URLS (or --urls, HTTP_PORTS, Kestrel:Endpoints) wins; under the Functions host the
    // handler must listen on FUNCTIONS_CUSTOMHANDLER_PORT; otherwise the hub answers where the
    // Functions host would locally.
    private static void ListenOnDefaultUrlUnlessConfigured(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is { Length: > 0 } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            return;
        }

        var configured = !string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
    }
}
