using System.Net;
using SupportHub.Functions.Notifications;
using SupportHub.Workflows;
using SupportHub.Functions.Tests.Workflows;
using SupportHub.Intake;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Tickets;
using InboundMessage = SupportHub.Workflows.QueueDelivery;

namespace SupportHub.Functions.Tests.Notifications;

public sealed class DevOutboxPageTests : IAsyncLifetime
{
    private readonly HubHarness _hub = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Get_AfterAnEmergency_ListsThePageWithItsAcknowledgeLink()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var page = await _hub.PageAsync("1001");

        var response = await _hub.Client.GetAsync("/dev/outbox");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<h1>Dev outbox</h1>", html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{page.Links[0].Url}\">Acknowledge the page (ticket #1001)</a>", html, StringComparison.Ordinal);
        Assert.StartsWith(HubHarness.PublicBaseUrl + "/api/links/", page.Links[0].Url, StringComparison.Ordinal);
        Assert.Contains(page.Links[0].Url, page.Text, StringComparison.Ordinal);
        Assert.Contains("+13125550001", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJson_ListsNewestFirst()
    {
        await _hub.OpenAsync("1001", severity: 1);
        await _hub.PageAsync("1001");
        _hub.Clock.Advance(NodaTime.Duration.FromMinutes(1));
        await _hub.OpenAsync("1002", severity: 1);
        await _hub.PageAsync("1002");

        var json = await HubHarness.Json(await _hub.Client.GetAsync("/dev/outbox.json"));

        var tickets = json.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("ticket").GetString()).ToList();
        Assert.Equal("1002", tickets[0]);
        Assert.Equal("1001", tickets[^1]);
    }

    [Fact]
    public async Task Get_FromAnotherMachine_Is404()
    {
        _hub.RemoteAddress = IPAddress.Parse("203.0.113.9");

        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Client.GetAsync("/dev/outbox")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _hub.Client.GetAsync("/dev/outbox.json")).StatusCode);
    }

    [Fact]
    public async Task Handle_SameNotificationTwice_StoresItOnce()
    {
        var handler = _hub.Service<IServiceScopeFactory>().CreateScope().ServiceProvider.GetRequiredService<NotificationsOutbound>();
        var message = new InboundMessage(QueueNames.NotificationsOutbound, "n1", WorkflowJson.Serialize(Notification("7001:1:page.sms", NotificationPurpose.Page, Channel.Sms, "alice")), 1);

        await handler.HandleAsync(message, CancellationToken.None);
        await handler.HandleAsync(message with { DeliveryCount = 2 }, CancellationToken.None);

        var stored = await _hub.Service<DevOutbox>().ListAsync(CancellationToken.None);
        Assert.Single(stored, n => n.Id == "7001:1:page.sms");
    }

    [Fact]
    public async Task Handle_AcknowledgementEmail_GetsAHubMessageIdThatRepliesThreadBy()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var acknowledgement = await _hub.NotificationAsync(n => n.Ticket == "1001" && n.Purpose == "acknowledgement" && n.Via == "email");

        var reply = await _hub.Service<TicketIntake>().AcceptAsync(
            new SupportHub.Intake.InboundMessage(IntakeChannel.Email, "<reply-1@acme.gov>", _hub.Clock.GetCurrentInstant(),
                new Requester("Dana Ortiz", "dana@acme.gov", null), "Re: it is still down", "Still down.", InReplyTo: [acknowledgement.MessageId!]),
            CancellationToken.None);

        Assert.Equal("<1001.1.acknowledgement.email@example.com>", acknowledgement.MessageId);
        Assert.Equal(("1001", false), (reply.Ticket, reply.Opened));
    }

    private static Notification Notification(string id, NotificationPurpose purpose, Channel via, string to) =>
        new(id, id.Split(':')[0], purpose, new Recipient(to, to, $"{to}@example.com", "+13125550001", "t"), via, "Subject", "Text", []);
}
