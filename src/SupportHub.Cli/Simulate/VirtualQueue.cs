using NodaTime;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Cli.Simulate;

/// <summary>
/// The queues of a simulation on a virtual clock: workflow messages wait in due order (timers at
/// their scheduled instant, the rest at the instant they were sent), with duplicate detection by
/// message id as Service Bus does (an id is remembered for the queue's duplicate-detection window,
/// 10 minutes of virtual time, from its first acceptance; remembering every id of a month made the
/// set the largest thing in memory). Notifications are counted, not sent: the timeline already shows
/// them. A priority queue, so a month of 100,000 tickets stays fast.
/// </summary>
internal sealed class VirtualQueue : IMessageSender
{
    private readonly PriorityQueue<TicketCommand, (Instant Due, long Order)> workflow = new();
    private static readonly Duration DuplicateWindow = MessageQueueOptions.Default.DuplicateDetectionWindow;

    private readonly HashSet<(string Queue, string MessageId)> accepted = [];
    private readonly Queue<(Instant At, (string Queue, string MessageId) Key)> acceptedOrder = new();
    private long order;

    /// <summary>The virtual clock: what "now" is for a message sent without a schedule.</summary>
    public Instant Now { get; set; }

    public int NotificationsSent { get; private set; }

    public Instant? NextDue => workflow.TryPeek(out _, out var key) ? key.Due : null;

    public TicketCommand Dequeue() => workflow.Dequeue();

    public Task SendAsync(string queue, OutgoingMessage message, CancellationToken cancellationToken)
    {
        while (acceptedOrder.TryPeek(out var oldest) && oldest.At <= Now - DuplicateWindow)
        {
            accepted.Remove(acceptedOrder.Dequeue().Key);
        }
        var key = (queue, message.MessageId);
        if (!accepted.Add(key))
        {
            return Task.CompletedTask;
        }
        acceptedOrder.Enqueue((Now, key));
        switch (queue)
        {
            case QueueNames.WorkflowEvents:
                workflow.Enqueue(WorkflowJson.Deserialize<TicketCommand>(message.Body), (message.ScheduledFor ?? Now, order++));
                break;
            case QueueNames.NotificationsOutbound:
                NotificationsSent++;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(queue), queue, "The simulation has no such queue.");
        }
        return Task.CompletedTask;
    }

    public async Task SendBatchAsync(string queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            await SendAsync(queue, message, cancellationToken);
        }
    }
}
