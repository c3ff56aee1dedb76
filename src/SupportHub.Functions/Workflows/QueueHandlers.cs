using SupportHub.Workflows;

namespace SupportHub.Functions.Workflows;

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
