using System.Text.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Channels;
using SupportHub.Channels.EventGrid;
using SupportHub.Channels.Sms;
using SupportHub.Functions.Hosting;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Functions.Intake;

/// <summary>
/// <c>/api/events/sms</c>: Event Grid deliveries of ACS <c>SMSReceived</c> events (on-call replies).
/// <c>POST</c> carries events, including the Event Grid schema's validation event; <c>OPTIONS</c> is the
/// CloudEvents schema's abuse-protection handshake (<see cref="WebhookHandshake"/>). Both need the SMS
/// secret that the Event Grid subscription's URL carries as <c>?code=</c> (or <c>?key=</c>), compared
/// in constant time: the handshake is sent to that exact URL, query string included (CloudEvents
/// webhook spec §4.1), so requiring it costs Event Grid nothing, gives consent only to whoever holds
/// the secret, and makes a subscription created with a wrong URL fail at creation instead of at every
/// delivery. Each SMS is carried out once (<see cref="OnCallReplies"/>); a reply goes to
/// <c>notifications-outbound</c>, and a text from an unknown number is logged (a warning, the number
/// shortened to its last digits) with where it is kept.
/// </summary>
internal static partial class SmsEvents
{
    public static async Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock,
        OnCallReplies replies, IMessageSender sender, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var given = request.Query["code"] is { Count: > 0 } code ? code[0] : request.Query["key"] is { Count: > 0 } key ? key[0] : null;
        if (!WebhookAuth.SecretMatches(given, secrets.SmsSecret))
        {
            return IntakeHttp.Unauthorized("code", "Give the SMS secret as ?code= in the Event Grid subscription's URL.");
        }
        if (HttpMethods.IsOptions(request.Method))
        {
            return Handshake(request);
        }
        if (IntakeHttp.MediaType(request) is not ("application/json" or "application/cloudevents-batch+json" or "application/cloudevents+json"))
        {
            return IntakeHttp.UnsupportedMediaType("application/json");
        }
        var (body, tooLarge) = await IntakeHttp.ReadBodyAsync(request, options.Value.MaxEventBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var parsed = EventGridDelivery.Parse(body);
        if (!parsed.Ok)
        {
            return IntakeHttp.Problems(parsed.Problems);
        }
        if (parsed.Value!.OfType<EventGridEvent.Validation>().FirstOrDefault() is { } validation)
        {
            return TypedResults.Json(new Dictionary<string, string> { ["validationResponse"] = validation.Code }, (JsonSerializerOptions?)null);
        }
        foreach (var sms in parsed.Value!.OfType<EventGridEvent.Sms>())
        {
            var handled = await replies.HandleAsync(sms.Message, clock.GetCurrentInstant(), cancellationToken);
            if (handled.Person is null)
            {
                var record = OnCallReplies.RecordKey(handled.MessageId);
                LogUnknownNumber(loggers.CreateLogger(typeof(SmsEvents)), handled.MessageId, LastDigits(handled.From),
                    handled.Unanswered is null ? "answered (channels.sms.replyToUnknown)" : "not answered: " + handled.Unanswered,
                    OnCallReplies.Table, record.PartitionKey, record.RowKey);
            }
            if (handled.Reply is { } reply)
            {
                await sender.SendAsync(QueueNames.NotificationsOutbound, new OutgoingMessage(reply.Id, WorkflowJson.Serialize(reply)), cancellationToken);
            }
        }
        return TypedResults.Ok();
    }

    /// <summary>200 with the consent headers, or 400 naming the header at fault.</summary>
    private static IResult Handshake(HttpRequest request)
    {
        var answer = WebhookHandshake.Answer(
            request.Headers[WebhookHandshake.RequestOriginHeader].ToArray(),
            request.Headers[WebhookHandshake.RequestRateHeader].ToArray());
        if (!answer.Ok)
        {
            return IntakeHttp.Problems(answer.Problems);
        }
        var headers = request.HttpContext.Response.Headers;
        headers[WebhookHandshake.AllowedOriginHeader] = answer.Value!.AllowedOrigin;
        headers[WebhookHandshake.AllowedRateHeader] = answer.Value.AllowedRate;
        headers.Allow = "OPTIONS, POST";
        return TypedResults.Ok();
    }

    // The number of a stranger is personal data and logs travel (Application Insights): its last four
    // digits tell a person which texter it was; the whole number and the text are in the record.
    private static string LastDigits(string number) =>
        number.Length <= 4 ? "…" : "…" + number[^4..];

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning,
        Message = "SMS {MessageId} from {Number}, which is no person's phone in the policy, ran nothing and was {Outcome}. It is kept in table {Table}, row ({Partition}, {Row}).")]
    private static partial void LogUnknownNumber(ILogger logger, string messageId, string number, string outcome, string table, string partition, string row);
}
