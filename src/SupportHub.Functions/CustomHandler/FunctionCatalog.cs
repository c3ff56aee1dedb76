using SupportHub.Workflows;

namespace SupportHub.Functions.CustomHandler;

// Every function of the function app: the Functions host learns them from one function.json per
// function (FunctionMetadata writes them at publish time), and the handler serves them.
//
// HTTP functions are the app's own routes, declared once where they are mapped: each route a function
// serves carries its function's name (.WithName("TicketGet")), and the catalog reads the app's
// endpoint table (EndpointDataSource) for them, so a route cannot answer locally yet be missing in
// Azure, or the reverse. The host forwards their requests to the same path (enableForwardingHttpRequest),
// where those routes answer; their routes are the contract's (CONTRACT.md, "HTTP"), with host.json's
// routePrefix set to "" so the paths are identical locally and in Azure. They are anonymous at the
// host: the app authenticates every route itself (intake secrets and signatures, x-functions-key =
// SupportHub:ApiKey for agent routes, signed links), so the same credentials work against the
// embedded hub and in Azure.
//
// Service Bus and timer functions are declared here (Invoked): no route of the app maps them; the host
// invokes them as POST /{Name} (InvocationEndpoints).

/// <summary>What starts a function.</summary>
public abstract record FunctionTrigger;

/// <summary>An HTTP request on <paramref name="Route"/> (no leading slash) with one of <paramref name="Methods"/> (lower case).</summary>
public sealed record HttpTrigger(string Route, IReadOnlyList<string> Methods) : FunctionTrigger;

/// <summary>A message on a Service Bus queue, through the app setting prefix <see cref="FunctionCatalog.ServiceBusConnection"/>.</summary>
public sealed record ServiceBusTrigger(string Queue) : FunctionTrigger;

/// <summary>An NCRONTAB schedule (six fields, seconds first), in UTC unless WEBSITE_TIME_ZONE says otherwise.</summary>
public sealed record TimerTrigger(string Schedule) : FunctionTrigger;

/// <param name="Name">The function's name: its folder, and the path the host posts invocations to.</param>
public sealed record FunctionDefinition(string Name, FunctionTrigger Trigger);

public static class FunctionCatalog
{
    /// <summary>The app setting prefix of the Service Bus connection: <c>ServiceBus__fullyQualifiedNamespace</c> with a managed identity.</summary>
    public const string ServiceBusConnection = "ServiceBus";

    public const string HousekeepingFunction = "Housekeeping";

    /// <summary>The functions the host invokes rather than forwards: one per queue, and the housekeeping timer.</summary>
    public static IReadOnlyList<FunctionDefinition> Invoked { get; } =
    [
        new("TicketsInbound", new ServiceBusTrigger(QueueNames.TicketsInbound)),
        new("WorkflowEvents", new ServiceBusTrigger(QueueNames.WorkflowEvents)),
        new("NotificationsOutbound", new ServiceBusTrigger(QueueNames.NotificationsOutbound)),
        new(HousekeepingFunction, new TimerTrigger("0 */5 * * * *")),
    ];

    /// <summary>Every function: the app's HTTP functions (<see cref="Http"/>), then <see cref="Invoked"/>.</summary>
    public static IReadOnlyList<FunctionDefinition> All(EndpointDataSource endpoints) => [.. Http(endpoints), .. Invoked];

    /// <summary>
    /// One HTTP function per named endpoint of the app, in mapping order: the endpoint's name, its
    /// route pattern without the leading slash (nor a group's trailing one: <c>/api/tickets/</c> is
    /// <c>api/tickets</c>), its methods in lower case. An endpoint that answers any method (the health
    /// checks) is declared for <c>get</c>, the method the contract names. Unnamed endpoints are not
    /// functions: the dev outbox (embedded only, for loopback callers) and the invocation endpoints.
    /// Throws <see cref="InvalidOperationException"/> when two endpoints share a name.
    /// </summary>
    public static IReadOnlyList<FunctionDefinition> Http(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var functions = new List<FunctionDefinition>();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IEndpointNameMetadata>() is not { } name)
            {
                continue;
            }

            if (functions.Any(f => string.Equals(f.Name, name.EndpointName, StringComparison.OrdinalIgnoreCase)))
            {
                // Function names are folder names, and the host compares them case-insensitively.
                throw new InvalidOperationException($"Two endpoints are named {name.EndpointName}: a function serves one route.");
            }

            var route = endpoint.RoutePattern.RawText
                ?? throw new InvalidOperationException($"The endpoint named {name.EndpointName} has no route template.");
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } declared ? declared : [HttpMethods.Get];
            functions.Add(new(name.EndpointName, new HttpTrigger(route.Trim('/'), [.. methods.Select(m => m.ToLowerInvariant())])));
        }

        return functions;
    }
}
