using NodaTime;
using NodaTime.Text;
using SupportHub.Embedded;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Embedded;

// At-least-once across a real crash: a consumer process leases a message and is SIGKILLed before
// it completes. Nothing in that process gets to run on the way down, so only what SQLite committed
// counts. The parent's fake clock then passes the lease and a new consumer must get the message.

public sealed class SqliteQueueCrashTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);
    private static readonly Duration Lease = Duration.FromSeconds(30);

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Receive_ConsumerKilledBeforeCompleting_RedeliversToTheNextConsumerAfterTheLease()
    {
        var clock = FakeClock.AtEpoch();
        using (var database = SqliteDatabase.InFolder(_folder.Path))
        {
            await new SqliteMessageQueue(database, clock, MessageQueueOptions.Default)
                .SendAsync(QueueNames.TicketsInbound, new OutgoingMessage("email-<abc@acme.gov>", "{\"subject\":\"down\"}"), CancellationToken.None);
        }

        using (var consumer = DotnetProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "SupportHub.QueueCrashProbe.dll"),
            [_folder.Path, QueueNames.TicketsInbound, InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()), ((int)Lease.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            var line = await consumer.WaitForLineAsync(l => l.StartsWith("received ", StringComparison.Ordinal) || l == "empty", ProcessTimeout);
            Assert.Equal("received email-<abc@acme.gov> 1", line);
            await consumer.KillAsync(ProcessTimeout);
        }

        using var reopened = SqliteDatabase.InFolder(_folder.Path);
        var queue = new SqliteMessageQueue(reopened, clock, MessageQueueOptions.Default);
        Assert.Null(await queue.ReceiveAsync(QueueNames.TicketsInbound, Lease, CancellationToken.None));
        clock.Advance(Lease);
        var redelivered = await queue.ReceiveAsync(QueueNames.TicketsInbound, Lease, CancellationToken.None);

        Assert.NotNull(redelivered);
        Assert.Equal(("email-<abc@acme.gov>", "{\"subject\":\"down\"}", 2), (redelivered.MessageId, redelivered.Body, redelivered.DeliveryCount));
        await queue.CompleteAsync(redelivered, CancellationToken.None);
    }
}
