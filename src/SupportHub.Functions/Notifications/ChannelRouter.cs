using SupportHub.Notifications;
using SupportHub.Policy;

namespace SupportHub.Functions.Notifications;

// The Azure runtime's notification channel: each notification goes to the channel of its kind (email
// through SendGrid, SMS through ACS, Teams through Graph) and to nothing else. Email is always there
// (the runtime does not start without it); SMS and Teams are there when their settings are. A
// notification of a kind with no channel fails naming the settings to add: its queue retries it and
// finally dead-letters it with that reason, from where it can be replayed once the sender is set up.
// Nothing is kept aside in a table a person in Azure would never look at.

/// <summary>Hands each rendered notification to the channel of its <see cref="Notification.Via"/>.</summary>
public sealed class ChannelRouter(IReadOnlyDictionary<Channel, INotificationChannel> channels) : INotificationChannel
{
    public Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var n = notification.Notification;
        if (!channels.TryGetValue(n.Via, out var channel))
        {
            throw new InvalidOperationException(
                $"No {n.Via.Name()} sender is configured ({Settings(n.Via)}): notification {n.Id} ({n.Purpose.Name()}) is not sent.");
        }

        return channel.SendAsync(notification, cancellationToken);
    }

    private static string Settings(Channel via) => via switch
    {
        Channel.Sms => "set SupportHub:Acs:Endpoint, AccessKey and From",
        Channel.Teams => "set SupportHub:Graph:TenantId, ClientId and ClientSecret",
        _ => "set SupportHub:SendGrid:ApiKey and FromEmail",
    };
}
