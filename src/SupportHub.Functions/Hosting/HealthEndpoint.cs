using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SupportHub.Azure.ServiceBus;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Functions.Hosting;

// GET /healthz for load balancers and the Functions host: 200 with {"status":"Healthy",...} when
// the store and the queue answer, 503 otherwise. Each check does one real round trip, and the checks
// are the running runtime's own (each runtime registers them): embedded, the SQLite file as the store
// and its queues (EntityStoreHealthCheck, MessageQueueHealthCheck); Azure, Table Storage through the
// same store check and the Service Bus namespace (ServiceBusHealthCheck). In Azure nothing touches SQLite.

/// <summary>Reads a row that never exists: proves the store (the SQLite file, or Table Storage) answers.</summary>
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

/// <summary>Asks the Service Bus namespace for its description, sending nothing: proves the namespace
/// answers. The hub's identity may send and receive but not manage, so in Azure the answer is 401; that
/// is the namespace answering, and the check says so. The right to send is proven only by a send.</summary>
public sealed class ServiceBusHealthCheck(ServiceBusSender sender) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await sender.GetNamespacePropertiesAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Service Bus namespace {sender.FullyQualifiedNamespace} answers (its description was read; nothing was sent).");
        }
        catch (RequestFailedException refused) when (refused.Status is >= 400 and < 500)
        {
            // Not a fault: the namespace resolved, answered over TLS and refused a read that needs Manage
            // rights. A 5xx, a transport failure or a credential that yields no token propagates: Unhealthy.
            return HealthCheckResult.Healthy(
                $"Service Bus namespace {sender.FullyQualifiedNamespace} answers (HTTP {refused.Status} to a read of its description, "
                + "which needs Manage rights the hub's identity need not have; nothing was sent, so the right to send is not tested here).");
        }
    }
}

public static class HealthEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointConventionBuilder MapHealthEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteAsync }).WithName("Health");

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
