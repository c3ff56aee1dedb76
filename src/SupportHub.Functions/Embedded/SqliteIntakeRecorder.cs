using SupportHub.Intake;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

/// <summary>
/// Intake's writes in the embedded hub: the decision, the index rows and the tickets-inbound message
/// in one transaction on the file's single writer — one commit (one shared fsync) per accepted
/// request instead of three, and never a decision without its message. A taken source key fails the
/// whole write (<see cref="EntityConflictException"/>) with nothing written.
/// Because the message goes with the decision's Create, that Create is its duplicate detection: a
/// second delivery of the source message finds the key taken and writes nothing. So the queue's own
/// duplicate-id row is not written for it (a row at a random place in its index, about a fifth of the
/// pages an accepted request writes), and a message sent again for a decided source
/// (<see cref="QueuedMessage.Again"/>) is skipped: it was queued with the decision. For the same reason
/// intake keeps its decisions here without the command (<see cref="QueuesWithDecision"/>), and a
/// redelivery writes nothing at all; only decisions recorded by earlier builds are sent Again. Writes
/// without a Create send through the queue's duplicate detection as any sender does.
/// </summary>
internal sealed class SqliteIntakeRecorder(SqliteDatabase database, SqliteMessageQueue queue) : IIntakeRecorder
{
    /// <summary>The decision, its index rows and its message are one transaction.</summary>
    public bool QueuesWithDecision => true;

    public Task RecordAsync(IReadOnlyList<EntityChange> changes, QueuedMessage? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            EntityStoreLimits.ValidateKey(change.Key);
            if (change.Kind is not (EntityChangeKind.Create or EntityChangeKind.Set) || change.Payload is null)
            {
                throw new ArgumentException($"Intake writes only creates and sets with a payload, not {change.Kind}.", nameof(changes));
            }
        }
        if (message is not null)
        {
            MessageQueueRules.ValidateQueue(message.Queue);
            MessageQueueRules.ValidateMessage(message.Message);
        }
        if (changes.Count == 0 && message is null)
        {
            return Task.CompletedTask;
        }
        if (changes.Count > 0)
        {
            database.EnsureEntityWrites();
        }
        return database.WriteAsync(writer =>
        {
            if (changes.Count > 0)
            {
                SqliteEntityStore.Apply(writer, TicketIntake.IndexTable, changes);
            }
            if (message is not null && !message.Again)
            {
                var decided = changes.Any(change => change.Kind == EntityChangeKind.Create);
                queue.Send(writer, message.Queue, [message.Message], detectDuplicates: !decided);
            }
            return true;
        }, cancellationToken);
    }

    /// <summary>The SQLite recorder when the store and the sender are this file's; otherwise one write after another.</summary>
    public static IIntakeRecorder For(IEntityStore store, IMessageSender sender) =>
        store is SqliteEntityStore sqliteStore && sender is SqliteMessageQueue sqliteQueue && sqliteStore.Database == sqliteQueue.Database
            ? new SqliteIntakeRecorder(sqliteStore.Database, sqliteQueue)
            : new SequentialIntakeRecorder(store, sender);
}
