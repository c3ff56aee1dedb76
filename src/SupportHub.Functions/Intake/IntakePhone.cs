using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Channels.Phone;
using SupportHub.Functions.Hosting;
using SupportHub.Intake;
using SupportHub.Policy;

namespace SupportHub.Functions.Intake;

/// <summary><c>POST /api/intake/phone</c>: the IVR's callback, JSON or form-encoded, signed with the phone secret.</summary>
internal static class IntakePhone
{
    public static Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock, SupportPolicy policy,
        TicketIntake intake, CancellationToken cancellationToken) =>
        IntakeHttp.SignedWebhookAsync(request, secrets.PhoneSecret, ["application/json", "application/x-www-form-urlencoded"],
            options.Value.MaxWebhookBytes, clock,
            (body, mediaType, now) => mediaType == "application/json"
                ? PhoneCallback.ParseJson(body, policy, now, options.Value.MaxTextChars)
                : PhoneCallback.ParseForm(body, policy, now, options.Value.MaxTextChars),
            intake, cancellationToken);
}
