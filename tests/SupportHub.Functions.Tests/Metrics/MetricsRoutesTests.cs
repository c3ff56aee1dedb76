using System.Net;
using NodaTime;
using SupportHub.Functions.Tests.Workflows;

namespace SupportHub.Functions.Tests.Metrics;

// GET /api/metrics over the whole hub (real SQLite store and pump, fake clock): two emergencies open
// at 02:00 on a Saturday; #1001 gets a staff reply after 10 minutes (its response target of 1h is
// met), #1002 gets none and its response clock breaches at 03:00.
public sealed class MetricsRoutesTests : IAsyncLifetime
{
    private readonly HubHarness _hub = new();

    public async Task InitializeAsync()
    {
        await _hub.OpenAsync("1001", severity: 1);
        await _hub.OpenAsync("1002", severity: 1);
        await _hub.PageAsync("1001");
        await _hub.PageAsync("1002");
        _hub.Clock.Advance(Duration.FromMinutes(10));
        var reply = await _hub.AgentAsync(HttpMethod.Post, "/api/tickets/1001/reply", new { by = "alice", text = "Looking at it now." });
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        _hub.Clock.Advance(Duration.FromMinutes(55));
        await WaitForBreachAsync("1002");
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task Get_DefaultPeriod_ReportsFirstReplySlaAndCsatInSeconds()
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, "/api/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = await HubHarness.Json(response);
        Assert.Equal(2, metrics.GetProperty("tickets").GetInt32());
        Assert.Equal(2, metrics.GetProperty("open").GetInt32());
        var reply = metrics.GetProperty("firstReply");
        Assert.Equal(1, reply.GetProperty("all").GetProperty("count").GetInt32());
        Assert.Equal(600, reply.GetProperty("bySeverity").GetProperty("1").GetProperty("medianSeconds").GetDouble());
        Assert.Equal(600, reply.GetProperty("byTier").GetProperty("standard").GetProperty("p90Seconds").GetDouble());
        // Age of the open tickets now (65 minutes after both arrived).
        Assert.Equal(3900, metrics.GetProperty("ticketAge").GetProperty("all").GetProperty("meanSeconds").GetDouble());
        var sla = metrics.GetProperty("sla").GetProperty("response");
        Assert.Equal((1, 1, 0.5), (sla.GetProperty("met").GetInt32(), sla.GetProperty("breached").GetInt32(), sla.GetProperty("attainment").GetDouble()));
        var csat = metrics.GetProperty("csat");
        Assert.Equal(0, csat.GetProperty("good").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, csat.GetProperty("share").ValueKind);
        Assert.Equal("2026-10-22T04:05:00-05:00", metrics.GetProperty("from").GetString());
        Assert.Equal("2026-11-21T03:05:00-06:00", metrics.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Get_PeriodWithoutTheTickets_CountsNothing()
    {
        var metrics = await HubHarness.Json(await _hub.AgentAsync(HttpMethod.Get, "/api/metrics?from=2026-11-22&to=2026-11-30"));

        Assert.Equal(0, metrics.GetProperty("tickets").GetInt32());
        Assert.Equal(0, metrics.GetProperty("firstReply").GetProperty("all").GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("/api/metrics?from=last-week", "from")]
    [InlineData("/api/metrics?from=2026-11-21&to=2026-11-20", "to")]
    public async Task Get_BadOrInvertedPeriod_Is400ProblemJsonNamingTheParameter(string path, string field)
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await HubHarness.Json(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Get_WithoutTheApiKey_Is401()
    {
        var response = await _hub.AgentAsync(HttpMethod.Get, "/api/metrics", key: "not-the-key-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task WaitForBreachAsync(string ticket)
    {
        var deadline = DateTime.UtcNow + HubHarness.Patience;
        while (true)
        {
            var clocks = (await _hub.TicketAsync(ticket)).GetProperty("clocks").EnumerateArray();
            if (clocks.Any(c => c.GetProperty("target").GetString() == "response" && c.GetProperty("breached").ValueKind == System.Text.Json.JsonValueKind.String))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"ticket #{ticket}'s response clock did not breach in time");
            await Task.Delay(20);
        }
    }
}
