using Microsoft.Extensions.Options;
using SupportHub.Azure.Email;
using SupportHub.Azure.ServiceBus;
using SupportHub.Azure.Sms;
using SupportHub.Azure.Tables;
using SupportHub.Azure.Teams;
using SupportHub.Embedded;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Notifications;
using SupportHub.Testing;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Hosting;

[Collection(SerialHubCollection.Name)]
public sealed class AzureAdaptersTests : IDisposable
{
    // Azurite's public development key; the other values are made up and never contacted here.
    private static readonly Dictionary<string, string?> AllAzure = new()
    {
        ["SupportHub:Tables:Endpoint"] = "http://127.0.0.1:10002/devstoreaccount1",
        ["SupportHub:Tables:AccountName"] = "devstoreaccount1",
        ["SupportHub:Tables:AccountKey"] = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
        ["SupportHub:ServiceBus:FullyQualifiedNamespace"] = "contoso.servicebus.windows.net",
        ["SupportHub:SendGrid:ApiKey"] = "SG.not-a-real-key",
        ["SupportHub:SendGrid:FromEmail"] = "support@example.com",
        ["SupportHub:Acs:Endpoint"] = "https://contoso.communication.azure.com",
        ["SupportHub:Acs:AccessKey"] = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==",
        ["SupportHub:Acs:From"] = "+18005550000",
        ["SupportHub:Graph:TenantId"] = "00000000-0000-4000-8000-000000000001",
        ["SupportHub:Graph:ClientId"] = "00000000-0000-4000-8000-000000000002",
        ["SupportHub:Graph:ClientSecret"] = "not-a-real-secret",
    };

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public void NoAzureSettings_KeepsTheEmbeddedStoreQueueAndPump()
    {
        using var hub = new HubFactory(_data.Path);
        hub.CreateClient().Dispose();

        Assert.IsType<SqliteEntityStore>(hub.Services.GetRequiredService<IEntityStore>());
        Assert.IsType<SqliteMessageQueue>(hub.Services.GetRequiredService<IMessageSender>());
        Assert.Contains(hub.Services.GetServices<IHostedService>(), s => s is QueuePump);
        Assert.Null(hub.Services.GetService<SendGridSender>());
        Assert.IsType<DevOutbox>(hub.Services.GetRequiredService<INotificationChannel>());
    }

    [Fact]
    public async Task SendGridOnly_RoutesEmailToSendGridAndKeepsSmsInTheOutbox()
    {
        // Only the SendGrid settings: email goes to SendGrid; an SMS, with no ACS configured, is kept
        // in the dev outbox table instead of being lost.
        var settings = new Dictionary<string, string?>
        {
            ["SupportHub:SendGrid:ApiKey"] = "SG.not-a-real-key",
            ["SupportHub:SendGrid:FromEmail"] = "support@example.com",
        };
        using var hub = new HubFactory(_data.Path, settings);
        hub.CreateClient().Dispose();
        var channel = hub.Services.GetRequiredService<INotificationChannel>();
        Assert.IsType<ChannelRouter>(channel);

        var sms = new SupportHub.Notifications.Notification("1001:1:page.sms", "1001", SupportHub.Notifications.NotificationPurpose.Page,
            new SupportHub.OnCall.Recipient("alice", "Alice", null, "+13125550001", null), SupportHub.Policy.Channel.Sms, "[#1001] page", "text", []);
        await channel.SendAsync(new RenderedNotification(sms, "text", [], null), CancellationToken.None);

        var kept = await hub.Services.GetRequiredService<DevOutbox>().ListAsync(CancellationToken.None);
        Assert.Equal("1001:1:page.sms", Assert.Single(kept).Id);
    }

    [Fact]
    public void AllAzureSettings_SwapInEveryAdapterAndStopThePump()
    {
        using var hub = new HubFactory(_data.Path, AllAzure);
        hub.CreateClient().Dispose();

        Assert.IsType<TableEntityStore>(hub.Services.GetRequiredService<IEntityStore>());
        Assert.IsType<ServiceBusSender>(hub.Services.GetRequiredService<IMessageSender>());
        Assert.DoesNotContain(hub.Services.GetServices<IHostedService>(), s => s is QueuePump);
        Assert.NotNull(hub.Services.GetRequiredService<SendGridSender>());
        Assert.NotNull(hub.Services.GetRequiredService<AcsSmsSender>());
        Assert.NotNull(hub.Services.GetRequiredService<TeamsActivitySender>());
    }

    [Fact]
    public void OnlyTables_LeavesTheQueueEmbedded()
    {
        using var hub = new HubFactory(_data.Path, AllAzure.Where(s => s.Key.StartsWith("SupportHub:Tables:", StringComparison.Ordinal)).ToDictionary());
        hub.CreateClient().Dispose();

        Assert.IsType<TableEntityStore>(hub.Services.GetRequiredService<IEntityStore>());
        Assert.IsType<SqliteMessageQueue>(hub.Services.GetRequiredService<IMessageSender>());
        Assert.Contains(hub.Services.GetServices<IHostedService>(), s => s is QueuePump);
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
            ["SupportHub:Acs:Endpoint"] = "https://contoso.communication.azure.com",
            ["SupportHub:Acs:From"] = "555-0100",
            ["SupportHub:Graph:TenantId"] = "t",
        });

        Assert.Contains(failures, f => f.Contains("SupportHub:Tables:Endpoint must be https with Entra ID", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("SupportHub:Tables:AccountName and SupportHub:Tables:AccountKey go together", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:ServiceBus:FullyQualifiedNamespace:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:SendGrid:FromEmail", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Acs:AccessKey is not set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Acs:From", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("SupportHub:Graph needs", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain("SG.k", f, StringComparison.Ordinal));
    }

    [Fact]
    public void PolicyJson_BecomesThePolicyFile()
    {
        var json = File.ReadAllText(HubFactory.Fixture("policy.json"));
        using var hub = new HubFactory(_data.Path, new Dictionary<string, string?> { ["SupportHub:Policy"] = string.Empty, ["SupportHub:PolicyJson"] = json });
        hub.CreateClient().Dispose();

        var policy = hub.Services.GetRequiredService<IOptions<SupportHubOptions>>().Value.Policy!;
        Assert.Equal(json, File.ReadAllText(policy));
        Assert.NotNull(hub.Services.GetRequiredService<SupportHub.Policy.SupportPolicy>());
    }
}
