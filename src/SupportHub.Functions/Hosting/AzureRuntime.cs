using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using NodaTime;
using SupportHub.Azure;
using SupportHub.Azure.Email;
using SupportHub.Azure.Notifications;
using SupportHub.Azure.ServiceBus;
using SupportHub.Azure.Sms;
using SupportHub.Azure.Tables;
using SupportHub.Azure.Teams;
using SupportHub.Functions.Notifications;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Storage;

namespace SupportHub.Functions.Hosting;

// The Azure runtime (issue 22, "One runtime, chosen once"): Table Storage is the entity store,
// Service Bus the queues (the Functions host's triggers deliver them, so nothing here consumes),
// and the real senders are the notification channels. It is chosen as a whole when any Azure setting
// is present (environment variables SupportHub__Tables__Endpoint, ...) and then needs the whole set:
//   Tables      Endpoint [+ AccountName, AccountKey for SharedKey: Azurite]   else Entra ID (DefaultAzureCredential)   required
//   ServiceBus  FullyQualifiedNamespace [+ SharedAccessKeyName, SharedAccessKey for tools]                           required
//   SendGrid    ApiKey, FromEmail [, FromName, SandboxMode]: every ticket's acknowledgement is an email                required
//   Acs         Endpoint, AccessKey, From (E.164)                                                                       optional: SMS
//   Graph       TenantId, ClientId, ClientSecret (the app registration the Teams app names)                            optional: Teams
// A partial set (Tables without Service Bus, SendGrid alone...) is not a mix with the embedded
// runtime: the start stops and names what is missing. Everything is checked at start
// (ValidateOnStart), each problem on its own line. Secrets come from Key Vault references in Azure and
// are never logged.

/// <summary>The Azure runtime's settings, bound from <c>SupportHub</c>.</summary>
public sealed class AzureSettings
{
    public TablesSettings Tables { get; set; } = new();

    public ServiceBusSettings ServiceBus { get; set; } = new();

    public SendGridConfiguration SendGrid { get; set; } = new();

    public AcsSettings Acs { get; set; } = new();

    public GraphSettings Graph { get; set; } = new();

    /// <summary>Embedded with no Azure setting at all; Azure with any (and then every required one must be set).</summary>
    public HubRuntime Runtime => Present().Count == 0 ? HubRuntime.Embedded : HubRuntime.Azure;

    public static AzureSettings From(IConfiguration configuration) =>
        configuration.GetSection(SupportHubOptions.Section).Get<AzureSettings>() ?? new AzureSettings();

    /// <summary>The names of the Azure settings that are set.</summary>
    public IReadOnlyList<string> Present() =>
    [
        .. new (string Name, string? Value)[]
        {
            ("SupportHub:Tables:Endpoint", Tables.Endpoint),
            ("SupportHub:Tables:AccountName", Tables.AccountName),
            ("SupportHub:Tables:AccountKey", Tables.AccountKey),
            ("SupportHub:ServiceBus:FullyQualifiedNamespace", ServiceBus.FullyQualifiedNamespace),
            ("SupportHub:ServiceBus:SharedAccessKeyName", ServiceBus.SharedAccessKeyName),
            ("SupportHub:ServiceBus:SharedAccessKey", ServiceBus.SharedAccessKey),
            ("SupportHub:SendGrid:ApiKey", SendGrid.ApiKey),
            ("SupportHub:SendGrid:FromEmail", SendGrid.FromEmail),
            ("SupportHub:SendGrid:FromName", SendGrid.FromName),
            ("SupportHub:SendGrid:SandboxMode", SendGrid.SandboxMode ? "true" : null),
            ("SupportHub:Acs:Endpoint", Acs.Endpoint),
            ("SupportHub:Acs:AccessKey", Acs.AccessKey),
            ("SupportHub:Acs:From", Acs.From),
            ("SupportHub:Graph:TenantId", Graph.TenantId),
            ("SupportHub:Graph:ClientId", Graph.ClientId),
            ("SupportHub:Graph:ClientSecret", Graph.ClientSecret),
        }.Where(s => !string.IsNullOrWhiteSpace(s.Value)).Select(s => s.Name),
    ];

    /// <summary>The names of the settings the Azure runtime cannot run without that are not set:
    /// the store, the queues and email.</summary>
    public IReadOnlyList<string> MissingForAzure() =>
    [
        .. new (string Name, string? Value)[]
        {
            ("SupportHub:Tables:Endpoint", Tables.Endpoint),
            ("SupportHub:ServiceBus:FullyQualifiedNamespace", ServiceBus.FullyQualifiedNamespace),
            ("SupportHub:SendGrid:ApiKey", SendGrid.ApiKey),
            ("SupportHub:SendGrid:FromEmail", SendGrid.FromEmail),
        }.Where(s => string.IsNullOrWhiteSpace(s.Value)).Select(s => s.Name),
    ];

    public sealed class TablesSettings
    {
        public string? Endpoint { get; set; }

        public string? AccountName { get; set; }

        public string? AccountKey { get; set; }
    }

