namespace SupportHub.Functions.Queues;

// What a queue-triggered function implements. Embedded, the QueuePump receives from the SQLite
// queue and calls the handler registered for that queue; in Azure the Functions host's Service Bus
// trigger will post the invocation and the same handler runs. Returning completes the message;
// throwing abandons it with the exception's message as the reason, so it is retried and, after
// MaxDeliveryCount deliveries, dead-lettered. A handler must therefore be idempotent.

/// <summary>Handles the messages of one queue; registered with <see cref="QueueHandlerServiceCollectionExtensions.AddQueueHandler{THandler}"/>.</summary>
public interface IQueueHandler
{
    Task HandleAsync(InboundMessage message, CancellationToken cancellationToken);
}

/// <summary>A message as a handler sees it, whichever queue delivered it.</summary>
/// <param name="Body">JSON.</param>
/// <param name="DeliveryCount">1 on the first attempt.</param>
public sealed record InboundMessage(string Queue, string MessageId, string Body, int DeliveryCount);

/// <summary>Which handler type serves which queue: one per queue.</summary>
public sealed record QueueHandlerRegistration(string Queue, Type HandlerType);

public static class QueueHandlerServiceCollectionExtensions
{
    /// <summary>Makes <typeparamref name="THandler"/> the handler of <paramref name="queue"/>. It is resolved
    /// in a fresh DI scope for every message, so it may take scoped services.</summary>
    public static IServiceCollection AddQueueHandler<THandler>(this IServiceCollection services, string queue)
        where THandler : class, IQueueHandler
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        services.AddScoped<THandler>();
        services.AddSingleton(new QueueHandlerRegistration(queue, typeof(THandler)));
        return services;
    }
}
