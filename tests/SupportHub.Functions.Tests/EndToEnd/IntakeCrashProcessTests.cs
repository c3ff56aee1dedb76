using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
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
        // One hub, started again on the same folder and port after each kill.
        using var hub = new HubProcess(_data.Path, HubFactory.Fixture("intake-policy.json"), new Dictionary<string, string?>
        {
            ["SupportHub__Queues__PollInterval"] = "00:00:00.050",
            // A message leased by the killed process is delivered again this soon.
            ["SupportHub__Queues__Lease"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        })
        {
            Patience = Patience,
            HttpTimeout = TimeSpan.FromSeconds(10),
        };
        var accepted = new ConcurrentDictionary<string, string>(); // messageId -> ticket
        var next = 0;
        var attempts = 0;

        for (var round = 0; round < Rounds; round++)
        {
            await hub.StartAsync();
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        var response = await hub.ChatAsync($"crash-{n}", $"Payment page is down (crash-{n})", severity: 1);
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
            await hub.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            output.WriteLine($"round {round + 1}: killed {delay} ms after the first 202 ({(DateTime.UtcNow - started).TotalMilliseconds:F0} ms in all); {attempts} requests sent, {accepted.Count} accepted so far");
        }

        Assert.True(accepted.Count >= Rounds, $"only {accepted.Count} of {attempts} requests were accepted before the kills");

        await hub.StartAsync();
        var tickets = accepted.Values.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(accepted.Count, tickets.Count); // each chat opened its own ticket

        // Wait until every accepted ticket has paged; then once more past a lease, so a duplicate
        // that a redelivery would produce has had time to appear.
        await hub.UntilAsync(
            async () => (await PagesAsync(hub)).Select(p => p.Ticket).ToHashSet(StringComparer.Ordinal),
            tickets.IsSubsetOf,
            paged => $"{tickets.Count(t => !paged.Contains(t))} of {tickets.Count} accepted tickets have not paged: {string.Join(", ", tickets.Where(t => !paged.Contains(t)).Take(10))}",
            every: TimeSpan.FromMilliseconds(200));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var pages = await PagesAsync(hub);
        output.WriteLine($"after restart: {tickets.Count} accepted tickets, {pages.Count} pages in the dev outbox");

        foreach (var ticket in tickets)
        {
            var response = await hub.Agent.GetAsync(new Uri($"/api/tickets/{ticket}", UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"ticket {ticket} answered {(int)response.StatusCode}");

            var mine = pages.Where(p => p.Ticket == ticket).ToList();
            Assert.True(mine.Count == 2 && mine.Count(p => p.Via == "teams") == 1 && mine.Count(p => p.Via == "sms") == 1
                && mine.Select(p => p.To).Distinct().Count() == 1,
                $"ticket {ticket} paged {string.Join("; ", mine.Select(p => $"{p.To} by {p.Via}"))}; expected the primary on call once by teams and once by sms");
        }
    }

    private static async Task<List<(string Ticket, string To, string Via)>> PagesAsync(HubProcess hub) =>
        [.. (await hub.PagesAsync()).Select(n => (n.GetProperty("ticket").GetString()!, n.GetProperty("to").GetString()!, n.GetProperty("via").GetString()!))];
}
