using NodaTime;

namespace SupportHub.Storage;

// The queue ports. Sending is what the hub's code does everywhere (intake, the workflow runtime
// dispatching its outbox, durable timers as scheduled messages): IMessageSender, which the Service
// Bus adapter implements over REST. Consuming is done by the Functions host's Service Bus triggers
// in Azure, so only the embedded and in-memory queues implement IMessageQueue, whose receive side
// follows Service Bus peek-lock semantics:
//
//   * at-least-once: Receive leases a message; Complete removes it; a lease that ends without
//     Complete (the consumer crashed, or was too slow) makes it deliverable again;
//   * Abandon(reason) makes it deliverable again after a growing delay (MessageQueueOptions.RetryDelays:
//     1 s, 5 s, 30 s, 2 min, 5 min, then 10 min), as the Functions host's exponential retry does;
//   * every lease counts a delivery; a message delivered MaxDeliveryCount times that is abandoned
//     or whose lease ends is moved to the dead letters with the reason (Service Bus's
//     maxDeliveryCount, 10 by default);
//   * a message is not delivered before its ScheduledFor (Service Bus scheduled enqueue);
//   * duplicate detection: a send whose MessageId the queue accepted within the last
//     DuplicateDetectionWindow (measured from the first acceptance, whether or not that message has
//     been consumed since) is dropped silently, as Service Bus does with requiresDuplicateDetection.
//
// Handlers must therefore be idempotent: the same message may arrive twice.

/// <summary>A message to send. <paramref name="MessageId"/> is the duplicate-detection key: derive it
/// from what the message is about (a source message id, an outbox row), never make one up per send.</summary>
/// <param name="Body">JSON.</param>
/// <param name="ScheduledFor">Not delivered before this instant; null for now.</param>
public sealed record OutgoingMessage(string MessageId, string Body, Instant? ScheduledFor = null)
{
    /// <summary>An emergency's message (its ticket, its page): a queue that can delivers it before the
    /// others waiting, so a flood of ordinary mail never holds up a page. Service Bus delivers in order.</summary>
    public bool Urgent { get; init; }
}

/// <summary>Sends to a named queue (the hub's are <c>Workflows.QueueNames</c>).</summary>
public interface IMessageSender
{
    Task SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken);

    /// <summary>Sends all or none of <paramref name="messages"/>; duplicates among them or of earlier sends are dropped.</summary>
    Task SendBatchAsync(string queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken);
}

/// <summary>A queue that can also be consumed: the embedded (SQLite) and in-memory forms.</summary>
public interface IMessageQueue : IMessageSender
{
    /// <summary>Leases the next deliverable message of <paramref name="queue"/> for <paramref name="lease"/>,
    /// or returns null when none is deliverable now.</summary>
    Task<LeasedMessage?> ReceiveAsync(string queue, Duration lease, CancellationToken cancellationToken);

    /// <summary>Removes the message for good. Throws <see cref="MessageLockLostException"/> when the
    /// message has been leased again since (its lease ended) or is gone.</summary>
    Task CompleteAsync(LeasedMessage message, CancellationToken cancellationToken);

    /// <summary>Gives the message back for another delivery after its retry delay, or dead-letters it with
    /// <paramref name="reason"/> when it has been delivered MaxDeliveryCount times. Throws
    /// <see cref="MessageLockLostException"/> like <see cref="CompleteAsync"/>.</summary>
    Task AbandonAsync(LeasedMessage message, string reason, CancellationToken cancellationToken);

    /// <summary>The queue's dead letters, oldest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, CancellationToken cancellationToken);
}

/// <summary>A message under a lease.</summary>
/// <param name="DeliveryCount">1 on the first delivery; counts every lease, as Service Bus does.</param>
/// <param name="LockToken">Identifies this delivery: Complete and Abandon with an older token fail.</param>
/// <param name="LockedUntil">When the lease ends and the message becomes deliverable again.</param>
public sealed record LeasedMessage(
    string Queue,
    string MessageId,
    string Body,
    int DeliveryCount,
    Instant EnqueuedAt,
    string LockToken,
    Instant LockedUntil);

/// <summary>A message the queue gave up on, kept for a person to inspect.</summary>
/// <param name="Reason">The last abandon reason, or why the last lease ended.</param>
public sealed record DeadLetter(
    string Queue,
    string MessageId,
    string Body,
    int DeliveryCount,
    Instant EnqueuedAt,
    Instant DeadLetteredAt,
    string Reason);

/// <summary>Settings of a consumable queue; the defaults are those of the hub's Service Bus queues (infra/).</summary>
public sealed record MessageQueueOptions
{
    public static MessageQueueOptions Default { get; } = new();

    /// <summary>Deliveries before a message is dead-lettered (Service Bus maxDeliveryCount).</summary>
    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>How long a message abandoned on its Nth delivery waits before the next one: the Nth entry, the last
    /// one for every delivery after. Growing, so a handler that fails for a while (a service away) is not
    /// tried ten times in a second and dead-lettered before it could recover.</summary>
    public IReadOnlyList<Duration> RetryDelays { get; init; } =
        [Duration.FromSeconds(1), Duration.FromSeconds(5), Duration.FromSeconds(30), Duration.FromMinutes(2), Duration.FromMinutes(5), Duration.FromMinutes(10)];

    /// <summary>The wait after the <paramref name="deliveryCount"/>th delivery was abandoned.</summary>
    public Duration RetryDelay(int deliveryCount) =>
        RetryDelays.Count == 0 ? Duration.Zero : RetryDelays[Math.Clamp(deliveryCount, 1, RetryDelays.Count) - 1];

    /// <summary>How long a MessageId is remembered to drop duplicates (Service Bus duplicateDetectionHistoryTimeWindow).</summary>
    public Duration DuplicateDetectionWindow { get; init; } = Duration.FromMinutes(10);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxDeliveryCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDeliveryCount), MaxDeliveryCount, "At least one delivery.");
        }

        if (DuplicateDetectionWindow < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DuplicateDetectionWindow), DuplicateDetectionWindow, "Not negative.");
        }
    }
}

/// <summary>Complete or Abandon came too late: the lease ended and the message was delivered again
/// (or settled). The work may be done twice; that is what idempotent handlers are for.</summary>
public sealed class MessageLockLostException : Exception
{
    public MessageLockLostException(string queue, string messageId)
        : base($"The lease on message '{messageId}' of queue '{queue}' was lost: it ended and the message was delivered again or settled.")
    {
        Queue = queue;
        MessageId = messageId;
    }

    public string Queue { get; }

    public string MessageId { get; }
}

/// <summary>Checks shared by every queue implementation.</summary>
public static class MessageQueueRules
{
    public static void ValidateQueue(string queue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
    }

    public static void ValidateMessage(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.MessageId, nameof(message));
        ArgumentNullException.ThrowIfNull(message.Body, nameof(message));
        if (message.MessageId.Length > 128)
        {
            throw new ArgumentException("A MessageId has at most 128 characters (Service Bus).", nameof(message));
        }
    }

    public static void ValidateLease(Duration lease)
    {
        if (lease <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease lasts a positive time.");
        }
    }
}
