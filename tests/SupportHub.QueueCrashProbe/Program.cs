using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SupportHub.Embedded;
using SupportHub.Storage;

namespace SupportHub.QueueCrashProbe;

// Usage: SupportHub.QueueCrashProbe <data folder> <queue> <now, ISO instant> <lease seconds>
// Leases one message at the parent test's fake "now", prints "received <message id> <delivery count>"
// (or "empty"), then holds the lease without completing until the parent kills the process.
// (A named class rather than top-level statements: the tests reference this assembly and the hub's,
// and both would otherwise declare a global Program.)
internal static class Probe
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length != 4)
        {
            await Console.Error.WriteLineAsync("usage: SupportHub.QueueCrashProbe <data folder> <queue> <now> <lease seconds>");
            return 2;
        }

        var now = InstantPattern.ExtendedIso.Parse(args[2]).GetValueOrThrow();
        var lease = Duration.FromSeconds(int.Parse(args[3], CultureInfo.InvariantCulture));
        using var database = SqliteDatabase.InFolder(args[0]);
        var queue = new SqliteMessageQueue(database, new FixedClock(now), MessageQueueOptions.Default);

        var message = await queue.ReceiveAsync(args[1], lease, CancellationToken.None);
        Console.WriteLine(message is null ? "empty" : $"received {message.MessageId} {message.DeliveryCount}");
        Console.Out.Flush();
        if (message is null)
        {
            return 1;
        }

        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    /// <summary>The parent test's fake time, handed over on the command line.</summary>
    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
