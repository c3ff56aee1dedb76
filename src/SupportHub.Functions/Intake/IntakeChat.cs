using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Functions.Hosting;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Workflows;

namespace SupportHub.Functions.Intake;

/// <summary><c>POST /api/intake/chat</c>: the chat platform's webhook, JSON, signed with the chat secret.</summary>
internal static class IntakeChat
{
    public static async Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock, SupportPolicy policy,
        TicketIntake intake, IMessageSender sender, CancellationToken cancellationToken)
    {
        if (IntakeHttp.MediaType(request) != "application/json")
        {
            return IntakeHttp.UnsupportedMediaType("application/json");
        }
        var (body, tooLarge) = await IntakeHttp.ReadBodyAsync(request, options.Value.MaxWebhookBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var now = clock.GetCurrentInstant();
        if (WebhookAuth.Verify(secrets.ChatSecret, request.Headers[WebhookAuth.TimestampHeader], request.Headers[WebhookAuth.SignatureHeader], body, now) is { } denied)
        {
            return IntakeHttp.Unauthorized(denied.Field, denied.Detail);
        }
        var parsed = ChatWebhook.Parse(body, policy, now, options.Value.MaxTextChars);
        return parsed.Ok
            ? await IntakeHttp.AcceptAsync(parsed.Value!, intake, sender, cancellationToken)
            : IntakeHttp.Problems(parsed.Problems);
    }
}
