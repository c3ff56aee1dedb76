using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SupportHub.Workflows;

namespace SupportHub.Functions.Hosting;

// GET /healthz for load balancers and the Functions host: 200 with {"status":"Healthy",...} when
// the store and the queue answer, 503 otherwise. Each check does one real round trip.

/// <summary>Reads a row that never exists: proves the store answers.</summary>
public sealed class EntityStoreHealthCheck(IEntityStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await store.GetAsync("hubhealth", new EntityKey("probe", "probe"), cancellationToken);
        return HealthCheckResult.Healthy($"{store.GetType().Name} answers.");
    }
}

/// <summary>Lists every queue's dead letters: proves the queue answers, and tells how many messages it gave up on.</summary>
public sealed class MessageQueueHealthCheck(IMessageQueue queue) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var deadLetters = new Dictionary<string, object>();
        foreach (var name in QueueNames.All)
        {
            deadLetters[name] = (await queue.ListDeadLettersAsync(name, cancellationToken)).Count;
        }

        return HealthCheckResult.Healthy($"{queue.GetType().Name} answers; data: dead letters per queue.", deadLetters);
    }
}

public static class HealthEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointConventionBuilder MapHealthEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync });

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description ?? e.Value.Exception?.Message,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
