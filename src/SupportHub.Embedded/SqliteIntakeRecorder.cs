using SupportHub.Intake;
using SupportHub.Storage;

namespace SupportHub.Embedded;

/// <summary>
/// Intake's writes in the embedded hub, in one transaction on the file's single writer: for a new
/// ticket the reference counter (so a failed write gives its number back: references are consecutive,
/// with no gaps), the decision, the index rows and the tickets-inbound message. A 202 never stands for
/// half a ticket. A taken source key fails the whole write (<see cref="EntityConflictException"/>) with
/// nothing written.
/// </summary>
public sealed class SqliteIntakeRecorder(SqliteDatabase database, SqliteMessageQueue queue) : IIntakeRecorder
{
    public Task<string> RecordAsync(string? ticket, Func<string, IntakeWrites> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        return database.WriteAsync(session =>
        {
            var reference = ticket ?? TakeReference(session);
            var writes = build(reference);
            foreach (var change in writes.Changes)
            {
                EntityStoreLimits.ValidateKey(change.Key);
                if (change.Kind is not (EntityChangeKind.Create or EntityChangeKind.Set) || change.Payload is null)
                {
                    throw new ArgumentException($"Intake writes only creates and sets with a payload, not {change.Kind}.", nameof(build));
                }
            }
            SqliteEntityStore.Apply(session, TicketIntake.IndexTable, writes.Changes);
            if (writes.Message is { } message)
            {
                queue.Send(session, message.Queue, [message.Message]);
            }
            return reference;
        }, cancellationToken);
    }

    private static string TakeReference(SqliteSession session)
    {
        var row = SqliteEntityStore.Find(session, TicketReferences.Table, TicketReferences.Key);
        var (reference, counter) = TicketReferences.Take(row?.Payload);
        SqliteEntityStore.Apply(session, TicketReferences.Table, [EntityChange.Set(TicketReferences.Key, counter)]);
        return reference;
    }
}
