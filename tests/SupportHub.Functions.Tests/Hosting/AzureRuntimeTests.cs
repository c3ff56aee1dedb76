using System.Net;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using SupportHub.Azure;
using SupportHub.Azure.Email;
using SupportHub.Azure.ServiceBus;
using SupportHub.Azure.Sms;
using SupportHub.Azure.Tables;
using SupportHub.Azure.Teams;
using SupportHub.Embedded;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Notifications;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Hosting;

[Collection(SerialHubCollection.Name)]
public sealed class AzureRuntimeTests : IDisposable
{
    private static readonly Dictionary<string, string?> AllAzure = HubRuntimeTests.AllAzure;

    // What the Azure runtime cannot start without: the store, the queues and email.
    private static readonly Dictionary<string, string?> RequiredAzure = AllAzure
        .Where(s => !s.Key.StartsWith("SupportHub:Acs:", StringComparison.Ordinal) && !s.Key.StartsWith("SupportHub:Graph:", StringComparison.Ordinal))
        .ToDictionary();

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void NoAzureSettings_RunsEmbeddedWithTheDevOutbox()
    {
        using var hub = new HubFactory(_data.Path);
        hub.CreateClient().Dispose();

        Assert.Equal(HubRuntime.Embedded, hub.Services.GetRequiredService<HubRuntime>());
        Assert.IsType<SqliteEntityStore>(hub.Services.GetRequiredService<IEntityStore>());
        Assert.IsType<SqliteMessageQueue>(hub.Services.GetRequiredService<IMessageSender>());
        Assert.Contains(hub.Services.GetServices<IHostedService>(), s => s is QueuePump);
        Assert.IsType<DevOutbox>(hub.Services.GetRequiredService<INotificationChannel>());
    }

    [Fact]
    public void AllAzureSettings_RegistersEveryAdapterAsTheOnlyRuntime()
    {
        using var hub = new HubFactory(_data.Path, AllAzure);
        hub.CreateClient().Dispose();

        Assert.Equal(HubRuntime.Azure, hub.Services.GetRequiredService<HubRuntime>());
        Assert.IsType<TableEntityStore>(hub.Services.GetRequiredService<IEntityStore>());
        Assert.IsType<ServiceBusSender>(hub.Services.GetRequiredService<IMessageSender>());
        Assert.Null(hub.Services.GetService<IMessageQueue>());
        Assert.DoesNotContain(hub.Services.GetServices<IHostedService>(), s => s is QueuePump);
        Assert.IsType<ChannelRouter>(hub.Services.GetRequiredService<INotificationChannel>());
        Assert.IsType<SendGridSender>(hub.Services.GetRequiredKeyedService<INotificationChannel>(Channel.Email));
        Assert.IsType<AcsSmsSender>(hub.Services.GetRequiredKeyedService<INotificationChannel>(Channel.Sms));
        Assert.IsType<TeamsActivitySender>(hub.Services.GetRequiredKeyedService<INotificationChannel>(Channel.Teams));
        Assert.Null(hub.Services.GetService<DevOutbox>());
    }

    [Fact]
    public async Task RequiredSettingsOnly_SmsNotificationFailsNamingTheSettingsToAdd()
    {
        // SMS and Teams are optional. Without ACS an SMS is not kept aside in a table: it fails, so its
        // queue retries it and finally dead-letters it with this reason.
        using var hub = new HubFactory(_data.Path, RequiredAzure);
        hub.CreateClient().Dispose();
        var channel = hub.Services.GetRequiredService<INotificationChannel>();
        Assert.Null(hub.Services.GetKeyedService<INotificationChannel>(Channel.Sms));

        var sms = new Notification("1001:1:page.sms", "1001", NotificationPurpose.Page,
            new SupportHub.OnCall.Recipient("alice", "Alice", null, "+13125550001", null), Channel.Sms, "[#1001] page", "text", []);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => channel.SendAsync(new RenderedNotification(sms, "text", [], null), CancellationToken.None));

        Assert.Contains("No sms sender is configured (set SupportHub:Acs:Endpoint, AccessKey and From)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("1001:1:page.sms", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    // The store alone (pointing the store at Azurite used to leave the queues embedded).
    [InlineData("SupportHub:Tables:", "SupportHub:ServiceBus:FullyQualifiedNamespace, SupportHub:SendGrid:ApiKey, SupportHub:SendGrid:FromEmail")]
    // Email alone (SendGrid used to be routed to while SMS stayed in the dev outbox).
    [InlineData("SupportHub:SendGrid:", "SupportHub:Tables:Endpoint, SupportHub:ServiceBus:FullyQualifiedNamespace")]
    // Everything but the queues.
    [InlineData("SupportHub:Tables:|SupportHub:SendGrid:|SupportHub:Acs:|SupportHub:Graph:", "SupportHub:ServiceBus:FullyQualifiedNamespace")]
    public void PartialAzureSettings_StopTheStartNamingWhatIsMissing(string prefixes, string missing)
    {
        var settings = AllAzure.Where(s => prefixes.Split('|').Any(p => s.Key.StartsWith(p, StringComparison.Ordinal))).ToDictionary();

        var failures = HubFactory.StartFailures(_data.Path, settings);

        var line = Assert.Single(failures, f => f.StartsWith("Azure settings are set (", StringComparison.Ordinal));
        Assert.Contains($"so the hub runs on Azure, which also needs {missing}. ", line, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_data.Path, "*.db*"));
    }

