using SupportHub.Storage;

namespace SupportHub.Intake;

// What ticket intake writes once it has decided: the decision row keyed by the source message (a
// Create, so a second delivery racing in finds it taken), the threading index rows, and the ticket's
// message on tickets-inbound; for a new ticket, first its reference (TicketReferences). Where one
// store holds all of it — the embedded hub's SQLite file — it is one transaction: a 202 never stands
// for half a ticket, and references have no gaps. In Azure they are separate services, written in
// that order: a crash in between leaves a decision without its message, and the channel's
// redelivery finds the decision and sends the message again (same MessageId, so nothing is doubled).

/// <summary>A message to put on a queue together with intake's index rows.</summary>
public sealed record QueuedMessage(string Queue, OutgoingMessage Message);

/// <summary>What one intake decision writes: rows of <see cref="TicketIntake.IndexTable"/> (Creates and Sets,
/// applied in order) and the message that goes with them.</summary>
public sealed record IntakeWrites(IReadOnlyList<EntityChange> Changes, QueuedMessage? Message);

/// <summary>Writes intake's decisions.</summary>
public interface IIntakeRecorder
{
    /// <summary>
    /// Takes the next ticket reference when <paramref name="ticket"/> is null (a new ticket), calls
    /// <paramref name="build"/> with the reference, and writes what it returns. A Create whose key is
    /// taken throws <see cref="EntityConflictException"/> before anything of this call is written.
    /// </summary>
    /// <returns>The ticket's reference.</returns>
    Task<string> RecordAsync(string? ticket, Func<string, IntakeWrites> build, CancellationToken cancellationToken);
}

/// <summary>The recorder for any <see cref="IEntityStore"/> and <see cref="IMessageSender"/>: one write after
/// another (the index rows live in different partitions, so no Submit can hold them together).</summary>
public sealed class SequentialIntakeRecorder(IEntityStore store, IMessageSender? sender) : IIntakeRecorder
{
    public async Task<string> RecordAsync(string? ticket, Func<string, IntakeWrites> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var reference = ticket ?? await TicketReferences.TakeAsync(store, cancellationToken);
        var writes = build(reference);
        foreach (var change in writes.Changes)
        {
            _ = change.Kind switch
            {
                EntityChangeKind.Create => await store.CreateAsync(TicketIntake.IndexTable, change.Key, change.Payload!, cancellationToken),
                EntityChangeKind.Set => await store.SetAsync(TicketIntake.IndexTable, change.Key, change.Payload!, cancellationToken),
                _ => throw new ArgumentException($"Intake writes only creates and sets, not {change.Kind}.", nameof(build)),
            };
        }
        if (writes.Message is { } message)
        {
            if (sender is null)
            {
                throw new InvalidOperationException("This intake recorder has no message sender.");
            }
            await sender.SendAsync(message.Queue, message.Message, cancellationToken);
        }
        return reference;
    }
}
