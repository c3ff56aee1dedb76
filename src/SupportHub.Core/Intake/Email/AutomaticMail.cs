namespace SupportHub.Intake.Email;

/// <summary>
/// Whether an email was sent by a machine rather than a person, by the signs RFC 3834 (§2, §5) and
/// the mail systems in use give, so that nothing automatic answers it: an auto-reply to an
/// auto-reply, a bounce or a mailing list is how mail loops start. The message still becomes a
/// ticket or joins one; only the hub's automatic answers are withheld.
/// </summary>
public static class AutomaticMail
{
    /// <summary>Why the message is automatic, in words for the ticket's timeline; null when a person sent it.</summary>
    /// <param name="header">The first value of a header field by name (case-insensitive), null when absent.</param>
    /// <param name="fromAddress">The From address.</param>
    /// <param name="envelopeFrom">The SMTP envelope sender (SendGrid's <c>envelope.from</c>, else Return-Path):
    /// empty for the null sender <c>&lt;&gt;</c>, null when not known.</param>
    public static string? Classify(Func<string, string?> header, string fromAddress, string? envelopeFrom)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(fromAddress);
        // RFC 3834 §5: anything but "no" (auto-replied, auto-generated, auto-notified, extensions).
        if (Token(header("Auto-Submitted")) is { Length: > 0 } submitted && submitted != "no")
        {
            return $"Auto-Submitted: {submitted}";
        }
        if (Token(header("Precedence")) is ("bulk" or "junk" or "list") and var precedence)
        {
            return $"Precedence: {precedence}";
        }
        if (header("List-Id") is { } listId && listId.Trim().Length > 0)
        {
            return $"List-Id: {listId.Trim()}";
        }
        // The null reverse-path: delivery reports and other mail that must never be answered (RFC 5321 §4.5.5).
        if (envelopeFrom is { Length: 0 } || (header("Return-Path") is { } returnPath && returnPath.Trim() is "<>" or "< >"))
        {
            return "empty Return-Path";
        }
        var at = fromAddress.LastIndexOf('@');
        var local = at < 0 ? fromAddress : fromAddress[..at];
        if (local.Equals("MAILER-DAEMON", StringComparison.OrdinalIgnoreCase) || local.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return $"sent by {local}";
        }
        // Exchange: the sender asks for no automatic responses (All), or none of the auto-reply kind.
        // Lists such as "DR, OOF, AutoReply" count when they hold one of those two.
        if (header("X-Auto-Response-Suppress") is { } suppress
            && suppress.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(v => v.Equals("All", StringComparison.OrdinalIgnoreCase) || v.Equals("AutoReply", StringComparison.OrdinalIgnoreCase)) is { } asked)
        {
            return $"X-Auto-Response-Suppress: {asked}";
        }
        return null;
    }

    // "auto-replied; owner-email=..." → "auto-replied"; lower case.
    private static string? Token(string? value) =>
        value?.Split(';', 2)[0].Trim().ToLowerInvariant();
}
