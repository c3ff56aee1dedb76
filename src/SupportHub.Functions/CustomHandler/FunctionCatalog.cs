using SupportHub.Workflows;

namespace SupportHub.Functions.CustomHandler;

// Every function of the function app, in one list: the Functions host learns them from one
// function.json per function (FunctionMetadata writes them from this list at publish time), and the
// handler serves them. HTTP functions are forwarded by the host to the same path
// (enableForwardingHttpRequest), where the app's own routes answer; their routes are the contract's
// (CONTRACT.md, "HTTP"), with host.json's routePrefix set to "" so the paths are identical locally
// and in Azure. They are anonymous at the host: the app authenticates every route itself (intake
// secrets and signatures, x-functions-key = SupportHub:ApiKey for agent routes, signed links), so
// the same credentials work against the embedded hub and in Azure. Service Bus and timer functions
// are invoked by the host as POST /{Name} (InvocationEndpoints).

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

    public static IReadOnlyList<FunctionDefinition> All { get; } =
    [
        Http("IntakeEmail", "api/intake/email", "post"),
        Http("IntakeChat", "api/intake/chat", "post"),
        Http("IntakePhone", "api/intake/phone", "post"),
        Http("EventsSms", "api/events/sms", "post"),
        Http("TicketGet", "api/tickets/{ticket}", "get"),
        Http("TicketList", "api/tickets", "get"),
        Http("TicketReply", "api/tickets/{ticket}/reply", "post"),
        Http("TicketStatus", "api/tickets/{ticket}/status", "post"),
        Http("TicketSeverity", "api/tickets/{ticket}/severity", "post"),
        Http("TicketAck", "api/tickets/{ticket}/ack", "post"),
        Http("TicketSplit", "api/tickets/{ticket}/split", "post"),
        Http("Links", "api/links/{token}", "get", "post"),
        Http("Metrics", "api/metrics", "get"),
        Http("Board", "board", "get"),
        Http("BoardScript", "board.js", "get"),
        Http("BoardStyle", "board.css", "get"),
        Http("BoardData", "board.json", "get"),
        Http("Health", "healthz", "get"),
        new("TicketsInbound", new ServiceBusTrigger(QueueNames.TicketsInbound)),
        new("WorkflowEvents", new ServiceBusTrigger(QueueNames.WorkflowEvents)),
        new("NotificationsOutbound", new ServiceBusTrigger(QueueNames.NotificationsOutbound)),
        new(HousekeepingFunction, new TimerTrigger("0 */5 * * * *")),
    ];

    /// <summary>The function named <paramref name="name"/> (ordinal, as the host posts it), or null.</summary>
    public static FunctionDefinition? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    private static FunctionDefinition Http(string name, string route, params string[] methods) => new(name, new HttpTrigger(route, methods));
}
