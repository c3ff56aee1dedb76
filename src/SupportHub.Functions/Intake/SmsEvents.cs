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
/// <c>POST /api/events/sms</c>: Event Grid deliveries of ACS <c>SMSReceived</c> events (on-call
/// replies), and the subscription validation handshake. The Event Grid subscription's URL carries the
/// SMS secret as <c>?code=</c> (or <c>?key=</c>), compared in constant time. Each SMS is carried out
/// once (<see cref="OnCallReplies"/>) and its confirmation goes to <c>notifications-outbound</c>.
/// </summary>
internal static class SmsEvents
{
    public static async Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock,
        OnCallReplies replies, IMessageSender sender, CancellationToken cancellationToken)
    {
        var given = request.Query["code"] is { Count: > 0 } code ? code[0] : request.Query["key"] is { Count: > 0 } key ? key[0] : null;
        if (!WebhookAuth.SecretMatches(given, secrets.SmsSecret))
        {
            return IntakeHttp.Unauthorized("code", "Give the SMS secret as ?code= in the Event Grid subscription's URL.");
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
            var reply = await replies.ReplyAsync(sms.Message, clock.GetCurrentInstant(), cancellationToken);
            await sender.SendAsync(QueueNames.NotificationsOutbound, new OutgoingMessage(reply.Id, WorkflowJson.Serialize(reply)), cancellationToken);
        }
        return TypedResults.Ok();
    }
}