    [Fact]
    public void InvalidSettings_StopTheStartListingEveryProblem()
    {
        var failures = HubFactory.StartFailures(_data.Path, new Dictionary<string, string?>
        {
            ["SupportHub:Tables:Endpoint"] = "http://127.0.0.1:10002/devstoreaccount1",
            ["SupportHub:Tables:AccountName"] = "devstoreaccount1",
            ["SupportHub:ServiceBus:FullyQualifiedNamespace"] = "not a host",
            ["SupportHub:SendGrid:ApiKey"] = "SG.k",
            ["SupportHub:SendGrid:FromEmail"] = "support",
            ["SupportHub:Acs:Endpoint"] = "https://contoso.communication.azure.com",
            ["SupportHub:Acs:From"] = "555-0100",
            ["SupportHub:Graph:TenantId"] = "t",
        });

        Assert.Contains(failures, f => f.Contains("SupportHub:Tables:Endpoint must be https with Entra ID", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SupportHub:Tables:AccountName and SupportHub:Tables:AccountKey go together", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:ServiceBus:FullyQualifiedNamespace:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:SendGrid:FromEmail 'support' is not an email address", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Acs:AccessKey is not set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Acs:From", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Graph needs", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("Azure settings are set", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain("SG.k", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Healthz_Azure_AsksTablesAndServiceBusAndNeverSqlite()
    {
        // Table Storage and Service Bus as a stub transport: the entity read finds nothing (404), the
        // namespace refuses a read that needs Manage rights (401), as it does the hub's identity.
        var azure = new AzureStub();
        using var hub = new HubFactory(_data.Path, AllAzure, azure.Register);
        using var client = hub.CreateClient();

        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        var outbox = await client.GetAsync(new Uri("/dev/outbox", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal(["queue", "store"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal("TableEntityStore answers.", checks.GetProperty("store").GetProperty("description").GetString());
        Assert.StartsWith("Service Bus namespace contoso.servicebus.windows.net answers (HTTP 401", checks.GetProperty("queue").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains(azure.Requests, r => r.StartsWith("GET http://127.0.0.1:10002/devstoreaccount1/hubhealth(", StringComparison.Ordinal));
        Assert.Contains("GET https://contoso.servicebus.windows.net/$namespaceinfo?api-version=2021-05", azure.Requests);
        Assert.Equal(HttpStatusCode.NotFound, outbox.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(_data.Path, "*.db*"));
    }

    [Fact]
    public async Task Healthz_ServiceBusFails_IsUnhealthy()
    {
        var azure = new AzureStub(serviceBus: HttpStatusCode.ServiceUnavailable);
        using var hub = new HubFactory(_data.Path, AllAzure, azure.Register);
        using var client = hub.CreateClient();

        var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("queue").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
    }

    /// <summary>Table Storage and Service Bus as hand-written answers: a table entity read is 404, the
    /// namespace read is <paramref name="serviceBus"/>; anything else is a test failure (500).</summary>
    private sealed class AzureStub(HttpStatusCode serviceBus = HttpStatusCode.Unauthorized) : HttpMessageHandler
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

        /// <summary>Sends every adapter's requests here, Service Bus's with a token that needs no Entra ID.</summary>
        public void Register(IServiceCollection services)
        {
            services.AddSingleton(new AzureAdapterOptions { Transport = new HttpClientTransport(new HttpClient(this)), Retry = { MaxRetries = 0 } });
            services.AddSingleton<TokenCredential>(new FixedToken());
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var line = $"{request.Method} {request.RequestUri!.AbsoluteUri}";
            Requests.Enqueue(line);
            var status = request.RequestUri.Host switch
            {
                "127.0.0.1" when request.Method == HttpMethod.Get => HttpStatusCode.NotFound,
                "contoso.servicebus.windows.net" when request.RequestUri.AbsolutePath == "/$namespaceinfo" => serviceBus,
                _ => HttpStatusCode.InternalServerError,
            };
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("") });
        }
    }

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new("token", DateTimeOffset.MaxValue);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }
}
