using NodaTime;
using SupportHub.Intake;
using SupportHub.Tickets;

namespace SupportHub.Channels.Email;

/// <summary>An inbound email as ticket intake takes it: the message it threads, with the email's own details.</summary>
public static class InboundEmails
{
    /// <summary>An email from Inbound Parse. <paramref name="receivedAt"/> is when the hub received it.</summary>
    public static ChannelMessage ToChannelMessage(this InboundEmail email, Instant receivedAt, int maxTextChars)
    {
        ArgumentNullException.ThrowIfNull(email);
        var details = new Dictionary<string, string> { ["mode"] = email.Mode, ["to"] = email.To };
        if (email.Spf is { Length: > 0 } spf)
        {
            details["spf"] = spf;
        }
        if (email.Dkim is { Length: > 0 } dkim)
        {
            details["dkim"] = dkim;
        }
        if (email.Automatic is { } automatic)
        {
            details["automatic"] = automatic;
        }
        if (email.DeliveryReport is { } report)
        {
            // The conversation shows a bounce apart from what people wrote.
            details["kind"] = report.Failed ? "delivery-failure" : "delivery-report";
            if (report.Main is { } recipient)
            {
                details["recipient"] = recipient.Recipient;
                details["action"] = recipient.Action;
                if (recipient.Status is { } status)
                {
                    details["status"] = status;
                }
                if (recipient.Diagnostic is { } diagnostic)
                {
                    details["diagnostic"] = diagnostic;
                }
            }
            if (report.OriginalMessageId is { } original)
            {
                details["originalMessageId"] = original;
            }
        }
        var message = new InboundMessage(IntakeChannel.Email, email.MessageId, receivedAt,
            new Requester(email.FromName, email.FromAddress, null), email.Subject, ChannelMessage.Limit(email.Text, maxTextChars),
            Severity: SeverityRules.FromSubject(email.Subject), InReplyTo: email.InReplyTo, Automatic: email.Automatic);
        return new ChannelMessage(message, email.Attachments, details)
        {
            FullText = ChannelMessage.Limit(email.FullText, maxTextChars),
            DeliveryReport = email.DeliveryReport,
        };
    }
}
