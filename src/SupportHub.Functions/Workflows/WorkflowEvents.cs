using NodaTime;
using SupportHub.Workflows;
using SupportHub.Functions.Telemetry;
using SupportHub.Tickets;

namespace SupportHub.Functions.Workflows;

// The `workflow-events` function (ARCHITECTURE.md step 3): a ticket command or a timer, run through
// the ticket workflow at the current instant. The runner saves state and outbox atomically and
// dispatches the outbox; a repeat or a stale timer changes nothing. A rejection ("already
// acknowledged by bob") is an expected outcome, not a failure: the message is completed and the
// reason logged. Anything else (the store, the queue, a body that is not a command) throws, so the
// queue retries and finally dead-letters with the reason. The decision's pages, SLA breaches and
// billing answers go to Application Insights when it is on (DecisionTelemetry; the hub always
// supplies one, a test that builds the handler by hand may leave it out).

/// <summary>Handles <see cref="QueueNames.WorkflowEvents"/>.</summary>
public sealed partial class WorkflowEvents(
    TicketWorkflowRunner runner, IClock clock, ILogger<WorkflowEvents> logger, DecisionTelemetry? telemetry = null) : IQueueHandler
{
    public async Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var command = WorkflowJson.Deserialize<TicketCommand>(message.Body);
        var decision = await runner.HandleAsync(command, clock.GetCurrentInstant(), cancellationToken);
        telemetry?.Track(decision);
        if (decision.Rejection is { } reason)
        {
            LogRejected(message.MessageId, command.GetType().Name, command.Ticket, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow message {MessageId} ({Command}) for ticket {Ticket} changed nothing: {Reason}")]
    private partial void LogRejected(string messageId, string command, string ticket, string reason);
}
