using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Intake;

/// <summary>
/// The <c>tickets-inbound</c> queue handler: appends the message to its ticket's conversation, links
/// a new phone or email ticket to its counterpart from the same account (<see cref="TicketLinks"/>),
/// and forwards intake's command to <c>workflow-events</c> with the command's id as MessageId. Each
/// step is idempotent, so a redelivery finishes what a crash interrupted and repeats nothing.
/// </summary>
public sealed class TicketsInbound(IEntityStore store, IMessageSender sender, IOptions<IntakeOptions> options, SupportPolicy policy) : IQueueHandler
{
    public async Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var inbound = WorkflowJson.Deserialize<TicketsInboundMessage>(message.Body);
        await new TicketConversation(store).AppendAsync(inbound.Message, cancellationToken);
        if (inbound.Command is OpenTicket open && options.Value.LinkWindow > TimeSpan.Zero)
        {
            await new TicketLinks(store).LinkNewTicketAsync(open.Facts, Duration.FromTimeSpan(options.Value.LinkWindow), cancellationToken);
        }
        await sender.SendAsync(QueueNames.WorkflowEvents,
            new OutgoingMessage(QueueMessageIds.Fit(inbound.Command.Id), WorkflowJson.Serialize(inbound.Command)) { Urgent = policy.IsEmergency(inbound.Command) },
            cancellationToken);
    }
}
