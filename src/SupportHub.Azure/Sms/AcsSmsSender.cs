using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using SupportHub.Azure.Notifications;
using SupportHub.Notifications;

namespace SupportHub.Azure.Sms;

// SMS through Azure Communication Services (learn.microsoft.com/rest/api/communication, "Sms - Send"):
//   POST https://{resource}.communication.azure.com/sms?api-version=2021-03-07   → 202
//   {"from", "smsRecipients":[{"to", "repeatabilityRequestId", "repeatabilityFirstSent"}], "message",
//    "smsSendOptions":{"enableDeliveryReport":true, "tag": notification id}}
// Idempotency is ACS's own: the repeatability pair is the same on every retry of a notification,
// the request id a name-based GUID (RFC 4122 version 5) of the notification id and the first-sent
// time the one SentNotifications recorded on the first attempt. A repeat ACS recognises comes back
// "repeatabilityResult": "rejected", which means it was sent before: success. Any other
// unsuccessful recipient result throws RequestFailedException, so the queue retries. As an
// INotificationChannel it is the Azure runtime's SMS channel.

/// <summary>Sends SMS notifications through ACS, signed with the resource's access key.</summary>
public sealed class AcsSmsSender : INotificationChannel
{
    public const string Channel = "sms";

    public const string ApiVersion = "2021-03-07";

    /// <summary>The RFC 4122 namespace of the hub's SMS repeatability ids (a fixed, arbitrary GUID).</summary>
    public static readonly Guid RepeatabilityNamespace = new("5b1f0d3c-6f3e-4f7a-9a55-3c1f2d7e9b10");

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly string _from;
    private readonly SentNotifications _sent;

    /// <param name="endpoint"><c>https://{resource}.communication.azure.com</c>.</param>
    /// <param name="accessKey">The resource's access key (base64).</param>
    /// <param name="from">The sending number in E.164, acquired on the resource.</param>
    public AcsSmsSender(Uri endpoint, string accessKey, string from, SentNotifications sent, AzureAdapterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(from);
        options ??= new AzureAdapterOptions();
        _endpoint = endpoint;
        _from = from;
        _sent = sent ?? throw new ArgumentNullException(nameof(sent));
        _pipeline = options.BuildPipeline(new AcsHmacPolicy(accessKey, options.Clock));
    }

    /// <summary>The SMS channel: the rendered text, signed links written out.</summary>
    public Task SendAsync(RenderedNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Notification.Via != Policy.Channel.Sms)
        {
            throw new ArgumentException($"Notification {notification.Notification.Id} goes by {notification.Notification.Via.Name()}, not SMS.", nameof(notification));
        }

        return SendAsync(notification.Notification, notification.Text, cancellationToken);
    }

    public async Task SendAsync(Notification notification, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(text);
        var phone = notification.To.Phone ?? throw new ArgumentException($"Notification {notification.Id}: {notification.To.To} has no phone number.", nameof(notification));

        var attempt = await _sent.BeginAsync(Channel, notification.Id, cancellationToken).ConfigureAwait(false);
        if (attempt.AlreadySent)
        {
            return;
        }

        var body = new JsonObject
        {
            ["from"] = _from,
            ["smsRecipients"] = new JsonArray(new JsonObject
            {
                ["to"] = phone,
                ["repeatabilityRequestId"] = RepeatabilityRequestId(notification.Id).ToString("D"),
                ["repeatabilityFirstSent"] = attempt.FirstAttemptRfc1123,
            }),
            ["message"] = text,
            ["smsSendOptions"] = new JsonObject { ["enableDeliveryReport"] = true, ["tag"] = notification.Id },
        };

        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(_endpoint, "/sms?api-version=" + ApiVersion));
        message.Request.Headers.SetValue(HttpHeader.Names.ContentType, "application/json");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body.ToJsonString()));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 202)
        {
            throw new RequestFailedException(response);
        }

        ThrowUnlessSent(notification.Id, response);
        await _sent.CompleteAsync(attempt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RFC 4122 version 5 (SHA-1, name-based) of the notification id in <see cref="RepeatabilityNamespace"/>.</summary>
    public static Guid RepeatabilityRequestId(string notificationId)
    {
        Span<byte> name = stackalloc byte[16 + Encoding.UTF8.GetByteCount(notificationId)];
        RepeatabilityNamespace.TryWriteBytes(name, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(notificationId, name[16..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(name, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private static void ThrowUnlessSent(string notificationId, Response response)
    {
        using var json = JsonDocument.Parse(response.Content);
        foreach (var result in json.RootElement.GetProperty("value").EnumerateArray())
        {
            var successful = result.TryGetProperty("successful", out var s) && s.ValueKind == JsonValueKind.True;
            var repeat = result.TryGetProperty("repeatabilityResult", out var r) && r.GetString() == "rejected";
            if (!successful && !repeat)
            {
                var status = result.TryGetProperty("httpStatusCode", out var code) && code.TryGetInt32(out var c) ? c : response.Status;
                var error = result.TryGetProperty("errorMessage", out var e) ? e.GetString() : null;
                throw new RequestFailedException(status, $"ACS did not accept SMS notification {notificationId}: {error ?? result.GetRawText()}", null, null);
            }
        }
    }
}
