using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using SupportHub.Azure;
using SupportHub.Azure.Email;
using SupportHub.Azure.Notifications;
using SupportHub.Azure.ServiceBus;
using SupportHub.Azure.Sms;
using SupportHub.Azure.Tables;
using SupportHub.Azure.Teams;
using SupportHub.Embedded;
using SupportHub.Functions.Notifications;
using SupportHub.Workflows;

namespace SupportHub.Functions.Hosting;

// Each adapter leaves its embedded form for Azure by its own settings (environment variables
// SupportHub__Tables__Endpoint, ...), so a developer can point just the store at Azurite while the
// rest stays embedded:
//   Tables      Endpoint [+ AccountName, AccountKey for SharedKey: Azurite]   else Entra ID (DefaultAzureCredential)
//   ServiceBus  FullyQualifiedNamespace [+ SharedAccessKeyName, SharedAccessKey for tools]; the
//               Functions host then delivers the queues, so the embedded pump stops
//   SendGrid    ApiKey, FromEmail [, FromName, SandboxMode]
//   Acs         Endpoint, AccessKey, From (E.164)
//   Graph       TenantId, ClientId, ClientSecret (the app registration the Teams app names)
//   PolicyJson  the policy document itself (an app setting from infra/customers/<name>.bicepparam),
//               instead of a Policy path
// Everything is checked at start (ValidateOnStart), each problem on its own line. Secrets come from
// Key Vault references in Azure and are never logged.

/// <summary>The Azure adapters' settings, bound from <c>SupportHub</c>.</summary>
public sealed class AzureSettings
{
    public TablesSettings Tables { get; set; } = new();

    public ServiceBusSettings ServiceBus { get; set; } = new();

    public SendGridConfiguration SendGrid { get; set; } = new();

    public AcsSettings Acs { get; set; } = new();

    public GraphSettings Graph { get; set; } = new();

    public string? PolicyJson { get; set; }

    public sealed class TablesSettings
    {
        public string? Endpoint { get; set; }

        public string? AccountName { get; set; }

        public string? AccountKey { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
    }

    public sealed class ServiceBusSettings
    {
        public string? FullyQualifiedNamespace { get; set; }

        public string? SharedAccessKeyName { get; set; }

        public string? SharedAccessKey { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);
    }

    public sealed class SendGridConfiguration
    {
        public string? ApiKey { get; set; }

        public string? FromEmail { get; set; }

        public string? FromName { get; set; }

        public bool SandboxMode { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(ApiKey);
    }

    public sealed class AcsSettings
    {
        public string? Endpoint { get; set; }

        public string? AccessKey { get; set; }

        public string? From { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
    }

    public sealed class GraphSettings
    {
        public string? TenantId { get; set; }

        public string? ClientId { get; set; }

        public string? ClientSecret { get; set; }

        public bool Enabled => !string.IsNullOrWhiteSpace(TenantId) || !string.IsNullOrWhiteSpace(ClientId);
    }
}

public static class AzureAdapters
{
    /// <summary>Swaps in the Azure adapter of each service whose settings are present.</summary>
    public static WebApplicationBuilder AddAzureAdapters(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var settings = builder.Configuration.GetSection(SupportHubOptions.Section).Get<AzureSettings>() ?? new AzureSettings();
        services.AddOptions<AzureSettings>().BindConfiguration(SupportHubOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureSettings>, AzureSettingsValidator>();
        services.AddSingleton<IConfigureOptions<SupportHubOptions>, PolicyJsonSetup>();
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential(new DefaultAzureCredentialOptions { ExcludeInteractiveBrowserCredential = true }));
        services.TryAddSingleton(sp => new AzureAdapterOptions());

        if (settings.Tables.Enabled)
        {
            services.Replace(ServiceDescriptor.Singleton<IEntityStore>(sp =>
            {
                var tables = sp.GetRequiredService<IOptions<AzureSettings>>().Value.Tables;
                var endpoint = new Uri(tables.Endpoint!);
                var options = sp.GetRequiredService<AzureAdapterOptions>();
                return string.IsNullOrEmpty(tables.AccountKey)
                    ? new TableEntityStore(endpoint, sp.GetRequiredService<TokenCredential>(), options)
                    : new TableEntityStore(endpoint, new AzureNamedKeyCredential(tables.AccountName!, tables.AccountKey), options);
            }));
        }

        if (settings.ServiceBus.Enabled)
        {
            services.Replace(ServiceDescriptor.Singleton<IMessageSender>(sp =>
            {
                var serviceBus = sp.GetRequiredService<IOptions<AzureSettings>>().Value.ServiceBus;
                var options = sp.GetRequiredService<AzureAdapterOptions>();
                return string.IsNullOrEmpty(serviceBus.SharedAccessKey)
                    ? new ServiceBusSender(serviceBus.FullyQualifiedNamespace!, sp.GetRequiredService<TokenCredential>(), options)
                    : new ServiceBusSender(serviceBus.FullyQualifiedNamespace!, new AzureNamedKeyCredential(serviceBus.SharedAccessKeyName!, serviceBus.SharedAccessKey), options);
            }));

            // The Functions host's Service Bus triggers deliver the queues now: the embedded pump must
            // not also consume (it would find the SQLite queue empty, and keep a file open for nothing).
            foreach (var pump in services.Where(IsQueuePump).ToList())
            {
                services.Remove(pump);
            }
        }

        services.TryAddSingleton(sp => new SentNotifications(sp.GetRequiredService<IEntityStore>(), sp.GetRequiredService<NodaTime.IClock>()));
        if (settings.SendGrid.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var sendGrid = sp.GetRequiredService<IOptions<AzureSettings>>().Value.SendGrid;
                return new SendGridSender(
                    new SendGridSettings(sendGrid.ApiKey!, sendGrid.FromEmail!, sendGrid.FromName, sendGrid.SandboxMode),
                    sp.GetRequiredService<SentNotifications>(),
                    sp.GetRequiredService<AzureAdapterOptions>());
            });
        }

