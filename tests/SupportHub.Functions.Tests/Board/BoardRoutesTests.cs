using System.Net;
using System.Text.Json;
using NodaTime;
using SupportHub.Functions.Tests.Workflows;

namespace SupportHub.Functions.Tests.Board;

// GET /board.json over the whole hub on the fake clock (Saturday 02:00 Chicago, after hours; alice is
// primary on call): #1001 an emergency paged to alice and acknowledged by her, then set Pending;
// #1003 a Sev 3 that needs Dana's approval for after-hours work first.
public sealed class BoardRoutesTests : IAsyncLifetime
{
    private readonly HubHarness _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.OpenAsync("1001", severity: 1);
        await _hub.OpenAsync("1003", severity: 3);
        await _hub.PageAsync("1001");
        await _hub.NotificationAsync(n => n.Ticket == "1003" && n.Purpose == "approval-request");
        Assert.Equal(HttpStatusCode.OK, (await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "alice" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/status", new { to = "Pending", by = "alice" })).StatusCode);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Json_ShowsOpenTicketsClocksEscalationAndPendingApprovals()
    {
        var board = await BoardAsync();

        Assert.Equal("2026-11-21T02:00:00-06:00", board.GetProperty("now").GetString());
        var tickets = board.GetProperty("tickets").EnumerateArray().ToDictionary(t => t.GetProperty("ticket").GetString()!);
        Assert.Equal(["1001", "1003"], tickets.Keys.Order());

        var emergency = tickets["1001"];
        Assert.True(emergency.GetProperty("pending").GetBoolean());
        var escalation = emergency.GetProperty("escalation");
        Assert.Equal("Alice", escalation.GetProperty("acknowledgedBy").GetString());
        var paged = Assert.Single(escalation.GetProperty("paged").EnumerateArray());
        Assert.Equal(("alice", "Alice"), (paged.GetProperty("person").GetString(), paged.GetProperty("name").GetString()));
        Assert.Contains("sms", paged.GetProperty("via").EnumerateArray().Select(v => v.GetString()));
        var restore = Clock(emergency, "restore");
        Assert.Equal(("paused", 24 * 3600.0), (restore.GetProperty("state").GetString(), restore.GetProperty("remainingSeconds").GetDouble()));

        var approval = Assert.Single(board.GetProperty("approvals").EnumerateArray());
        Assert.Equal("1003", approval.GetProperty("ticket").GetString());
        Assert.Equal((200m, "USD", "hour"), (approval.GetProperty("rate").GetDecimal(), approval.GetProperty("currency").GetString(), approval.GetProperty("per").GetString()));
        Assert.Equal(2 * 3600.0, approval.GetProperty("deadlineInSeconds").GetDouble());
        Assert.Equal("requested", tickets["1003"].GetProperty("billing").GetProperty("status").GetString());
        Assert.Equal(2, board.GetProperty("metrics").GetProperty("tickets").GetInt32());
    }

    [Fact]
    public async Task Json_LaterOnTheClock_RunningClocksCountDownAndPausedOnesWait()
    {
        var before = Clock((await BoardAsync()).GetProperty("tickets").EnumerateArray().First(t => t.GetProperty("ticket").GetString() == "1003"), "response");
        _hub.Clock.Advance(Duration.FromMinutes(30));

        var board = await BoardAsync();
        var tickets = board.GetProperty("tickets").EnumerateArray().ToDictionary(t => t.GetProperty("ticket").GetString()!);
        var after = Clock(tickets["1003"], "response");
        Assert.Equal("running", after.GetProperty("state").GetString());
        Assert.Equal(before.GetProperty("remainingSeconds").GetDouble() - 1800, after.GetProperty("remainingSeconds").GetDouble());
        Assert.Equal(24 * 3600.0, Clock(tickets["1001"], "restore").GetProperty("remainingSeconds").GetDouble());
    }

    [Fact]
    public async Task Json_WithoutTheApiKey_Is401()
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, "/board.json", key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/board", "text/html")]
    [InlineData("/board.js", "text/javascript")]
    [InlineData("/board.css", "text/css")]
    public async Task Page_ServedWithoutKeyOrDataUnderAStrictPolicy(string path, string mediaType)
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, path, key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("form-action 'none'", csp, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(HubHarness.ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("#1001", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_KeyInputHasNoNameSoItCannotReachAQueryString()
    {
        var html = await _hub.Client.GetStringAsync(new Uri("/board", UriKind.Relative));

        Assert.Contains("<input id=\"api-key\" type=\"password\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("name=\"", html.Split("<input", 2)[1].Split('>', 2)[0], StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    private async Task<JsonElement> BoardAsync()
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, "/board.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await HubHarness.Json(response);
    }

    private static JsonElement Clock(JsonElement ticket, string target) =>
        ticket.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("target").GetString() == target);
}
