using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.Hosting;
using SupportHub.Intake;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

/// <summary>The embedded hub's runtime: one SQLite file under <c>SupportHub:DataPath</c> as the entity
/// store and the durable queue, and the pump that plays the Functions host's queue triggers.</summary>
public static class EmbeddedRuntime
{
    public static IServiceCollection AddEmbeddedRuntime(this IServiceCollection services)
    {
        services.AddOptions<QueuePumpOptions>()
            .BindConfiguration(QueuePumpOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var dataPath = sp.GetRequiredService<IOptions<SupportHubOptions>>().Value.DataPath;
            DataFolder.Create(dataPath);
            // Intake's index: most of its lookups (every new message's source id and threading keys)
            // find nothing, and the key filter answers those without reading the file.
            return SqliteDatabase.InFolder(dataPath, [TicketIntake.IndexTable]);
        });
        services.AddSingleton<IEntityStore, SqliteEntityStore>();
        services.AddSingleton(sp => new SqliteMessageQueue(
            sp.GetRequiredService<SqliteDatabase>(),
            sp.GetRequiredService<IClock>(),
            sp.GetRequiredService<IOptions<QueuePumpOptions>>().Value.ToQueueOptions()));
        services.AddSingleton<IMessageQueue>(sp => sp.GetRequiredService<SqliteMessageQueue>());
        services.AddSingleton<IMessageSender>(sp => sp.GetRequiredService<SqliteMessageQueue>());
        services.AddSingleton<QueuePump>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuePump>());
        return services;
    }
}
