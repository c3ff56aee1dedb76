using NodaTime;

namespace SupportHub.Notifications;

// The notification-channel seam (STYLE.md rule 7). Each runtime brings its own channels: the
// embedded hub's dev outbox keeps every notification for a developer to read; in Azure the email
// (SendGrid), SMS (ACS) and Teams (Graph activity feed) senders are each a channel for their kind.
// A channel receives the notification already rendered: its text with the signed links written out,
// the links themselves (a Teams card or an email can show them as buttons), and for email the
// Message-ID the hub owns. Pure data, so it lives in Core where both the function app and the Azure
// adapters see it.

/// <summary>A signed link as a person sees it.</summary>
/// <param name="Label">What the link does, in words: "Acknowledge the page".</param>
public sealed record RenderedLink(LinkAction Action, string Label, string Url, Instant Expires);

/// <param name="Text">The notification's text followed by its links, one per line.</param>
/// <param name="MessageId">For email: the Message-ID header, angle brackets included; null otherwise.</param>
public sealed record RenderedNotification(Notification Notification, string Text, IReadOnlyList<RenderedLink> Links, string? MessageId);

/// <summary>Delivers rendered notifications. Idempotent per <see cref="Notification.Id"/>: a redelivered
/// notification is recognised and not sent again. A failure throws, so the queue retries.</summary>
public interface INotificationChannel
{
    Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken);
}
