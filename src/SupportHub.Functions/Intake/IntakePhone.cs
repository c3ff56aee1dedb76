using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.Hosting;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Workflows;

namespace SupportHub.Functions.Intake;

/// <summary><c>POST /api/intake/phone</c>: the IVR's callback, JSON or form-encoded, signed with the phone secret.</summary>
internal static class IntakePhone
{
    public static async Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock, SupportPolicy policy,
        TicketIntake intake, IMessageSender sender, CancellationToken cancellationToken)
    {
        var mediaType = IntakeHttp.MediaType(request);
        if (mediaType is not ("application/json" or "application/x-www-form-urlencoded"))
        {
            return IntakeHttp.UnsupportedMediaType("application/json", "application/x-www-form-urlencoded");
        }
        var (body, tooLarge) = await IntakeHttp.ReadBodyAsync(request, options.Value.MaxWebhookBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var now = clock.GetCurrentInstant();
        if (WebhookAuth.Verify(secrets.PhoneSecret, request.Headers[WebhookAuth.TimestampHeader], request.Headers[WebhookAuth.SignatureHeader], body, now) is { } denied)
        {
            return IntakeHttp.Unauthorized(denied.Field, denied.Detail);
        }
        var parsed = mediaType == "application/json"
            ? PhoneCallback.ParseJson(body, policy, now, options.Value.MaxTextChars)
            : PhoneCallback.ParseForm(body, policy, now, options.Value.MaxTextChars);
        return parsed.Ok
            ? await IntakeHttp.AcceptAsync(parsed.Value!, intake, sender, cancellationToken)
            : IntakeHttp.Problems(parsed.Problems);
    }
}
