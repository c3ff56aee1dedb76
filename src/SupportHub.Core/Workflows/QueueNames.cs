namespace SupportHub.Workflows;

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
