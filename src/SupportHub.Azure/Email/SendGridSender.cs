using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SupportHub.Azure.Notifications;
using SupportHub.Notifications;

namespace SupportHub.Azure.Email;

// Email through SendGrid's v3 API (docs.sendgrid.com, "Mail Send"):
//   POST https://api.sendgrid.com/v3/mail/send   Authorization: Bearer <API key>   → 202 Accepted
//   {"personalizations":[{"to":[{"email","name"}]}], "from":{...}, "subject", "content":[{"type":"text/plain","value"}],
//    "custom_args":{"notification_id","ticket","purpose"}, "headers":{"Message-ID": ...}}
// custom_args come back on SendGrid's event webhook, tying a bounce to the notification. The
// Message-ID the hub chose (so a reply threads into the ticket) goes in "headers"; SendGrid's
// reserved-header list does not name Message-ID, but that SendGrid keeps it unchanged is not
// confirmed by its documentation. SendGrid has no idempotency key: SentNotifications makes a
// redelivered notification send nothing. As an INotificationChannel it is the Azure runtime's email
// channel.

/// <summary>Sends email notifications through SendGrid.</summary>
public sealed class SendGridSender : INotificationChannel
{
    public const string Channel = "email";

    public static readonly Uri DefaultEndpoint = new("https://api.sendgrid.com/");

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly SendGridSettings _settings;
    private readonly SentNotifications _sent;

    public SendGridSender(SendGridSettings settings, SentNotifications sent, AzureAdapterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.ApiKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.FromEmail);
        _settings = settings;
        _sent = sent ?? throw new ArgumentNullException(nameof(sent));
        _endpoint = settings.Endpoint ?? DefaultEndpoint;
        _pipeline = (options ?? new AzureAdapterOptions()).BuildPipeline(new BearerKeyPolicy(settings.ApiKey));
    }

    /// <summary>The email channel: the rendered text, under the Message-ID the hub chose.</summary>
    public Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Notification.Via != Policy.Channel.Email)
        {
            throw new ArgumentException($"Notification {notification.Notification.Id} goes by {notification.Notification.Via.Name()}, not email.", nameof(notification));
        }

        return SendAsync(notification.Notification, notification.Text, notification.MessageId, cancellationToken);
    }

    /// <param name="text">The rendered text, signed links written out.</param>
    /// <param name="messageId">The Message-ID header, angle brackets included; null to let SendGrid choose.</param>
    public async Task SendAsync(Notification notification, string text, string? messageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(text);
        var address = notification.To.Email ?? throw new ArgumentException($"Notification {notification.Id}: {notification.To.To} has no email address.", nameof(notification));

        var attempt = await _sent.BeginAsync(Channel, notification.Id, cancellationToken).ConfigureAwait(false);
        if (attempt.AlreadySent)
        {
            return;
        }

        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(_endpoint, "v3/mail/send"));
        message.Request.Headers.SetValue(HttpHeader.Names.ContentType, "application/json");
        message.Request.Content = RequestContent.Create(BinaryData.FromString(Body(notification, address, text, messageId).ToJsonString()));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 202)
        {
            throw new RequestFailedException(message.Response);
        }

        await _sent.CompleteAsync(attempt, cancellationToken).ConfigureAwait(false);
    }

    // Subject, names and header values pass through HeaderText here, where they become headers: the
    // subject and the recipient's name come from what a customer wrote, and a CR or LF in them would
    // start a header of its own. The body (content) keeps its newlines.
    internal JsonObject Body(Notification notification, string address, string text, string? messageId)
    {
        var to = new JsonObject { ["email"] = address };
        if (HeaderText.Clean(notification.To.Name, HeaderText.NameLength) is { Length: > 0 } toName)
        {
            to["name"] = toName;
        }

        var from = new JsonObject { ["email"] = _settings.FromEmail };
        if (HeaderText.Clean(_settings.FromName, HeaderText.NameLength) is { Length: > 0 } fromName)
        {
            from["name"] = fromName;
        }

        var body = new JsonObject
        {
            ["personalizations"] = new JsonArray(new JsonObject { ["to"] = new JsonArray(to) }),
            ["from"] = from,
            // SendGrid refuses an empty subject.
            ["subject"] = HeaderText.Clean(notification.Subject) is { Length: > 0 } subject ? subject : "(no subject)",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text/plain", ["value"] = text }),
            ["custom_args"] = new JsonObject
            {
                ["notification_id"] = notification.Id,
                ["ticket"] = notification.Ticket,
                ["purpose"] = notification.Purpose.Name(),
            },
        };
        if (messageId is not null)
        {
            body["headers"] = new JsonObject { ["Message-ID"] = HeaderText.Clean(messageId, int.MaxValue) };
        }

        if (_settings.SandboxMode)
        {
            body["mail_settings"] = new JsonObject { ["sandbox_mode"] = new JsonObject { ["enable"] = true } };
        }

        return body;
    }

    /// <summary>Authorization: Bearer with the API key, on every try.</summary>
    private sealed class BearerKeyPolicy(string key) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            message.Request.Headers.SetValue(HttpHeader.Names.Authorization, "Bearer " + key);
    }
}

/// <param name="SandboxMode">SendGrid validates the mail and sends nothing (mail_settings.sandbox_mode).</param>
/// <param name="Endpoint">Null for https://api.sendgrid.com/.</param>
public sealed record SendGridSettings(string ApiKey, string FromEmail, string? FromName = null, bool SandboxMode = false, Uri? Endpoint = null)
{
    public override string ToString() => $"SendGridSettings {{ FromEmail = {FromEmail}, SandboxMode = {SandboxMode} }}";
}
