using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.CustomHandler;
using SupportHub.Functions.Board;
using SupportHub.Embedded;
using SupportHub.Functions.Metrics;
using SupportHub.Functions.Notifications;
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
        // The hub's defaults, below every other source (environment variables and arguments override them).
        // In code rather than appsettings.json: `dotnet run --project src/SupportHub.Functions` runs in the
        // folder it was started from, which has no appsettings.json.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });

        var services = builder.Services;
        services.AddOptions<SupportHubOptions>().BindConfiguration(SupportHubOptions.Section).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<SupportHubOptions>, SupportHubOptionsSetup>();
        services.AddSingleton<IValidateOptions<SupportHubOptions>, SupportHubOptionsValidator>();
        services.AddSingleton<IConfigureOptions<SupportHubOptions>, PolicyJsonSetup>();

        // A background service that fails (the queue pump when its database fails) stops the hub,
        // which then exits non-zero (SupportHubRun): never a hub that answers intake with no pump.
        services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);

        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddSingleton(sp => HubSecrets.Resolve(sp.GetRequiredService<IOptions<SupportHubOptions>>().Value));
        services.AddSingleton(sp => PolicyFile.Read(sp.GetRequiredService<IOptions<SupportHubOptions>>().Value.Policy!));
        services.AddSingleton<SupportPolicy>(sp => sp.GetRequiredService<PolicyLoadResult>().Policy!);

        // One runtime, chosen once from the settings (HubRuntime): its store, queues, notification
        // channels and health checks, registered whole. The other runtime registers nothing.
        var azure = AzureSettings.From(builder.Configuration);
        var runtime = azure.Runtime;
        services.Add(ServiceDescriptor.Singleton(typeof(HubRuntime), runtime));

        // Before the pump: the policy and secrets are loaded (and reported) before any message is handled.
        services.AddHostedService<StartupReport>();
        if (runtime == HubRuntime.Azure)
        {
            services.AddAzureRuntime(azure);
        }
        else
        {
            // The SQLite store and queues with their health checks, the pump, the data folder's lock.
            services.AddEmbeddedRuntime(sp => sp.GetRequiredService<IOptions<SupportHubOptions>>().Value.DataPath);
            services.AddDevOutbox();
        }

        services.AddTicketWorkflows();
        services.AddIntake();
        services.AddSupportMetrics();
        services.AddBoard();
        services.AddSupportHubTelemetry(builder.Configuration);

        // Custom handler (issue 6): the Functions host's invocations and the Housekeeping timer.
        services.AddCustomHandler();
        return builder;
    }

    public static WebApplication MapSupportHub(this WebApplication app)
    {
        app.UseStoreUnavailableAnswer();
        app.MapHealthEndpoint();
        app.MapTicketWorkflows();
        if (app.Services.GetRequiredService<HubRuntime>() == HubRuntime.Embedded)
        {
            app.MapDevOutbox(embedded: !UnderFunctionsHost(app.Configuration));
        }

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
