using System.CommandLine;
using NodaTime;
using NodaTime.Text;
using SupportHub.Embedded;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Cli.DeadLetters;

/// <summary>
/// <c>supporthub deadletters list [--queue Q] [--data FOLDER]</c> and <c>supporthub deadletters replay
/// [--queue Q] [--id ID] [--data FOLDER]</c>: the embedded hub's dead-lettered messages, with the reason
/// each was given up on, and sending them back to their queue once the cause is fixed. Works while the
/// hub runs (SQLite lets both write the file; the hub picks replayed messages up at its next poll).
/// </summary>
internal static class DeadLettersCommand
{
    public static Command Create()
    {
        var queue = new Option<string?>("--queue") { Description = $"One queue ({string.Join(", ", QueueNames.All)}); all when omitted." };
        var data = new Option<string?>("--data") { Description = "The hub's data folder; SupportHub__DataPath, else ./.supporthub." };
        var id = new Option<string?>("--id") { Description = "Replay only the message with this id." };

        var list = new Command("list", "Shows dead-lettered messages with the reason each was given up on.") { queue, data };
        list.SetAction(parse => Run(parse.GetValue(data), parse.GetValue(queue), parse.InvocationConfiguration.Error,
            (messages, name) => List(messages, name, parse.InvocationConfiguration.Output)));

        var replay = new Command("replay", "Sends dead-lettered messages back to their queue, as new deliveries.") { queue, id, data };
        replay.SetAction(parse => Run(parse.GetValue(data), parse.GetValue(queue), parse.InvocationConfiguration.Error,
            (messages, name) => Replay(messages, name, parse.GetValue(id), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error)));

        return new Command("deadletters", "The embedded hub's dead letters: list them, replay them.") { list, replay };
    }

    private static int Run(string? dataOption, string? queueOption, TextWriter error, Func<SqliteMessageQueue, IReadOnlyList<string>, int> verb)
    {
        if (queueOption is not null && !QueueNames.All.Contains(queueOption))
        {
            error.WriteLine($"supporthub: --queue \"{queueOption}\" is not a queue of the hub ({string.Join(", ", QueueNames.All)})");
            return ExitCodes.InvalidInput;
        }
        var folder = Path.GetFullPath(dataOption ?? Environment.GetEnvironmentVariable("SupportHub__DataPath") ?? ".supporthub");
        var file = Path.Combine(folder, SqliteDatabase.FileName);
        if (!File.Exists(file))
        {
            error.WriteLine($"supporthub: no hub database at '{file}' (set --data to the hub's data folder)");
            return ExitCodes.InvalidInput;
        }
        try
        {
            using var database = SqliteDatabase.Open(file);
            var queue = new SqliteMessageQueue(database, SystemClock.Instance, MessageQueueOptions.Default);
            return verb(queue, queueOption is null ? QueueNames.All : [queueOption]);
        }
        catch (DamagedDatabaseException damaged)
        {
            error.WriteLine($"supporthub: {damaged.Message}");
            return ExitCodes.InvalidInput;
        }
    }

    private static int List(SqliteMessageQueue queue, IReadOnlyList<string> names, TextWriter output)
    {
        var count = 0;
        foreach (var name in names)
        {
            foreach (var letter in queue.ListDeadLettersAsync(name, CancellationToken.None).GetAwaiter().GetResult())
            {
                count++;
                output.WriteLine($"{letter.Queue}  {letter.MessageId}  dead-lettered {Format(letter.DeadLetteredAt)} after {letter.DeliveryCount} deliveries (enqueued {Format(letter.EnqueuedAt)})");
                output.WriteLine($"    reason: {letter.Reason}");
            }
        }
        output.WriteLine(count == 0 ? "no dead letters" : $"{count} dead letter(s); `supporthub deadletters replay` sends them back once the cause is fixed");
        return ExitCodes.Ok;
    }

    private static int Replay(SqliteMessageQueue queue, IReadOnlyList<string> names, string? id, TextWriter output, TextWriter error)
    {
        var replayed = names.SelectMany(name => queue.ReplayDeadLettersAsync(name, id, CancellationToken.None).GetAwaiter().GetResult()).ToList();
        foreach (var letter in replayed)
        {
            output.WriteLine($"replayed {letter.Queue}  {letter.MessageId}");
        }
        if (id is not null && replayed.Count == 0)
        {
            error.WriteLine($"supporthub: no dead letter with id \"{id}\"" + (names.Count == 1 ? $" in {names[0]}" : ""));
            return ExitCodes.InvalidInput;
        }
        output.WriteLine($"{replayed.Count} message(s) sent back to their queue");
        return ExitCodes.Ok;
    }

    private static string Format(Instant instant) => InstantPattern.General.Format(instant);
}