    public sealed class ServiceBusSettings
    {
        public string? FullyQualifiedNamespace { get; set; }

        public string? SharedAccessKeyName { get; set; }

        public string? SharedAccessKey { get; set; }
    }

    public sealed class SendGridConfiguration
    {
        public string? ApiKey { get; set; }

        public string? FromEmail { get; set; }

        public string? FromName { get; set; }

        public bool SandboxMode { get; set; }
    }

    public sealed class AcsSettings
    {
        public string? Endpoint { get; set; }

        public string? AccessKey { get; set; }

        public string? From { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint) || !string.IsNullOrWhiteSpace(AccessKey) || !string.IsNullOrWhiteSpace(From);
    }

    public sealed class GraphSettings
    {
        public string? TenantId { get; set; }

        public string? ClientId { get; set; }

        public string? ClientSecret { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(ClientSecret);
    }
}

public static class AzureRuntime
{
    /// <summary>Registers the Azure runtime: the store, the queue sender, the channels and their health
    /// checks. Called instead of the embedded runtime, never with it.</summary>
    /// <param name="settings">The settings as configured at start: they say which optional channels (SMS, Teams) exist.</param>
    public static IServiceCollection AddAzureRuntime(this IServiceCollection services, AzureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddOptions<AzureSettings>().BindConfiguration(SupportHubOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureSettings>, AzureSettingsValidator>();
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential(new DefaultAzureCredentialOptions { ExcludeInteractiveBrowserCredential = true }));
        services.AddSingleton(_ => new AzureAdapterOptions());

        services.AddSingleton<IEntityStore>(sp =>
        {
            var tables = Settings(sp).Tables;
            var endpoint = new Uri(tables.Endpoint!);
            var options = sp.GetRequiredService<AzureAdapterOptions>();
            return string.IsNullOrEmpty(tables.AccountKey)
                ? new TableEntityStore(endpoint, sp.GetRequiredService<TokenCredential>(), options)
                : new TableEntityStore(endpoint, new AzureNamedKeyCredential(tables.AccountName!, tables.AccountKey), options);
        });

        services.AddSingleton(sp =>
        {
            var serviceBus = Settings(sp).ServiceBus;
            var options = sp.GetRequiredService<AzureAdapterOptions>();
            return string.IsNullOrEmpty(serviceBus.SharedAccessKey)
                ? new ServiceBusSender(serviceBus.FullyQualifiedNamespace!, sp.GetRequiredService<TokenCredential>(), options)
                : new ServiceBusSender(serviceBus.FullyQualifiedNamespace!, new AzureNamedKeyCredential(serviceBus.SharedAccessKeyName!, serviceBus.SharedAccessKey), options);
        });
        services.AddSingleton<IMessageSender>(sp => sp.GetRequiredService<ServiceBusSender>());

        // The channels, one per kind; the router hands each notification to the one of its kind.
        services.AddSingleton(sp => new SentNotifications(sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<IClock>()));
        services.AddKeyedSingleton<INotificationChannel>(Channel.Email, (sp, _) =>
        {
            var sendGrid = Settings(sp).SendGrid;
            return new SendGridSender(
                new SendGridSettings(sendGrid.ApiKey!, sendGrid.FromEmail!, sendGrid.FromName, sendGrid.SandboxMode),
                sp.GetRequiredService<SentNotifications>(),
                sp.GetRequiredService<AzureAdapterOptions>());
        });

        if (settings.Acs.Enabled)
        {
            services.AddKeyedSingleton<INotificationChannel>(Channel.Sms, (sp, _) =>
            {
                var acs = Settings(sp).Acs;
                return new AcsSmsSender(new Uri(acs.Endpoint!), acs.AccessKey!, acs.From!, sp.GetRequiredService<SentNotifications>(), sp.GetRequiredService<AzureAdapterOptions>());
            });
        }

        if (settings.Graph.Enabled)
        {
            services.AddKeyedSingleton<INotificationChannel>(Channel.Teams, (sp, _) =>
            {
                var graph = Settings(sp).Graph;
                var credential = new ClientSecretCredential(graph.TenantId, graph.ClientId, graph.ClientSecret);
                var hub = new Uri(sp.GetRequiredService<IOptions<SupportHubOptions>>().Value.PublicBaseUrl!);
                return new TeamsActivitySender(new GraphServiceClient(credential, ["https://graph.microsoft.com/.default"]), sp.GetRequiredService<SentNotifications>(), hub);
            });
        }

        services.AddSingleton<INotificationChannel>(sp => new ChannelRouter(
            Enum.GetValues<Channel>()
                .Select(kind => (kind, channel: sp.GetKeyedService<INotificationChannel>(kind)))
                .Where(c => c.channel is not null)
                .ToDictionary(c => c.kind, c => c.channel!)));

        // /healthz: one round trip to Table Storage through the store, and the Service Bus namespace's answer.
        services.AddHealthChecks()
            .AddCheck<EntityStoreHealthCheck>("store")
            .AddCheck<ServiceBusHealthCheck>("queue");
        return services;
    }

