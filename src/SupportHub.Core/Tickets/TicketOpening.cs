using SupportHub.Billing;
using SupportHub.Notifications;
using SupportHub.Policy;

namespace SupportHub.Tickets;

/// <summary>
/// What happens when a ticket opens: it is classified (emergency or not, after hours, which
/// calendar its clocks use, whether billing needs approval), the requester gets the acknowledgement
/// with the ticket number, the SLA clocks start, and then either the <c>onCreate</c> chain pages
/// the on-call engineer or the customer is asked to approve after-hours work first.
/// </summary>
internal static class TicketOpening
{
    public static string? Open(DecisionBuilder b, TicketFacts facts)
    {
        var classification = b.Context.Classify(facts);
        b.Emit(new TicketCreated(b.Now, facts, classification.Severity, classification.Emergency,
            classification.AfterHours, classification.ClockCalendar, classification.BillingApproval));
        var ticket = b.State;
        var requester = TicketLifecycle.Requester(ticket);
        var severityName = b.Policy.Severity(ticket.Severity)?.Name ?? $"Sev {ticket.Severity}";

        if (facts.NoAutoReply is { } automatic)
        {
            // RFC 3834: nothing automatic answers automatic mail (an out-of-office reply, a list, a bounce),
            // or two systems answer each other for ever. The ticket opens all the same.
            b.Emit(new NotificationWithheld(b.Now, NotificationPurpose.Acknowledgement.Name(), requester.To,
                TicketLifecycle.ReplyChannel(ticket).Name(), $"automatic mail ({automatic})"));
        }
        else
        {
            b.Notify(NotificationPurpose.Acknowledgement, requester, TicketLifecycle.ReplyChannel(ticket),
                $"[#{ticket.Ref}] {facts.Subject}",
                $"We have received your request and opened ticket #{ticket.Ref} ({severityName}). "
                + "Reply to this message to add to it; keep the ticket number in the subject."
                + MissingFields(facts.Missing));
        }

        if (classification.DowngradedFrom is { } requested)
        {
            b.Emit(new EmergencyDowngraded(b.Now, requested, ticket.Severity, facts.Requester.Address));
            EscalationChains.NotifyAll(b, [new NotifyTarget(NotifyTargetKind.AccountEmergency, "emergency")], [Channel.Email],
                NotificationPurpose.EmergencyDowngraded,
                $"[#{ticket.Ref}] Emergency raised by {facts.Requester.Address} treated as {severityName}",
                $"{facts.Requester.Address} reported an emergency on ticket #{ticket.Ref} (\"{facts.Subject}\"), but only your "
                + $"designated emergency contacts may raise emergencies, so it is handled as {severityName}. "
                + "If this is a true emergency, please call or reply as a designated contact.");
        }

        SlaMonitor.Start(b);

        if (ticket.BillingApproval == BillingApproval.Required && b.Context.Tier(ticket).AfterHours is { Billable: true } terms)
        {
            BillingApprovals.Request(b, terms);
        }
        else if (b.Policy.Escalation.OnCreate.TryGetValue(ticket.Severity, out var chain))
        {
            EscalationChains.Start(b, chain);
        }
        SlaMonitor.RestartNoProgress(b);
        return null;
    }

    // Seed 002: a request should carry product, version, OS and a description; ask for what intake did not find.
    private static string MissingFields(IReadOnlyList<string>? missing) =>
        missing is not { Count: > 0 }
            ? ""
            : "\n\nTo help us work on it, please reply with "
              + string.Join(", ", missing.Select(Describe).SkipLast(1))
              + (missing.Count > 1 ? " and " : "") + Describe(missing[^1]) + ".";

    /// <summary>How the acknowledgement names one of intake's required fields (Intake's RequiredFields):
    /// "the product", "its version", …</summary>
    private static string Describe(string field) => field.ToLowerInvariant() switch
    {
        "product" => "the product concerned",
        "version" => "its version",
        "os" => "your operating system",
        "description" => "a description of the problem",
        var other => other,
    };
}
