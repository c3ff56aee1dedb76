using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NodaTime;
using SupportHub.Testing;
using SupportHub.Tickets;
using Xunit.Abstractions;

namespace SupportHub.Board.Tests;

// The SLA board as a person sees it: the real hub process, tickets from the real intake endpoints
// (signed chat and phone webhooks) and agent routes, and /board in headless Chromium.
//   A  chat, Acme Sev 1 from Dana (an emergency contact): pages whoever is on call now; that person
//      acknowledges and replies through the agent routes.
//   B  phone, Riverton Sev 2 (enterprise, always open): alice replies, then sets it Pending.
//   C  chat, Acme Sev 3: after hours (the policy opens one hour on a day three days away), so it waits
//      for Dana's approval of billable work.
//   D  Riverton Sev 2 received three hours ago: its 1h response target is breached.
// SLA response attainment is then 2 met (A, B) of 3 decided (D breached).
public sealed class BoardPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Screenshots = Path.Combine(Path.GetTempPath(), "supporthub-board-tests");

    private readonly BoardHub _hub = new();
    private readonly TemporaryDirectory _profile = new();

    public Task InitializeAsync() => _hub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _profile.Dispose();
    }

    [ChromiumFact]
    public async Task Board_AfterTheKey_ShowsTicketsClocksEscalationApprovalsAndCharts()
    {
        var (a, b, c, d) = await SeedAsync();
        var paged = (await _hub.AgentAsync(HttpMethod.Get, "/board.json")).GetProperty("tickets").EnumerateArray()
            .Single(t => t.GetProperty("ticket").GetString() == a).GetProperty("escalation").GetProperty("paged")[0];
        var pagedName = paged.GetProperty("name").GetString()!;
        var metrics = await _hub.AgentAsync(HttpMethod.Get, "/api/metrics");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, _profile.Path);
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var failedRequests = new List<string>();
        page.RequestFailed += (_, request) => failedRequests.Add(request.Url);
        await page.GotoAsync(_hub.Url + "/board");

        // The key first: nothing of the board before it.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter the API key" })).ToBeVisibleAsync();
        Assert.False(await page.Locator("#board").IsVisibleAsync());
        await page.GetByRole(AriaRole.Textbox, new() { Name = "API key", Exact = true }).FillAsync(HubProcess.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the board" }).ClickAsync();

        var tickets = page.GetByRole(AriaRole.Table, new() { Name = "Open tickets" });
        await Assertions.Expect(tickets).ToBeVisibleAsync();
        foreach (var ticket in new[] { a, b, c, d })
        {
            await Assertions.Expect(tickets.Locator($"tr[data-ticket='{ticket}']")).ToBeVisibleAsync();
        }

        // D: breached, in words and in red.
        var breached = tickets.Locator($"tr[data-ticket='{d}'] li[data-target='response']");
        await Assertions.Expect(breached).ToContainTextAsync("Response: breached");
        // The clocks tick every second by replacing the rows, so the colour is read through a retrying
        // assertion: a one-shot evaluate can land on a row just detached (whose computed style is empty).
        await Assertions.Expect(breached).ToHaveCSSAsync("color", "rgb(176, 0, 32)");
        // B: Pending, so its restore clock waits.
        await Assertions.Expect(tickets.Locator($"tr[data-ticket='{b}'] li[data-target='restore']")).ToContainTextAsync("paused while Pending");
        // A: who was paged and who acknowledged.
        var escalation = tickets.Locator($"tr[data-ticket='{a}'] td.escalation");
        await Assertions.Expect(escalation).ToContainTextAsync($"Acknowledged by {pagedName}");
        await Assertions.Expect(escalation).ToContainTextAsync($"Paged: {pagedName} (");
        // A's restore clock (24h) counts down live, between polls too.
        var restore = tickets.Locator($"tr[data-ticket='{a}'] li[data-target='restore']");
        var before = await restore.InnerTextAsync();
        Assert.Matches(@"^Restore: 2[34]h \d\dm \d\ds left$", before);
        await page.WaitForFunctionAsync(
            "([sel, text]) => document.querySelector(sel).textContent !== text",
            new object[] { $"#tickets tr[data-ticket='{a}'] li[data-target='restore']", before });

        // C waits for Dana's approval.
        var approvals = page.GetByRole(AriaRole.Table, new() { Name = "Pending billing approvals" });
        await Assertions.Expect(approvals.Locator($"tr[data-ticket='{c}']")).ToContainTextAsync("USD 200 per hour");
        await Assertions.Expect(tickets.Locator($"tr[data-ticket='{c}']")).ToContainTextAsync("Approval pending");

        // Charts: SLA attainment per target, first reply p50/p90 per severity (the API's figures), CSAT.
        var sla = page.Locator("#chart-sla svg");
        await Assertions.Expect(sla).ToContainTextAsync("66.7% (2 met, 1 breached)");
        await Assertions.Expect(sla.Locator("rect.bar").First).ToHaveAttributeAsync("data-value", Number(2.0 / 3));
        var reply = metrics.GetProperty("firstReply").GetProperty("bySeverity");
        var bars = page.Locator("#chart-first-reply svg rect.bar");
        Assert.Equal(
            [Number(reply.GetProperty("1").GetProperty("medianSeconds").GetDouble()), Number(reply.GetProperty("1").GetProperty("p90Seconds").GetDouble()),
             Number(reply.GetProperty("2").GetProperty("medianSeconds").GetDouble()), Number(reply.GetProperty("2").GetProperty("p90Seconds").GetDouble())],
            await bars.EvaluateAllAsync<string[]>("bars => bars.map(b => b.getAttribute('data-value'))"));
        await Assertions.Expect(page.Locator("#chart-first-reply svg")).ToContainTextAsync("Sev 1 median");
        await Assertions.Expect(page.Locator("#chart-csat")).ToContainTextAsync("no ratings yet (0 good, 0 bad)");

        // The key stays in the tab, out of the URL; nothing was fetched from anywhere else.
        Assert.Equal(_hub.Url + "/board", page.Url);
        Assert.Equal(HubProcess.ApiKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('supporthub.board.key')"));
        Assert.Empty(failedRequests);

        Directory.CreateDirectory(Screenshots);
        var shot = Path.Combine(Screenshots, "board.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");

        // A reload keeps the key for this tab.
        await page.ReloadAsync();
        await Assertions.Expect(tickets.Locator($"tr[data-ticket='{d}']")).ToBeVisibleAsync();
        Assert.DoesNotContain(HubProcess.ApiKey, _hub.Output, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task Board_WrongKey_IsRefusedForgottenAndAskedAgain()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, _profile.Path);
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        await page.GotoAsync(_hub.Url + "/board");

        await page.GetByRole(AriaRole.Textbox, new() { Name = "API key", Exact = true }).FillAsync("not-the-key-0123456789");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the board" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The hub refused that key");
        Assert.False(await page.Locator("#board").IsVisibleAsync());
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('supporthub.board.key')"));
        Assert.Equal(_hub.Url + "/board", page.Url);
    }

    // The charts draw exactly the figures they are given: a snapshot with ratings and round numbers,
    // served in place of the hub's /board.json (the page, script and style still come from the hub).
    [ChromiumFact]
    public async Task Board_Charts_DrawTheSnapshotsFiguresAsBarsAndText()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, _profile.Path);
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        await page.RouteAsync("**/board.json", route => route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = CannedSnapshot }));
        await page.GotoAsync(_hub.Url + "/board");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "API key", Exact = true }).FillAsync("any-key-the-route-answers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the board" }).ClickAsync();

        await Assertions.Expect(page.Locator("#tickets")).ToContainTextAsync("No open tickets.");
        await Assertions.Expect(page.Locator("#approvals")).ToContainTextAsync("No approvals pending.");
        var reply = page.Locator("#chart-first-reply svg");
        await Assertions.Expect(reply).ToContainTextAsync("10m 00s");
        await Assertions.Expect(reply).ToContainTextAsync("1h 30m 00s (2 ticket(s))");
        await Assertions.Expect(reply).ToContainTextAsync("45s");
        Assert.Equal(["600", "5400", "45", "45"],
            await reply.Locator("rect.bar").EvaluateAllAsync<string[]>("bars => bars.map(b => b.getAttribute('data-value'))"));
        // Bar lengths are proportional: the longest figure (p90 of Sev 1) gets the full width.
        var widths = await reply.Locator("rect.bar").EvaluateAllAsync<double[]>("bars => bars.map(b => Number(b.getAttribute('width')))");
        Assert.Equal(widths.Max(), widths[1]);
        Assert.Equal(Math.Round(widths[1] * 600 / 5400), widths[0]);
        await Assertions.Expect(page.Locator("#chart-sla svg")).ToContainTextAsync("90% (9 met, 1 breached)");
        await Assertions.Expect(page.Locator("#chart-sla svg")).ToContainTextAsync("restore");
        await Assertions.Expect(page.Locator("#chart-csat svg")).ToContainTextAsync("75% good (3 good, 1 bad)");
        await Assertions.Expect(page.Locator("#chart-csat")).ToContainTextAsync("Seed definition: 3 satisfied per unsatisfied.");
        Assert.Equal("0.75", await page.Locator("#chart-csat svg rect.bar").GetAttributeAsync("data-value"));
    }

    private const string CannedSnapshot = """
        {
          "now": "2026-11-21T02:00:00-06:00", "timeZone": "America/Chicago", "tickets": [], "approvals": [],
          "metrics": {
            "from": "2026-10-22T03:00:00-05:00", "to": "2026-11-21T02:00:00-06:00", "tickets": 12, "open": 0,
            "firstReply": {
              "all": { "count": 3, "medianSeconds": 600, "p90Seconds": 5400, "meanSeconds": 2015 },
              "bySeverity": {
                "1": { "count": 2, "medianSeconds": 600, "p90Seconds": 5400, "meanSeconds": 3000 },
                "3": { "count": 1, "medianSeconds": 45, "p90Seconds": 45, "meanSeconds": 45 }
              },
              "byTier": {}
            },
            "ticketAge": { "all": { "count": 0, "medianSeconds": null, "p90Seconds": null, "meanSeconds": null }, "bySeverity": {}, "byTier": {} },
            "resolution": { "all": { "count": 0, "medianSeconds": null, "p90Seconds": null, "meanSeconds": null }, "bySeverity": {}, "byTier": {} },
            "sla": {
              "response": { "met": 9, "breached": 1, "attainment": 0.9 },
              "restore": { "met": 0, "breached": 0, "attainment": null },
              "resolve": { "met": 4, "breached": 0, "attainment": 1 }
            },
            "csat": { "good": 3, "bad": 1, "share": 0.75, "satisfiedPerUnsatisfied": 3 }
          }
        }
        """;

    private async Task<(string A, string B, string C, string D)> SeedAsync()
    {
        var a = await _hub.ChatAsync("m-a", "acme", "Dana Ortiz", "dana@acme.gov", "Our payment page is down", 1);
        var b = await _hub.PhoneAsync("call-b", "+16085550100", "support", 2, "the nightly export is failing");
        var c = await _hub.ChatAsync("m-c", "acme", "Dana Ortiz", "dana@acme.gov", "Export to CSV drops the last column", 3);
        const string d = "9001";
        await _hub.OpenReceivedEarlierAsync(d, "riverton", "enterprise", 2, new Requester("Sam Lee", "sam@riverton.org", "+16085550101"),
            "Reports are slow", Duration.FromHours(3));

        var board = await _hub.BoardWhenAsync(
            json => Ticket(json, a) is { } t && t.GetProperty("escalation").GetProperty("paged").GetArrayLength() > 0
                && Ticket(json, b) is not null && Ticket(json, c) is not null && Ticket(json, d) is not null,
            "the four tickets and the page");
        var oncall = Ticket(board, a)!.Value.GetProperty("escalation").GetProperty("paged")[0].GetProperty("person").GetString()!;
        await _hub.AgentAsync(HttpMethod.Post, $"/api/tickets/{a}/ack", new { by = oncall });
        await _hub.AgentAsync(HttpMethod.Post, $"/api/tickets/{a}/reply", new { by = oncall, text = "On it." });
        await _hub.AgentAsync(HttpMethod.Post, $"/api/tickets/{b}/reply", new { by = "alice", text = "Which export job?" });
        await _hub.AgentAsync(HttpMethod.Post, $"/api/tickets/{b}/status", new { to = "Pending", by = "alice" });
        await _hub.BoardWhenAsync(json => Ticket(json, d)!.Value.GetProperty("clocks").EnumerateArray()
            .Any(k => k.GetProperty("target").GetString() == "response" && k.GetProperty("state").GetString() == "breached"), "the breach of #9001");
        return (a, b, c, d);
    }

    private static JsonElement? Ticket(JsonElement board, string ticket) =>
        board.GetProperty("tickets").EnumerateArray().Where(t => t.GetProperty("ticket").GetString() == ticket).Select(t => (JsonElement?)t).FirstOrDefault();

    // What JavaScript's String(number) gives for these values: the shortest round-trip form, as .NET's "R".
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
