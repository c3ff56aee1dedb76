using System.Net.Mail;
using SupportHub.Functions.Links;
using SupportHub.Workflows;
using TicketIntake = SupportHub.Intake.TicketIntake;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Storage;

namespace SupportHub.Functions.Notifications;

// The `notifications-outbound` function (ARCHITECTURE.md step 4): render the notification — its
// links signed, an email's Message-ID chosen — and hand it to the channel, which sends it once per
// notification id. A customer-facing email's Message-ID is remembered for ticket intake first, so a
// reply to it threads into the ticket even if it arrives before this handler returns. A failure
// propagates: the queue retries and finally dead-letters with the reason. An automatic reply beyond
// the per-address limit (AutoReplyLimit) is not sent: its ticket is told why, through workflow-events,
// so the timeline shows it.

/// <summary>Handles <see cref="QueueNames.NotificationsOutbound"/>.</summary>
public sealed class NotificationsOutbound(
    LinkSigner signer,
    INotificationChannel channel,
    TicketIntake intake,
    SupportPolicy policy,
    AutoReplyLimit limit,
    IMessageSender sender,
    NodaTime.IClock clock,
    ILogger<NotificationsOutbound> logger) : IQueueHandler
{
    public async Task HandleAsync(QueueDelivery message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var notification = WorkflowJson.Deserialize<Notification>(message.Body);
        if (await limit.CheckAsync(notification, clock.GetCurrentInstant(), cancellationToken) is { } reason)
        {
            logger.LogWarning("Notification {Notification} to {To} withheld: {Reason}", notification.Id, notification.To.To, reason);
            if (notification.Ticket.Length > 0)
            {
                var withheld = SupportHub.Tickets.WithholdNotification.For(notification, reason);
                await sender.SendAsync(QueueNames.WorkflowEvents,
                    new OutgoingMessage(withheld.Id, WorkflowJson.Serialize<SupportHub.Tickets.TicketCommand>(withheld)), cancellationToken);
            }
            return;
        }
        var rendered = Render(notification, signer, policy);
        if (rendered.MessageId is { } messageId && !policy.People.ContainsKey(notification.To.To))
        {
            // Only customers' replies thread by Message-ID: staff answering a page by email are not
            // writing to the requester.
            await intake.RememberMessageIdAsync(messageId, notification.Ticket, cancellationToken);
        }

        await channel.SendAsync(rendered, cancellationToken);
    }

    /// <summary>The notification as its recipient gets it; deterministic, so a redelivery renders the same.</summary>
    public static RenderedNotification Render(Notification notification, LinkSigner signer, SupportPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(policy);
        var links = notification.Links
            .Select(intent => new RenderedLink(intent.Action, Label(intent.Action), signer.Url(LinkSigner.ClaimFor(notification, intent)), intent.Expires))
            .ToList();
        var text = links.Count == 0
            ? notification.Text
            : notification.Text + "\n\n" + string.Join("\n", links.Select(l => $"{l.Label}: {l.Url}"));
        var messageId = notification.Via == Channel.Email ? MessageId(notification.Id, policy.Organization.SupportAddress) : null;
        return new RenderedNotification(notification, text, links, messageId);
    }

    public static string Label(LinkAction action) => action switch
    {
        LinkAction.Acknowledge => "Acknowledge the page",
        LinkAction.Approve => "Approve after-hours work",
        LinkAction.Decline => "Decline after-hours work",
        LinkAction.RateGood => "Rate the support good",
        _ => "Rate the support bad",
    };

    // <1001.3.acknowledgement.email@example.com>: derived from the notification id (unique, stable),
    // under the support address's domain, which the hub owns. ':' is not allowed in a Message-ID's
    // left part (RFC 5322 dot-atom), so it becomes '.'.
    private static string MessageId(string notificationId, string supportAddress)
    {
        var domain = MailAddress.TryCreate(supportAddress, out var address) ? address.Host : "supporthub.invalid";
        var local = new string([.. notificationId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '.')]);
        return $"<{local}@{domain}>";
    }
}
