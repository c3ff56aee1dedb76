using NodaTime;
using SupportHub.Tickets;

namespace SupportHub.Intake;

/// <summary>
/// A message from any channel, normalised: what ticket intake needs to identify the requester,
/// thread the message into a ticket or open one, and classify it. Built by the channel parsers
/// (email, chat, phone) and by <c>supporthub simulate</c>.
/// </summary>
/// <param name="SourceId">The channel's own id (email Message-ID, chat messageId, IVR callId): the idempotency key.</param>
/// <param name="AccountHint">An account id the channel states (the chat platform's <c>account</c>).</param>
/// <param name="Severity">A severity the channel states explicitly; null to use the policy's default.</param>
/// <param name="ConversationId">Chat conversation: later messages of it thread into the same ticket.</param>
/// <param name="InReplyTo">Email In-Reply-To and References Message-IDs, most specific first.</param>
/// <param name="Automatic">Why a machine sent the message (an out-of-office reply, a mailing list: intake's
/// <c>AutomaticMail</c>); nothing automatic answers it. Null when a person sent it.</param>
public sealed record InboundMessage(
    IntakeChannel Channel,
    string SourceId,
    Instant ReceivedAt,
    Requester From,
    string Subject,
    string Text,
    string? AccountHint = null,
    int? Severity = null,
    string? ConversationId = null,
    IReadOnlyList<string>? InReplyTo = null,
    string? Automatic = null);
