using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SupportHub.Channels;
using SupportHub.Functions.Tests.Hosting;
using SupportHub.Testing;
using Xunit.Abstractions;

namespace SupportHub.Functions.Tests.EndToEnd;

// The durability promise of intake, against the built hub as a real process: a 202 means the ticket
// will exist, whatever happens next. Emergency chats from a designated contact (each its own
// conversation, so each opens a ticket that pages the on-call engineer at once) are sent by several
// clients at once while the process is killed with SIGKILL at a seeded random moment, then started
// again on the same data folder; four times. Finally every reference answered with 202 must be a
// ticket, and each such ticket's first page (teams and sms to the primary on call) must be in the
// dev outbox exactly once: not lost by a crash between the queue steps, not sent twice by the
// redelivery that follows one.

public sealed class IntakeCrashProcessTests(ITestOutputHelper output) : IDisposable
{
    private const string ApiKey = "crash-test-key-0123456789abcdef";
    private const string ChatSecret = "crash-chat-secret-0123456789";
    private const int Rounds = 4;
    private const int Clients = 8;
    // Messages leased by a killed process wait out their lease, then the retry delays (1 s, 5 s, 30 s…) of any that failed meanwhile.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Intake_KilledWhileAccepting_EveryAcceptedTicketExistsAndPagesOnce()
    {
        var random = new Random(20261122);
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var accepted = new ConcurrentDictionary<string, string>(); // messageId -> ticket
        var next = 0;
        var attempts = 0;

        for (var round = 0; round < Rounds; round++)
        {
            using var hub = await StartAsync(url);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        var response = await SendChatAsync(http, $"crash-{n}");
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                            accepted[$"crash-{n}"] = body.GetProperty("ticket").GetString()!;
                        }
                        else
                        {
                            Assert.Fail($"crash-{n}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        // The process died under this request: no answer, no promise.
                        return;
                    }
                }
            })).ToList();

            // The kill comes at a random moment after the round's first 202 (a freshly started process on a
            // busy machine may take longer than the whole window to answer its first request).
            var before = accepted.Count;
            var started = DateTime.UtcNow;
            while (accepted.Count == before && clients.Any(c => !c.IsCompleted))
            {
                Assert.True(DateTime.UtcNow - started < Patience, $"round {round + 1}: no request accepted within {Patience.TotalSeconds} s");
                await Task.Delay(20);
            }
            var delay = random.Next(300, 1500);
            await Task.Delay(delay);
            await hub.KillAsync(Patience);
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            output.WriteLine($"round {round + 1}: killed {delay} ms after the first 202 ({(DateTime.UtcNow - started).TotalMilliseconds:F0} ms in all); {attempts} requests sent, {accepted.Count} accepted so far");
        }

        Assert.True(accepted.Count >= Rounds, $"only {accepted.Count} of {attempts} requests were accepted before the kills");

        using var final = await StartAsync(url);
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        var tickets = accepted.Values.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(accepted.Count, tickets.Count); // each chat opened its own ticket

        // Wait until every accepted ticket has paged; then once more past a lease, so a duplicate
        // that a redelivery would produce has had time to appear.
        var deadline = DateTime.UtcNow + Patience;
        List<(string Ticket, string To, string Via)> pages;
        while (true)
        {
            pages = await PagesAsync(client);
            var paged = pages.Select(p => p.Ticket).ToHashSet(StringComparer.Ordinal);
            if (tickets.All(paged.Contains))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"{tickets.Count(t => !paged.Contains(t))} of {tickets.Count} accepted tickets have not paged: {string.Join(", ", tickets.Where(t => !paged.Contains(t)).Take(10))}");
            await Task.Delay(200);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        pages = await PagesAsync(client);
        output.WriteLine($"after restart: {tickets.Count} accepted tickets, {pages.Count} pages in the dev outbox");

        foreach (var ticket in tickets)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/tickets/{ticket}");
            request.Headers.Add("x-functions-key", ApiKey);
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"ticket {ticket} answered {(int)response.StatusCode}");

            var mine = pages.Where(p => p.Ticket == ticket).ToList();
            Assert.True(mine.Count == 2 && mine.Count(p => p.Via == "teams") == 1 && mine.Count(p => p.Via == "sms") == 1
                && mine.Select(p => p.To).Distinct().Count() == 1,
                $"ticket {ticket} paged {string.Join("; ", mine.Select(p => $"{p.To} by {p.Via}"))}; expected the primary on call once by teams and once by sms");
        }
    }

    private async Task<DotnetProcess> StartAsync(string url)
    {
        var hub = DotnetProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "SupportHub.Functions.dll"),
            [],
            new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = url,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["SupportHub__DataPath"] = _data.Path,
                ["SupportHub__Policy"] = HubFactory.Fixture("intake-policy.json"),
                ["SupportHub__ApiKey"] = ApiKey,
                ["SupportHub__Secrets__Email"] = "crash-email-secret-0123456789",
                ["SupportHub__Secrets__Chat"] = ChatSecret,
                ["SupportHub__Secrets__Phone"] = "crash-phone-secret-0123456789",
                ["SupportHub__Secrets__Sms"] = "crash-sms-secret-0123456789",
                ["SupportHub__Queues__PollInterval"] = "00:00:00.050",
                // A message leased by the killed process is delivered again this soon.
                ["SupportHub__Queues__Lease"] = "00:00:01",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            },
            workingDirectory: _data.Path);
        await hub.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Patience);
        return hub;
    }

    private static Task<HttpResponseMessage> SendChatAsync(HttpClient http, string messageId)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId,
            conversationId = $"conversation-{messageId}",
            account = "acme",
            from = new { name = "Dana Ortiz", email = "dana@acme.gov" },
            text = $"Payment page is down ({messageId})",
            severity = 1,
        });
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/intake/chat") { Content = content };
        request.Headers.Add(WebhookAuth.TimestampHeader, timestamp);
        request.Headers.Add(WebhookAuth.SignatureHeader, WebhookAuth.Sign(ChatSecret, timestamp, body));
        return http.SendAsync(request);
    }

    private static async Task<List<(string Ticket, string To, string Via)>> PagesAsync(HttpClient http)
    {
        var outbox = JsonDocument.Parse(await http.GetStringAsync(new Uri("/dev/outbox.json", UriKind.Relative))).RootElement;
        return [.. outbox.GetProperty("notifications").EnumerateArray()
            .Where(n => n.GetProperty("purpose").GetString() == "page")
            .Select(n => (n.GetProperty("ticket").GetString()!, n.GetProperty("to").GetString()!, n.GetProperty("via").GetString()!))];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
