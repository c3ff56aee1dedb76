using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Embedded;

/// <summary>The embedded runtime: one SQLite file in the data folder as the entity store and the durable
/// queue, the pump that plays the Functions host's queue triggers, and their health checks.</summary>
public static class EmbeddedRuntime
{
    /// <param name="dataPath">The data folder (<c>SupportHub:DataPath</c>, resolved).</param>
    public static IServiceCollection AddEmbeddedRuntime(this IServiceCollection services, Func<IServiceProvider, string> dataPath)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        services.AddOptions<QueuePumpOptions>()
            .BindConfiguration(QueuePumpOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(sp => DataFolderLock.Take(dataPath(sp)));
        services.AddSingleton(sp => OpenDatabase(sp.GetRequiredService<DataFolderLock>().Folder));
        services.AddSingleton<IEntityStore>(sp => new SqliteEntityStore(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton(sp => new SqliteMessageQueue(
            sp.GetRequiredService<SqliteDatabase>(),
            sp.GetRequiredService<IClock>(),
            sp.GetRequiredService<IOptions<QueuePumpOptions>>().Value.ToQueueOptions()));
        services.AddSingleton<IMessageQueue>(sp => sp.GetRequiredService<SqliteMessageQueue>());
        services.AddSingleton<IMessageSender>(sp => sp.GetRequiredService<SqliteMessageQueue>());
        services.AddSingleton<IIntakeRecorder>(sp => new SqliteIntakeRecorder(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<SqliteMessageQueue>()));

        // Before the pump (and before the server listens): the folder is claimed and the file checked.
        services.AddHostedService<EmbeddedStartup>();
        services.AddSingleton<QueuePump>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuePump>());

        services.AddHealthChecks()
            .AddCheck<EmbeddedStoreHealthCheck>("store")
            .AddCheck<EmbeddedQueueHealthCheck>("queue");
        return services;
    }

    // The file is created 0600 before SQLite opens it (its -wal and -shm files take the same mode).
    private static SqliteDatabase OpenDatabase(string folder)
    {
        var path = Path.Combine(folder, SqliteDatabase.FileName);
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            using var _ = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        var database = SqliteDatabase.Open(path);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            DataFolderLock.RestrictToOwner(file);
        }
        return database;
    }

    /// <summary>Claims the data folder and opens the database at start, so a second hub or a damaged file
    /// stops the start with a message instead of failing the first request.</summary>
    private sealed class EmbeddedStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<SqliteDatabase>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Healthy when the file answers a read and its last write committed; Unhealthy while writes fail
/// for want of disk space (intake answers 503 meanwhile).</summary>
public sealed class EmbeddedStoreHealthCheck(SqliteDatabase database, IEntityStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await store.GetAsync("hubhealth", new EntityKey("probe", "probe"), cancellationToken);
        return database.Unavailable is { } unavailable
            ? HealthCheckResult.Unhealthy(unavailable.Message)
            : HealthCheckResult.Healthy($"{database.FilePath} answers.");
    }
}

/// <summary>Degraded while any queue holds dead letters (a person should look: <c>supporthub deadletters list</c>).</summary>
public sealed class EmbeddedQueueHealthCheck(SqliteMessageQueue queue) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var counts = queue.CountDeadLetters();
        var data = QueueNames.All.ToDictionary(name => name, name => (object)(counts.TryGetValue(name, out var n) ? n : 0L));
        var total = counts.Values.Sum();
        return Task.FromResult(total == 0
            ? HealthCheckResult.Healthy("The queues answer; no dead letters.", data)
            : HealthCheckResult.Degraded($"{total} dead-lettered message(s): see `supporthub deadletters list`, and `replay` once the cause is fixed.", data: data));
    }
}
