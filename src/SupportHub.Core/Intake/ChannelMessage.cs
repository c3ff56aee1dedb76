using SupportHub.Intake.Email;

namespace SupportHub.Intake;

/// <summary>
/// What a channel parser makes of one request: the normalised message ticket intake threads, plus
/// what only the conversation keeps (attachments' metadata, channel details such as the IVR
/// recording URL or the sender's own timestamp).
/// </summary>
public sealed record ChannelMessage(
    InboundMessage Message,
    IReadOnlyList<AttachmentInfo> Attachments,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>The whole text as sent, when the channel's text is a trimmed part of it (email: quotes and
    /// signature included); null when the text is all there was.</summary>
    public string? FullText { get; init; }

    /// <summary>A delivery report about a message the hub sent: it joins that message's ticket as a delivery
    /// failure, or nothing (<see cref="TicketIntake.AcceptDeliveryReportAsync"/>); never a new ticket.</summary>
    public DeliveryReport? DeliveryReport { get; init; }

    /// <summary>
    /// The text a message keeps: at most <paramref name="maxChars"/> characters, with a note of how
    /// much was cut. The text travels in a queue message (Service Bus: 256 KB) and a table row, so an
    /// unbounded log pasted into an email cannot stall the ticket.
    /// </summary>
    public static string Limit(string text, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= maxChars
            ? text
            : string.Concat(text.AsSpan(0, maxChars), $"\n[SupportHub: {text.Length - maxChars} more characters not kept]");
    }
}
