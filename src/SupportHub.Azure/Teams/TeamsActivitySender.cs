using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.Teamwork.SendActivityNotification;
using SupportHub.Azure.Notifications;
using SupportHub.Notifications;

namespace SupportHub.Azure.Teams;

// Teams through the Graph SDK (Microsoft.Graph 5.x): an activity-feed notification to the user,
//   POST /users/{id}/teamwork/sendActivityNotification
// the only way app-only Graph reaches a person in Teams (AZURE-REFERENCE.md, "Teams"). It needs the
// application permission TeamsActivity.Send and the hub's Teams app installed for the user. The
// topic is plain text (the subject) whose webUrl is the signed acknowledge link, so a click on the
// feed item acknowledges the page; activityType "systemDefault" shows our own text without
// declaring activity types in the Teams app manifest. Graph has no idempotency key:
// SentNotifications makes a redelivered notification send nothing. Graph's errors surface as
// ODataError (Kiota's ApiException) and propagate, so the queue retries. As an INotificationChannel
// it is the Azure runtime's Teams channel.

/// <summary>Sends Teams notifications to a person's activity feed.</summary>
/// <param name="hubUrl">Where a feed item leads when its notification has no link: the hub's public base URL.</param>
public sealed class TeamsActivitySender(GraphServiceClient graph, SentNotifications sent, Uri hubUrl) : INotificationChannel
{
    public const string Channel = "teams";

    /// <summary>Graph limits the preview text to 150 characters.</summary>
    public const int PreviewLength = 150;

    /// <summary>The Teams channel: the feed item opens the acknowledge link when there is one, else the
    /// notification's first link, else the hub.</summary>
    public Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Notification.Via != Policy.Channel.Teams)
        {
            throw new ArgumentException($"Notification {notification.Notification.Id} goes by {notification.Notification.Via.Name()}, not Teams.", nameof(notification));
        }

        var link = notification.Links.FirstOrDefault(l => l.Action == LinkAction.Acknowledge) ?? notification.Links.FirstOrDefault();
        return SendAsync(notification.Notification, notification.Text, link is null ? hubUrl : new Uri(link.Url), cancellationToken);
    }

    /// <param name="text">The rendered text.</param>
    /// <param name="webUrl">Where the feed item leads: the signed acknowledge link of a page.</param>
    public async Task SendAsync(Notification notification, string text, Uri webUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(webUrl);
        var user = notification.To.TeamsUserId ?? throw new ArgumentException($"Notification {notification.Id}: {notification.To.To} has no Teams user id.", nameof(notification));

        var attempt = await sent.BeginAsync(Channel, notification.Id, cancellationToken).ConfigureAwait(false);
        if (attempt.AlreadySent)
        {
            return;
        }

        await graph.Users[user].Teamwork.SendActivityNotification.PostAsync(Body(notification, text, webUrl), cancellationToken: cancellationToken).ConfigureAwait(false);
        await sent.CompleteAsync(attempt, cancellationToken).ConfigureAwait(false);
    }

    // The topic and the feed item's text are the subject, which a customer's words fill: one line,
    // cleaned like an email's Subject (HeaderText). The preview is body text and is only shortened.
    internal static SendActivityNotificationPostRequestBody Body(Notification notification, string text, Uri webUrl)
    {
        var subject = HeaderText.Clean(notification.Subject);
        return new()
        {
            Topic = new TeamworkActivityTopic
            {
                Source = TeamworkActivityTopicSource.Text,
                Value = subject,
                WebUrl = webUrl.AbsoluteUri,
            },
            ActivityType = "systemDefault",
            PreviewText = new ItemBody { Content = text.Length <= PreviewLength ? text : text[..(PreviewLength - 1)] + "…" },
            TemplateParameters = [new Microsoft.Graph.Models.KeyValuePair { Name = "systemDefaultText", Value = subject }],
        };
    }
}
