namespace SupportHub.Intake.Email;

/// <summary>
/// A delivery status notification (RFC 3464: <c>multipart/report; report-type=delivery-status</c>)
/// about a message the hub sent: which message, and what became of each recipient. It belongs to the
/// ticket of the message that bounced, as a delivery failure; it never opens a ticket, and nothing
/// answers it.
/// </summary>
/// <param name="OriginalMessageId">The Message-ID of the message the report is about (from the returned
/// message or its headers), without angle brackets; null when the report does not say.</param>
public sealed record DeliveryReport(string? OriginalMessageId, IReadOnlyList<DeliveryRecipient> Recipients)
{
    /// <summary>The report says some recipient was not reached for good (<c>Action: failed</c>).</summary>
    public bool Failed => Recipients.Any(r => r.Action == "failed");

    /// <summary>The recipient the report is chiefly about: the first that failed, else the first.</summary>
    public DeliveryRecipient? Main => Recipients.FirstOrDefault(r => r.Action == "failed") ?? Recipients.FirstOrDefault();
}

/// <summary>One recipient's fields of a delivery report.</summary>
/// <param name="Recipient">The address (Final-Recipient, else Original-Recipient), without its <c>rfc822;</c> type.</param>
/// <param name="Action"><c>failed</c>, <c>delayed</c>, <c>delivered</c>, <c>relayed</c> or <c>expanded</c>, lower case.</param>
/// <param name="Status">The enhanced status code (<c>5.1.1</c>).</param>
/// <param name="Diagnostic">The remote server's words (Diagnostic-Code, without its <c>smtp;</c> type).</param>
public sealed record DeliveryRecipient(string Recipient, string Action, string? Status, string? Diagnostic);