    private static AzureSettings Settings(IServiceProvider services) => services.GetRequiredService<IOptions<AzureSettings>>().Value;
}

/// <summary>Checks the Azure runtime's settings: the required ones are all there, and each one set is well formed.</summary>
public sealed class AzureSettingsValidator(IConfiguration configuration) : IValidateOptions<AzureSettings>
{
    public ValidateOptionsResult Validate(string? name, AzureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var failures = new List<string>();
        if (settings.MissingForAzure() is { Count: > 0 } missing)
        {
            failures.Add($"Azure settings are set ({string.Join(", ", settings.Present())}), so the hub runs on Azure, which also needs "
                + $"{string.Join(", ", missing)}. Set them, or unset every SupportHub:Tables, ServiceBus, SendGrid, Acs and Graph setting to run embedded.");
        }

        var tables = settings.Tables;
        if (!string.IsNullOrWhiteSpace(tables.Endpoint))
        {
            if (!Uri.TryCreate(tables.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                failures.Add($"SupportHub:Tables:Endpoint '{tables.Endpoint}' is not an http(s) URL.");
            }
            else if (string.IsNullOrEmpty(tables.AccountKey) && endpoint.Scheme != "https")
            {
                failures.Add("SupportHub:Tables:Endpoint must be https with Entra ID; set AccountName and AccountKey for a plain-http emulator.");
            }
        }

        BothOrNeither(failures, "SupportHub:Tables:AccountName", tables.AccountName, "SupportHub:Tables:AccountKey", tables.AccountKey);
        Base64(failures, "SupportHub:Tables:AccountKey", tables.AccountKey);

        var serviceBus = settings.ServiceBus;
        if (!string.IsNullOrWhiteSpace(serviceBus.FullyQualifiedNamespace))
        {
            try
            {
                ServiceBusNamespace.Check(serviceBus.FullyQualifiedNamespace);
            }
            catch (ArgumentException e)
            {
                failures.Add($"SupportHub:ServiceBus:FullyQualifiedNamespace: {e.Message}");
            }

            if (string.IsNullOrEmpty(configuration["ServiceBus:fullyQualifiedNamespace"]) && !string.IsNullOrEmpty(configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]))
            {
                failures.Add("ServiceBus__fullyQualifiedNamespace (the Service Bus triggers' connection) is not set under the Functions host.");
            }
        }

        BothOrNeither(failures, "SupportHub:ServiceBus:SharedAccessKeyName", serviceBus.SharedAccessKeyName, "SupportHub:ServiceBus:SharedAccessKey", serviceBus.SharedAccessKey);

        var sendGrid = settings.SendGrid;
        if (!string.IsNullOrWhiteSpace(sendGrid.FromEmail) && !System.Net.Mail.MailAddress.TryCreate(sendGrid.FromEmail, out _))
        {
            failures.Add($"SupportHub:SendGrid:FromEmail '{sendGrid.FromEmail}' is not an email address.");
        }

        var acs = settings.Acs;
        if (acs.Enabled)
        {
            if (!Uri.TryCreate(acs.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme != "https")
            {
                failures.Add($"SupportHub:Acs:Endpoint '{acs.Endpoint}' is not an https URL.");
            }

            if (string.IsNullOrEmpty(acs.AccessKey))
            {
                failures.Add("SupportHub:Acs:AccessKey is not set (SMS needs Endpoint, AccessKey and From together).");
            }

            Base64(failures, "SupportHub:Acs:AccessKey", acs.AccessKey);
            if (acs.From is null || acs.From.Length < 8 || acs.From[0] != '+' || !acs.From[1..].All(char.IsAsciiDigit))
            {
                failures.Add($"SupportHub:Acs:From '{acs.From}' is not an E.164 number like +18005550100.");
            }
        }

        var graph = settings.Graph;
        if (graph.Enabled && (string.IsNullOrWhiteSpace(graph.TenantId) || string.IsNullOrWhiteSpace(graph.ClientId) || string.IsNullOrWhiteSpace(graph.ClientSecret)))
        {
            failures.Add("SupportHub:Graph needs TenantId, ClientId and ClientSecret together.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void BothOrNeither(List<string> failures, string firstName, string? first, string secondName, string? second)
    {
        if (string.IsNullOrEmpty(first) != string.IsNullOrEmpty(second))
        {
            failures.Add($"{firstName} and {secondName} go together: set both or neither.");
        }
    }

    private static void Base64(List<string> failures, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value) && !System.Buffers.Text.Base64.IsValid(value))
        {
            failures.Add($"{name} is not base64.");
        }
    }
}

internal static class ServiceBusNamespace
{
    public static void Check(string value)
    {
        var host = value.Contains("://", StringComparison.Ordinal) ? new Uri(value).Host : value.TrimEnd('/');
        if (Uri.CheckHostName(host) != UriHostNameType.Dns || !host.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{value}' is not a namespace host name like name.servicebus.windows.net.");
        }
    }
}
