using System.Text.Json;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Tickets;

namespace SupportHub.Channels.Chat;

/// <summary>
/// The chat platform's webhook body (CONTRACT.md "Chat webhook body"): <c>messageId</c>,
/// <c>conversationId</c>, <c>account</c>, <c>from {name, email}</c>, <c>text</c>, <c>severity</c>,
/// <c>sentAt</c>. The severity is the body's, else the policy's default. The ticket's clocks run
/// from when the hub received the message; the sender's <c>sentAt</c> is kept as a detail, since a
/// webhook's own clock is neither trusted nor needed.
/// </summary>
public static class ChatWebhook
{
    public static IntakeParse<ChannelMessage> Parse(ReadOnlySpan<byte> json, SupportPolicy policy, Instant receivedAt, int maxTextChars)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return WebhookJson.ParseObject(json, body =>
        {
            var read = new FieldReader(policy);
            var messageId = read.Text("messageId", read.Json(body, "messageId", "messageId"), required: true);
            var conversationId = read.Text("conversationId", read.Json(body, "conversationId", "conversationId"), required: false);
            var account = read.Text("account", read.Json(body, "account", "account"), required: false);
            var text = read.Text("text", read.Json(body, "text", "text"), required: true, int.MaxValue);
            var severity = read.Severity("severity", read.Json(body, "severity", "severity"));
            var sentAt = read.Instant("sentAt", read.Json(body, "sentAt", "sentAt"));
            string? name = null;
            string? email = null;
            if (!body.TryGetProperty("from", out var from) || from.ValueKind != JsonValueKind.Object)
            {
                read.Problems.Add(new IntakeProblem("from", "Required: an object with the sender's name and email."));
            }
            else
            {
                name = read.Text("from.name", read.Json(from, "name", "from.name"), required: false);
                email = read.Email("from.email", read.Json(from, "email", "from.email"));
                if (name is null && email is null && !read.Problems.Any(p => p.Field.StartsWith("from.", StringComparison.Ordinal)))
                {
                    read.Problems.Add(new IntakeProblem("from", "Needs a name or an email."));
                }
            }
            if (read.Problems.Count > 0)
            {
                return IntakeParse<ChannelMessage>.Failure(read.Problems);
            }
            var details = new Dictionary<string, string>();
            if (sentAt is { } sent)
            {
                details["sentAt"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(sent);
            }
            var message = new InboundMessage(IntakeChannel.Chat, messageId!, receivedAt, new Requester(name, email, null), "",
                ChannelMessage.Limit(text!, maxTextChars), account, severity, conversationId);
            return IntakeParse<ChannelMessage>.Success(new ChannelMessage(message, [], details));
        });
    }
}
