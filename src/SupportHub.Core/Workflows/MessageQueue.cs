using NodaTime;

namespace SupportHub.Workflows;

// The queue ports. Sending is what the hub's code does everywhere (intake, the workflow runtime
// dispatching its outbox, durable timers as scheduled messages): IMessageSender, which the Service
// Bus adapter implements over REST. Consuming is done by the Functions host's Service Bus triggers
// in Azure, so only the embedded and in-memory queues implement IMessageQueue, whose receive side
// follows Service Bus peek-lock semantics:
//
//   * at-least-once: Receive leases a message; Complete removes it; a lease that ends without
//     Complete (the consumer crashed, or was too slow) makes it deliverable again;
//   * Abandon(reason) makes it deliverable again at once;
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
    private readonly DeferredPayload? _deferred;

    /// <summary>A message whose JSON is made when a sender first reads <see cref="Body"/> (every queue
    /// does when it sends; <c>supporthub simulate</c> only counts notifications and never does).</summary>
    public OutgoingMessage(string messageId, DeferredPayload body, Instant? scheduledFor = null)
        : this(messageId, "", scheduledFor) =>
        _deferred = body ?? throw new ArgumentNullException(nameof(body));

    /// <summary>JSON.</summary>
    public string Body
    {
        get => _deferred?.Text ?? field;
        init
        {
            field = value;
            _deferred = null;
        }
    } = Body;

    public bool Equals(OutgoingMessage? other) =>
        other is not null && string.Equals(MessageId, other.MessageId, StringComparison.Ordinal)
        && string.Equals(Body, other.Body, StringComparison.Ordinal) && ScheduledFor == other.ScheduledFor;

    public override int GetHashCode() => HashCode.Combine(MessageId, Body, ScheduledFor);
}

/// <summary>Sends to a named queue (<see cref="QueueNames"/>).</summary>
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

    /// <summary>Gives the message back for another delivery now, or dead-letters it with
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

/// <summary>The hub's queues (ARCHITECTURE.md, "How a ticket flows").</summary>
public static class QueueNames
{
    /// <summary>Normalised inbound messages from intake, waiting to be threaded into tickets.</summary>
    public const string TicketsInbound = "tickets-inbound";

    /// <summary>Commands, events and timers for the workflow deciders.</summary>
    public const string WorkflowEvents = "workflow-events";

    /// <summary>Notifications to render and send.</summary>
    public const string NotificationsOutbound = "notifications-outbound";

    public static IReadOnlyList<string> All { get; } = [TicketsInbound, WorkflowEvents, NotificationsOutbound];
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
