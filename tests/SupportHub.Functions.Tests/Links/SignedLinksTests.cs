using System.Net;
using NodaTime;
using SupportHub.Functions.Links;
using SupportHub.Functions.Tests.Workflows;
using SupportHub.Notifications;

namespace SupportHub.Functions.Tests.Links;

public sealed class SignedLinksTests : IAsyncLifetime
{
    private readonly HubHarness _hub = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Get_AcknowledgeLink_DescribesTheActionWithAButtonAndDoesNotAct()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var page = await _hub.PageAsync("1001");

        // Twice, as a mail scanner and then the person might.
        await _hub.Client.GetAsync(HubHarness.PathOf(page.Links[0].Url));
        var response = await _hub.Client.GetAsync(HubHarness.PathOf(page.Links[0].Url));

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("<h1>Acknowledge the page for ticket #1001</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\"><button type=\"submit\">Acknowledge the page</button></form>", html, StringComparison.Ordinal);
        Assert.Contains("no-referrer", response.Headers.GetValues("Referrer-Policy"));
        var ticket = await _hub.TicketAsync("1001");
        Assert.True(ticket.GetProperty("escalation").GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Post_AcknowledgeLink_StopsTheEscalation_AndASecondPostSaysItWasUsed()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var link = HubHarness.PathOf((await _hub.PageAsync("1001")).Links[0].Url);

        var first = await _hub.Client.PostAsync(link, null);
        var second = await _hub.Client.PostAsync(link, null);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("You acknowledged the page for ticket #1001.", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var used = await second.Content.ReadAsStringAsync();
        Assert.Contains("This link was already used", used, StringComparison.Ordinal);
        Assert.Contains("You acknowledged the page for ticket #1001.", used, StringComparison.Ordinal);
        var escalation = (await _hub.TicketAsync("1001")).GetProperty("escalation");
        Assert.False(escalation.GetProperty("active").GetBoolean());
        Assert.Equal("alice", escalation.GetProperty("stoppedBy").GetString());
        // A used link also says so on GET, instead of offering the button again.
        Assert.Equal(HttpStatusCode.Conflict, (await _hub.Client.GetAsync(link)).StatusCode);
    }

    [Fact]
    public async Task Post_SecondChannelsLinkAfterAcknowledge_ShowsWhoWasFirst()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var sms = HubHarness.PathOf((await _hub.PageAsync("1001", "sms")).Links[0].Url);
        var teams = HubHarness.PathOf((await _hub.PageAsync("1001", "teams")).Links[0].Url);

        await _hub.Client.PostAsync(sms, null);
        var response = await _hub.Client.PostAsync(teams, null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Nothing changed</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Ticket #1001 was already acknowledged by alice.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ExpiredLink_Is410AndDoesNotAct()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var page = await _hub.PageAsync("1001");
        _hub.Clock.Set(page.Links[0].Expires);

        var response = await _hub.Client.PostAsync(HubHarness.PathOf(page.Links[0].Url), null);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("This link has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await _hub.TicketAsync("1001")).GetProperty("escalation").GetProperty("stoppedBy").GetString());
    }

    [Fact]
    public async Task Post_TamperedOrForeignToken_Is403_AndGarbageIs400()
    {
        await _hub.OpenAsync("1001", severity: 1);
        var link = (await _hub.PageAsync("1001")).Links[0].Url;
        var token = link[(link.LastIndexOf('/') + 1)..];
        var payload = token.Split('.')[0];
        var claim = new LinkClaim("1001", LinkAction.Acknowledge, "mallory", _hub.Clock.GetCurrentInstant() + Duration.FromHours(1), "n");
        var foreign = new LinkSigner("someone-elses-key-0123456789abcdef-012345", HubHarness.PublicBaseUrl).Sign(claim);

        var tampered = await _hub.Client.PostAsync($"/api/links/{payload}.{foreign.Split('.')[1]}", null);
        var forged = await _hub.Client.PostAsync($"/api/links/{foreign}", null);
        var garbage = await _hub.Client.PostAsync("/api/links/not-a-token", null);

        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("This link cannot be used", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await _hub.TicketAsync("1001")).GetProperty("escalation").GetProperty("stoppedBy").GetString());
    }

    [Fact]
    public async Task Post_ApproveLink_AsksWithTheRate_ThenRecordsTheApproval()
    {
        // Severity 3 on a Saturday night: after hours, billable, so Dana is asked first.
        await _hub.OpenAsync("1002", severity: 3);
        var request = await _hub.NotificationAsync(n => n.Ticket == "1002" && n.Purpose == "approval-request" && n.Via == "email");
        var approve = HubHarness.PathOf(request.Links.Single(l => l.Action == "approve").Url);

        var question = await (await _hub.Client.GetAsync(approve)).Content.ReadAsStringAsync();
        var answer = await _hub.Client.PostAsync(approve, null);

        Assert.Contains("<h1>Approve after-hours work on ticket #1002 at 200 USD per hour?</h1>", question, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("You approved after-hours work on ticket #1002 at 200 USD per hour.", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var billing = (await _hub.TicketAsync("1002")).GetProperty("billing");
        Assert.Equal(("approved", "dana@acme.gov"), (billing.GetProperty("status").GetString(), billing.GetProperty("answeredBy").GetString()));
    }

    [Fact]
    public async Task Post_DeclineAfterApprove_SaysItWasAlreadyApproved()
    {
        await _hub.OpenAsync("1002", severity: 3);
        var request = await _hub.NotificationAsync(n => n.Ticket == "1002" && n.Purpose == "approval-request" && n.Via == "email");

        await _hub.Client.PostAsync(HubHarness.PathOf(request.Links.Single(l => l.Action == "approve").Url), null);
        var response = await _hub.Client.PostAsync(HubHarness.PathOf(request.Links.Single(l => l.Action == "decline").Url), null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Ticket #1002 was already approved by dana@acme.gov.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
