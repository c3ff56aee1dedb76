namespace SupportHub.Workflows;

// What a queue-triggered function implements. Embedded, the queue pump (SupportHub.Embedded) receives
// from the SQLite queue and calls the handler registered for that queue; in Azure the Functions host's
// Service Bus trigger posts the invocation and the same handler runs. Returning completes the message;
// throwing abandons it with the exception's message as the reason, so it is retried (after a growing
// delay) and, after MaxDeliveryCount deliveries, dead-lettered. A handler must therefore be idempotent.

/// <summary>Handles the messages of one queue (registered as a <see cref="QueueHandlerRegistration"/>).</summary>
public interface IQueueHandler
{
    Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken);
}

/// <summary>A message as a handler sees it, whichever queue delivered it.</summary>
/// <param name="Body">JSON.</param>
/// <param name="DeliveryCount">1 on the first attempt.</param>
public sealed record QueueDelivery(string Queue, string MessageId, string Body, int DeliveryCount);

/// <summary>Which handler type serves which queue: one per queue. The handler is resolved in a fresh
/// scope for every message.</summary>
public sealed record QueueHandlerRegistration(string Queue, Type HandlerType);
