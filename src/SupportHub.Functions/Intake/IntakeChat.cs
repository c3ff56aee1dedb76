using Microsoft.Extensions.Options;
using NodaTime;
using SupportHub.Channels.Chat;
using SupportHub.Functions.Hosting;
using SupportHub.Intake;
using SupportHub.Policy;

namespace SupportHub.Functions.Intake;

/// <summary><c>POST /api/intake/chat</c>: the chat platform's webhook, JSON, signed with the chat secret.</summary>
internal static class IntakeChat
{
    public static Task<IResult> HandleAsync(
        HttpRequest request, HubSecrets secrets, IOptions<IntakeOptions> options, IClock clock, SupportPolicy policy,
        TicketIntake intake, CancellationToken cancellationToken) =>
        IntakeHttp.SignedWebhookAsync(request, secrets.ChatSecret, ["application/json"], options.Value.MaxWebhookBytes, clock,
            (body, _, now) => ChatWebhook.Parse(body, policy, now, options.Value.MaxTextChars),
            intake, cancellationToken);
}
