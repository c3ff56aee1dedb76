using SupportHub.Workflows;

namespace SupportHub.Intake;

// What ticket intake writes once it has decided: the decision record keyed by the source message
// (a Create, so a second delivery racing in finds it taken), the threading index rows (Sets), and,
// when the caller asked for it, the ticket's message on tickets-inbound. In Azure these are separate
// services, written in that order: a crash in between leaves a decision without its message, and the
// channel's redelivery finds the decision and sends the message again (same MessageId, so nothing is
// doubled). Where one store holds both — the embedded hub's SQLite file — they are written in one
// transaction: one commit on the request path instead of three.

/// <summary>A message to put on a queue together with intake's index rows.</summary>
public sealed record QueuedMessage(string Queue, OutgoingMessage Message)
{
    /// <summary>Sent again for a source message decided before (a redelivery): a recorder that wrote the
    /// message in the same transaction as that decision knows it is queued already and may skip it.</summary>
    public bool Again { get; init; }
}

/// <summary>Writes intake's index rows (and the message that goes with them).</summary>
public interface IIntakeRecorder
{
    /// <summary>
    /// Applies <paramref name="changes"/> to <see cref="TicketIntake.IndexTable"/> in order, then sends
    /// <paramref name="message"/> when given. A Create whose key is taken throws
    /// <see cref="EntityConflictException"/> before anything of this call is written.
    /// </summary>
    Task RecordAsync(IReadOnlyList<EntityChange> changes, QueuedMessage? message, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the message is written in the same transaction as the changes, so that a decision recorded
    /// is a message queued: then intake records a decision without its command (it is never sent again),
    /// and a redelivery of the source message writes nothing. False for a recorder that writes one after another.
    /// </summary>
    bool QueuesWithDecision => false;
}

/// <summary>The recorder for any <see cref="IEntityStore"/> and <see cref="IMessageSender"/>: one write after
/// another (the index rows live in different partitions, so no Submit can hold them together).</summary>
public sealed class SequentialIntakeRecorder(IEntityStore store, IMessageSender? sender) : IIntakeRecorder
{
    public async Task RecordAsync(IReadOnlyList<EntityChange> changes, QueuedMessage? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            _ = change.Kind switch
            {
                EntityChangeKind.Create => await store.CreateAsync(TicketIntake.IndexTable, change.Key, change.Payload!, cancellationToken),
                EntityChangeKind.Set => await store.SetAsync(TicketIntake.IndexTable, change.Key, change.Payload!, cancellationToken),
                _ => throw new ArgumentException($"Intake writes only creates and sets, not {change.Kind}.", nameof(changes)),
            };
        }
        if (message is not null)
        {
            if (sender is null)
            {
                throw new InvalidOperationException("This intake recorder has no message sender.");
            }
            await sender.SendAsync(message.Queue, message.Message, cancellationToken);
        }
    }
}
