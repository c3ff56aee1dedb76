using Microsoft.Extensions.Options;
using SupportHub.Azure.Email;
using SupportHub.Azure.Sms;
using SupportHub.Azure.Teams;
using SupportHub.Functions.Hosting;
using SupportHub.Notifications;
using SupportHub.Policy;

namespace SupportHub.Functions.Notifications;

/// <summary>
/// The notification channel when any Azure sender is configured: email through SendGrid, SMS through
/// Azure Communication Services, Teams through Microsoft Graph — each only when its settings are
/// present. A notification whose channel has no sender is kept in the dev outbox table (and logged),
/// so a deployment that has not set up SMS yet loses nothing and says so.
/// </summary>
internal sealed class ChannelRouter(
    DevOutbox outbox,
    IOptions<SupportHubOptions> options,
    ILogger<ChannelRouter> logger,
    SendGridSender? email = null,
    AcsSmsSender? sms = null,
    TeamsActivitySender? teams = null) : INotificationChannel
{
    public Task SendAsync(RenderedNotification rendered, CancellationToken cancellationToken)
    {
        var n = rendered.Notification;
        switch (n.Via)
        {
            case Channel.Email when email is not null:
                return email.SendAsync(n, rendered.Text, rendered.MessageId, cancellationToken);
            case Channel.Sms when sms is not null:
                return sms.SendAsync(n, rendered.Text, cancellationToken);
            case Channel.Teams when teams is not null:
                return teams.SendAsync(n, rendered.Text, TeamsTarget(rendered), cancellationToken);
            default:
                logger.LogWarning("No {Channel} sender is configured: notification {Id} ({Purpose}) is kept in the dev outbox table only.",
                    n.Via.Name(), n.Id, n.Purpose.Name());
                return outbox.SendAsync(rendered, cancellationToken);
        }
    }

    /// <summary>Where the Teams activity opens: the acknowledge link when there is one, else the first link, else the hub.</summary>
    private Uri TeamsTarget(RenderedNotification rendered) =>
        new(rendered.Links.FirstOrDefault(l => l.Action == LinkAction.Acknowledge)?.Url
            ?? rendered.Links.FirstOrDefault()?.Url
            ?? options.Value.PublicBaseUrl!);
}
