using System.Net;
using System.Net.Http.Json;
using SupportHub.Functions.Tests.Workflows;

namespace SupportHub.Functions.Tests.Tickets;

public sealed class TicketRoutesTests : IAsyncLifetime
{
    private readonly HubHarness _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.OpenAsync("1001", severity: 1);
        await _hub.PageAsync("1001");
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    // No header at all; a wrong key; the right key with a character missing (same prefix, shorter).
    [InlineData(null)]
    [InlineData("wrong-key-0123456789abcdef")]
    [InlineData(HubHarness.ApiKey + "x")]
    public async Task Get_WithoutTheApiKey_Is401ProblemJson(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tickets/1001");
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        var response = await _hub.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Post_WithoutTheApiKey_Is401AndDoesNotAct()
    {
        var response = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "bob" }, key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True((await _hub.TicketAsync("1001")).GetProperty("escalation").GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Get_Ticket_SummarisesStateClocksEscalationAndHistory()
    {
        var ticket = await _hub.TicketAsync("1001");

        Assert.Equal(("New", 1, "acme", "standard"), (ticket.GetProperty("status").GetString(), ticket.GetProperty("severity").GetInt32(),
            ticket.GetProperty("account").GetString(), ticket.GetProperty("tier").GetString()));
        Assert.Equal("dana@acme.gov", ticket.GetProperty("requester").GetProperty("email").GetString());
        var response = ticket.GetProperty("clocks").EnumerateArray().First(c => c.GetProperty("target").GetString() == "response");
        Assert.Equal("2026-11-21T03:00:00-06:00", response.GetProperty("due").GetString());
        Assert.False(string.IsNullOrEmpty(response.GetProperty("explain").GetString()));
        Assert.Equal("page", ticket.GetProperty("escalation").GetProperty("chain").GetString());
        var history = ticket.GetProperty("history").EnumerateArray().Select(l => l.GetProperty("type").GetString()).ToList();
        Assert.Equal("ticket.created", history[0]);
        Assert.Contains("escalation.step", history);
    }

    [Fact]
    public async Task Get_UnknownTicket_Is404()
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, "/api/tickets/9999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task List_ByStatusAndAccount_ReturnsMatchingTicketsOnly()
    {
        await _hub.OpenAsync("1002", severity: 3);
        await _hub.NotificationAsync(n => n.Ticket == "1002");
        await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1002/status", new { to = "Open", by = "bob" });

        var open = await HubHarness.Json(await _hub.AgentAsync(HttpMethod.Get, "/api/tickets?status=open&account=acme"));
        var all = await HubHarness.Json(await _hub.AgentAsync(HttpMethod.Get, "/api/tickets"));
        var otherAccount = await HubHarness.Json(await _hub.AgentAsync(HttpMethod.Get, "/api/tickets?account=globex"));
        var badStatus = await _hub.AgentAsync(HttpMethod.Get, "/api/tickets?status=sleeping");

        Assert.Equal(["1002"], open.GetProperty("tickets").EnumerateArray().Select(t => t.GetProperty("ticket").GetString()));
        Assert.Equal(2, all.GetProperty("tickets").GetArrayLength());
        Assert.Equal(0, otherAccount.GetProperty("tickets").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Contains("status", await badStatus.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reply_ByStaff_OpensTheTicketAndMeetsResponse()
    {
        var response = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/reply", new { by = "alice", text = "Looking now." });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ticket = await HubHarness.Json(response);
        Assert.Equal("Open", ticket.GetProperty("status").GetString());
        var clock = ticket.GetProperty("clocks").EnumerateArray().First(c => c.GetProperty("target").GetString() == "response");
        Assert.Equal("2026-11-21T02:00:00-06:00", clock.GetProperty("met").GetString());
    }

    [Fact]
    public async Task Reply_ToClosedTicket_Is409WithTheReason()
    {
        await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/status", new { to = "Solved", by = "alice" });
        await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/status", new { to = "Closed", by = "alice" });

        var response = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/reply", new { by = "alice", text = "One more thing" });

        await AssertProblem(response, HttpStatusCode.Conflict, "ticket #1001 is closed; a reply to it opens a follow-up ticket");
    }

    [Fact]
    public async Task Status_ToSolved_StopsTheEscalation_AndTheSameStatusAgainIs409()
    {
        var solved = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/status", new { to = "solved", by = "bob" });
        var again = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/status", new { to = "Solved", by = "bob" });

        Assert.Equal(HttpStatusCode.OK, solved.StatusCode);
        var ticket = await HubHarness.Json(solved);
        Assert.Equal("Solved", ticket.GetProperty("status").GetString());
        Assert.Equal("bob", ticket.GetProperty("escalation").GetProperty("stoppedBy").GetString());
        await AssertProblem(again, HttpStatusCode.Conflict, "ticket #1001 is already Solved");
    }

    [Fact]
    public async Task Severity_Change_IsApplied_AndAnUndefinedLevelIs422NamingLevel()
    {
        var changed = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/severity", new { level = 2, by = "alice" });
        var undefined = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/severity", new { level = 7, by = "alice" });

        Assert.Equal(2, (await HubHarness.Json(changed)).GetProperty("severity").GetInt32());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, undefined.StatusCode);
        Assert.True((await HubHarness.Json(undefined)).GetProperty("errors").TryGetProperty("level", out _));
    }

    [Fact]
    public async Task Ack_StopsTheEscalation_AndASecondAckIs409NamingTheFirst()
    {
        var first = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "bob" });
        var second = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "alice" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("bob", (await HubHarness.Json(first)).GetProperty("escalation").GetProperty("stoppedBy").GetString());
        await AssertProblem(second, HttpStatusCode.Conflict, "ticket #1001 was already acknowledged by bob");
    }

    [Fact]
    public async Task Ack_RepeatedWithTheSameIdempotencyKey_IsAnsweredNotRejected()
    {
        var first = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "bob" }, idempotencyKey: "ack-1");
        var retry = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "bob" }, idempotencyKey: "ack-1");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retry.StatusCode));
        var history = (await _hub.TicketAsync("1001")).GetProperty("history").EnumerateArray();
        Assert.Single(history, l => l.GetProperty("type").GetString() == "escalation.stopped");
    }

    [Fact]
    public async Task Ack_UnknownTicket_Is404()
    {
        var response = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/9999/ack", new { by = "bob" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Post_MalformedBodies_Are400NamingTheField_415ForNotJson_422ForUnknownPerson()
    {
        var missing = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/reply", new { by = "alice" });
        var wrongType = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/severity", new { level = "high", by = "alice" });
        using var notJsonBody = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/1001/ack") { Content = new StringContent("{by:", System.Text.Encoding.UTF8, "application/json") };
        notJsonBody.Headers.Add("x-functions-key", HubHarness.ApiKey);
        var unparsable = await _hub.Client.SendAsync(notJsonBody);
        using var form = new HttpRequestMessage(HttpMethod.Post, "/api/tickets/1001/ack") { Content = new FormUrlEncodedContent([new("by", "bob")]) };
        form.Headers.Add("x-functions-key", HubHarness.ApiKey);
        var notJson = await _hub.Client.SendAsync(form);
        var stranger = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/ack", new { by = "mallory" });
        var badStatus = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/status", new { to = "Sleeping", by = "bob" });

        Assert.True((await HubHarness.Json(missing)).GetProperty("errors").TryGetProperty("text", out _));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await HubHarness.Json(wrongType)).GetProperty("errors").TryGetProperty("level", out _));
        Assert.Equal(HttpStatusCode.BadRequest, unparsable.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stranger.StatusCode);
        Assert.True((await HubHarness.Json(stranger)).GetProperty("errors").TryGetProperty("by", out _));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStatus.StatusCode);
        Assert.True((await _hub.TicketAsync("1001")).GetProperty("escalation").GetProperty("active").GetBoolean());
    }

    [Theory]
    // A JSON string whose escapes spell a surrogate without its partner is not text (issue 22): a
    // malformed body, 400 naming the field, whether it is a field's value, a property name or the
    // split route's body; and the ticket is exactly as it was.
    [InlineData("reply", """{"by":"alice","text":"Looking \ud800 now"}""", "text")]
    [InlineData("status", """{"to":"Solved","by":"\udc00bob"}""", "by")]
    [InlineData("severity", """{"level":2,"by":"alice","\ud800":true}""", "body")]
    [InlineData("ack", """{"by":"bob\ud83d"}""", "by")]
    [InlineData("split", """{"ticket":"1002\ud800\ud800"}""", "ticket")]
    public async Task Post_UnpairedSurrogate_Is400NamingTheFieldAndChangesNothing(string action, string body, string field)
    {
        var before = await (await _hub.AgentAsync(HttpMethod.Get, "/api/tickets/1001")).Content.ReadAsStringAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tickets/1001/{action}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", HubHarness.ApiKey);

        var response = await _hub.Client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        // Agent routes list errors by field ({"errors": {"by": [...]}}); intake-style routes name it ({"field": "ticket"}).
        var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
        var named = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == System.Text.Json.JsonValueKind.Object
            ? errors.EnumerateObject().Select(e => e.Name).ToList()
            : [problem.GetProperty("field").GetString()!];
        Assert.Equal([field], named);
        Assert.Equal(before, await (await _hub.AgentAsync(HttpMethod.Get, "/api/tickets/1001")).Content.ReadAsStringAsync());
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString());
    }
}
