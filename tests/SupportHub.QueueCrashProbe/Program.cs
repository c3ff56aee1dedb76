using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SupportHub.Functions.Embedded;
using SupportHub.QueueCrashProbe;

// Usage: SupportHub.QueueCrashProbe <data folder> <queue> <now, ISO instant> <lease seconds>
// Prints "received <message id> <delivery count>" (or "empty") and then waits to be killed: the
// lease it holds must outlive it only until the lease ends.
if (args.Length != 4)
{
    await Console.Error.WriteLineAsync("usage: SupportHub.QueueCrashProbe <data folder> <queue> <now> <lease seconds>");
    return 2;
}

var now = InstantPattern.ExtendedIso.Parse(args[2]).GetValueOrThrow();
var lease = Duration.FromSeconds(int.Parse(args[3], CultureInfo.InvariantCulture));
using var database = SqliteDatabase.InFolder(args[0]);
var queue = new SqliteMessageQueue(database, new FixedClock(now), SupportHub.Workflows.MessageQueueOptions.Default);

var message = await queue.ReceiveAsync(args[1], lease, CancellationToken.None);
Console.WriteLine(message is null ? "empty" : $"received {message.MessageId} {message.DeliveryCount}");
Console.Out.Flush();
if (message is null)
{
    return 1;
}

// Holding the lease, never completing: the parent kills this process here.
await Task.Delay(Timeout.Infinite);
return 0;

namespace SupportHub.QueueCrashProbe
{
    /// <summary>The parent test's fake time, handed over on the command line.</summary>
    internal sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
