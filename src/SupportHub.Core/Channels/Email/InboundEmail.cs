using SupportHub.Intake;
using SupportHub.Intake.Email;

namespace SupportHub.Channels.Email;

/// <summary>An email as SendGrid Inbound Parse delivered it, normalised.</summary>
/// <param name="MessageId">Without angle brackets. When the mail has none, a hash of its sender, date,
/// subject and text (<c>sha256-…@supporthub.invalid</c>), so a redelivery is still recognised.</param>
/// <param name="InReplyTo">In-Reply-To, then References newest first: the most specific first.</param>
/// <param name="Text">The new part of the message (<see cref="ReplyText"/>), from the text part or, failing that, the HTML.</param>
/// <param name="Spf">SendGrid's <c>SPF</c> field, as it says it (<c>pass</c>, <c>fail</c>, …).</param>
/// <param name="Dkim">SendGrid's <c>dkim</c> field (<c>{@acme.gov : pass}</c>).</param>
/// <param name="Mode"><c>default</c> (parsed fields) or <c>raw</c> (the whole MIME in <c>email</c>).</param>
public sealed record InboundEmail(
    string? FromName,
    string FromAddress,
    string To,
    string Subject,
    string Text,
    string MessageId,
    IReadOnlyList<string> InReplyTo,
    IReadOnlyList<AttachmentInfo> Attachments,
    string? Spf,
    string? Dkim,
    string Mode)
{
    /// <summary>The whole text before trimming: quotes and signature included.</summary>
    public string FullText { get; init; } = "";

    /// <summary>The SMTP envelope sender: SendGrid's <c>envelope</c> field's <c>from</c>, else the Return-Path
    /// header; empty for the null sender <c>&lt;&gt;</c>; null when neither says.</summary>
    public string? EnvelopeFrom { get; init; }

    /// <summary>Every <c>Authentication-Results</c> header value, in order (the top one, added last, first).</summary>
    public IReadOnlyList<string> AuthenticationResults { get; init; } = [];

    /// <summary>Why the mail was sent by a machine (<see cref="AutomaticMail"/>); null when a person sent it.</summary>
    public string? Automatic { get; init; }

    /// <summary>The delivery report this mail is (<c>multipart/report; report-type=delivery-status</c>); null otherwise.</summary>
    public DeliveryReport? DeliveryReport { get; init; }
}