        if (settings.Acs.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var acs = sp.GetRequiredService<IOptions<AzureSettings>>().Value.Acs;
                return new AcsSmsSender(new Uri(acs.Endpoint!), acs.AccessKey!, acs.From!, sp.GetRequiredService<SentNotifications>(), sp.GetRequiredService<AzureAdapterOptions>());
            });
        }

        if (settings.Graph.Enabled)
        {
            services.AddSingleton(sp =>
            {
                var graph = sp.GetRequiredService<IOptions<AzureSettings>>().Value.Graph;
                var credential = new ClientSecretCredential(graph.TenantId, graph.ClientId, graph.ClientSecret);
                return new TeamsActivitySender(new GraphServiceClient(credential, ["https://graph.microsoft.com/.default"]), sp.GetRequiredService<SentNotifications>());
            });
        }

        if (settings.SendGrid.Enabled || settings.Acs.Enabled || settings.Graph.Enabled)
        {
            services.Replace(ServiceDescriptor.Singleton<INotificationChannel>(sp => new ChannelRouter(
                sp.GetRequiredService<DevOutbox>(),
                sp.GetRequiredService<IOptions<SupportHubOptions>>(),
                sp.GetRequiredService<ILogger<ChannelRouter>>(),
                sp.GetService<SendGridSender>(),
                sp.GetService<AcsSmsSender>(),
                sp.GetService<TeamsActivitySender>())));
        }

        return builder;
    }

    internal static bool IsQueuePump(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(IHostedService)
        && (descriptor.ImplementationType == typeof(QueuePump) || descriptor.ImplementationFactory?.Method.ReturnType == typeof(QueuePump));
}

/// <summary>Checks the Azure settings that are present: each adapter is all or nothing.</summary>
public sealed class AzureSettingsValidator(IConfiguration configuration) : IValidateOptions<AzureSettings>
{
    public ValidateOptionsResult Validate(string? name, AzureSettings settings)
    {
        var failures = new List<string>();
        var tables = settings.Tables;
        if (tables.Enabled)
        {
            if (!Uri.TryCreate(tables.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                failures.Add($"SupportHub:Tables:Endpoint '{tables.Endpoint}' is not an http(s) URL.");
            }
            else if (string.IsNullOrEmpty(tables.AccountKey) && endpoint.Scheme != "https")
            {
                failures.Add("SupportHub:Tables:Endpoint must be https with Entra ID; set AccountName and AccountKey for a plain-http emulator.");
            }

            BothOrNeither(failures, "SupportHub:Tables:AccountName", tables.AccountName, "SupportHub:Tables:AccountKey", tables.AccountKey);
            Base64(failures, "SupportHub:Tables:AccountKey", tables.AccountKey);
        }
        else if (!string.IsNullOrEmpty(tables.AccountName) || !string.IsNullOrEmpty(tables.AccountKey))
        {
            failures.Add("SupportHub:Tables:AccountName/AccountKey are set but SupportHub:Tables:Endpoint is not.");
        }

        var serviceBus = settings.ServiceBus;
        if (serviceBus.Enabled)
        {
            try
            {
                ServiceBusNamespace.Check(serviceBus.FullyQualifiedNamespace!);
            }
            catch (ArgumentException e)
            {
                failures.Add($"SupportHub:ServiceBus:FullyQualifiedNamespace: {e.Message}");
            }

            BothOrNeither(failures, "SupportHub:ServiceBus:SharedAccessKeyName", serviceBus.SharedAccessKeyName, "SupportHub:ServiceBus:SharedAccessKey", serviceBus.SharedAccessKey);
            if (string.IsNullOrEmpty(configuration["ServiceBus:fullyQualifiedNamespace"]) && !string.IsNullOrEmpty(configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]))
            {
                failures.Add("ServiceBus__fullyQualifiedNamespace (the Service Bus triggers' connection) is not set under the Functions host.");
            }
        }

        var sendGrid = settings.SendGrid;
        if (sendGrid.Enabled && !System.Net.Mail.MailAddress.TryCreate(sendGrid.FromEmail, out _))
        {
            failures.Add($"SupportHub:SendGrid:FromEmail '{sendGrid.FromEmail}' is not an email address (SendGrid:ApiKey is set).");
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
                failures.Add("SupportHub:Acs:AccessKey is not set (SupportHub:Acs:Endpoint is).");
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

        if (!string.IsNullOrWhiteSpace(settings.PolicyJson) && !string.IsNullOrWhiteSpace(configuration["SupportHub:Policy"]))
        {
            failures.Add("SupportHub:Policy and SupportHub:PolicyJson are both set; set one.");
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

/// <summary>SupportHub:PolicyJson → a private file whose path becomes SupportHub:Policy (before the paths are resolved).</summary>
public sealed class PolicyJsonSetup(IConfiguration configuration) : IConfigureOptions<SupportHubOptions>
{
    public void Configure(SupportHubOptions options)
    {
        var json = configuration["SupportHub:PolicyJson"];
        if (string.IsNullOrWhiteSpace(json) || !string.IsNullOrWhiteSpace(options.Policy))
        {
            return;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"supporthub-policy-{hash}.json");
        if (!File.Exists(path))
        {
            var temporary = path + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temporary, json);
            File.Move(temporary, path, overwrite: true);
        }

        options.Policy = path;
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
