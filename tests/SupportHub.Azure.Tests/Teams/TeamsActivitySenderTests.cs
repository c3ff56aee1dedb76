using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using SupportHub.Azure.Teams;
using SupportHub.Notifications;
using SupportHub.Policy;

namespace SupportHub.Azure.Tests.Teams;

// The real Graph SDK over a stub transport: the request it makes for sendActivityNotification
// (learn.microsoft.com/graph/api/userteamwork-sendactivitynotification) and what a Graph error does.
public sealed class TeamsActivitySenderTests
{
    private static readonly Uri Hub = new("https://hub.example.com");
    private readonly StubHandler _stub = new();

    [Fact]
    public async Task Send_Page_PostsActivityNotificationWithTheAcknowledgeLink()
    {
        _stub.Answer(HttpStatusCode.NoContent);
        var sender = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);

        await sender.SendAsync(Notifications.Page(Channel.Teams, "T-42:7:page:teams"), "Sev1 ticket T-42 from acme: payment page down.", new Uri("https://hub.example.com/api/links/abc"), CancellationToken.None);

        var request = Assert.Single(_stub.Requests);
        Assert.Equal(("POST", "https://graph.microsoft.com/v1.0/users/7f3c9a2e-0000-4000-8000-00000000b0b0/teamwork/sendActivityNotification"), (request.Method, request.Uri.AbsoluteUri));
        var body = JsonNode.Parse(request.Text)!;
        Assert.Equal("text", body["topic"]!["source"]!.GetValue<string>());
        Assert.Equal("[Sev1] T-42: payment page down", body["topic"]!["value"]!.GetValue<string>());
        Assert.Equal("https://hub.example.com/api/links/abc", body["topic"]!["webUrl"]!.GetValue<string>());
        Assert.Equal("systemDefault", body["activityType"]!.GetValue<string>());
        Assert.Equal("Sev1 ticket T-42 from acme: payment page down.", body["previewText"]!["content"]!.GetValue<string>());
        Assert.Equal("systemDefaultText", body["templateParameters"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Send_SubjectWithLineBreaks_TitlesTheFeedItemOnOneLine()
    {
        // The feed item's title is the subject, which a customer's words fill (issue 23).
        _stub.Answer(HttpStatusCode.NoContent);
        var sender = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);
        var page = Notifications.Page(Channel.Teams) with { Subject = "[#1001] Critical page: Site down\r\n\u202Eevil" };

        await sender.SendAsync(page, "text", new Uri("https://hub/ack"), CancellationToken.None);

        var body = JsonNode.Parse(Assert.Single(_stub.Requests).Text)!;
        Assert.Equal("[#1001] Critical page: Site down evil", body["topic"]!["value"]!.GetValue<string>());
        Assert.Equal("[#1001] Critical page: Site down evil", body["templateParameters"]![0]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Send_Redelivered_SendsOnce()
    {
        _stub.Answer(HttpStatusCode.NoContent);
        var sender = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);

        await sender.SendAsync(Notifications.Page(Channel.Teams), "text", new Uri("https://hub/ack"), CancellationToken.None);
        await sender.SendAsync(Notifications.Page(Channel.Teams), "text", new Uri("https://hub/ack"), CancellationToken.None);

        Assert.Single(_stub.Requests);
    }

    [Fact]
    public async Task Send_GraphRefuses_Throws()
    {
        _stub.Answer(HttpStatusCode.Forbidden, """{"error":{"code":"Forbidden","message":"Missing role permissions on the request."}}""");
        var sender = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync(Notifications.Page(Channel.Teams), "text", new Uri("https://hub/ack"), CancellationToken.None));

        Assert.IsType<Microsoft.Graph.Models.ODataErrors.ODataError>(failure);
        Assert.Equal(403, ((Microsoft.Graph.Models.ODataErrors.ODataError)failure).ResponseStatusCode);
    }

    [Fact]
    public async Task SendAsChannel_PageWithLinks_OpensTheAcknowledgeLink()
    {
        _stub.Answer(HttpStatusCode.NoContent);
        INotificationChannel channel = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);
        var expires = Notifications.Now + NodaTime.Duration.FromHours(1);
        RenderedLink[] links =
        [
            new(LinkAction.RateGood, "Rate the support good", "https://hub.example.com/api/links/good", expires),
            new(LinkAction.Acknowledge, "Acknowledge the page", "https://hub.example.com/api/links/ack", expires),
        ];

        await channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Teams, "T-42:7:page:teams"), "text", links, null), CancellationToken.None);

        Assert.Equal("https://hub.example.com/api/links/ack", JsonNode.Parse(Assert.Single(_stub.Requests).Text)!["topic"]!["webUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendAsChannel_NoLinks_OpensTheHub()
    {
        _stub.Answer(HttpStatusCode.NoContent);
        INotificationChannel channel = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);

        await channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Teams, "T-42:7:page:teams"), "text", [], null), CancellationToken.None);

        Assert.Equal("https://hub.example.com/", JsonNode.Parse(Assert.Single(_stub.Requests).Text)!["topic"]!["webUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendAsChannel_AnotherKind_ThrowsAndSendsNothing()
    {
        INotificationChannel channel = new TeamsActivitySender(Graph(), Notifications.Ledger(), Hub);

        await Assert.ThrowsAsync<ArgumentException>(() => channel.SendAsync(new RenderedNotification(Notifications.Page(Channel.Sms), "text", [], null), CancellationToken.None));

        Assert.Empty(_stub.Requests);
    }

    private GraphServiceClient Graph() => new(new HttpClient(_stub), new AnonymousAuthenticationProvider());
}
