using SupportHub.Intake;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

/// <summary>
/// Intake's writes in the embedded hub: the decision, the index rows and the tickets-inbound message
/// in one transaction on the file's single writer — one commit (one shared fsync) per accepted
/// request instead of three, and never a decision without its message. A taken source key fails the
/// whole write (<see cref="EntityConflictException"/>) with nothing written.
/// </summary>
internal sealed class SqliteIntakeRecorder(SqliteDatabase database, SqliteMessageQueue queue) : IIntakeRecorder
{
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
        return database.WriteAsync(writer =>
        {
            if (changes.Count > 0)
            {
                SqliteEntityStore.Apply(writer, TicketIntake.IndexTable, changes);
            }
            if (message is not null)
            {
                queue.Send(writer, message.Queue, [message.Message]);
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
