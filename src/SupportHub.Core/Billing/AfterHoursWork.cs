using NodaTime;
using SupportHub.Policy;

namespace SupportHub.Billing;

/// <summary>
/// Whether a ticket arrived after hours and what working it then needs (POLICY.md "After-hours
/// requests and billing approval"). Decided once, when the ticket is received: a later severity
/// change moves the ticket's SLA clocks, never this.
/// </summary>
/// <param name="AfterHours">The tier's <c>hours</c> calendar was closed when the ticket was received.</param>
public sealed record AfterHoursWork(bool AfterHours, BillingApproval Approval)
{
    /// <summary>
    /// Classifies a ticket of <paramref name="tier"/> received at <paramref name="received"/>.
    /// <paramref name="emergency"/> is whether it is worked as an emergency (raised by someone allowed
    /// to, as the SLA assessment decides): such work is never billed, at any hour.
    /// </summary>
    public static AfterHoursWork Classify(SupportPolicy policy, Tier tier, bool emergency, Instant received)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(tier);
        var afterHours = !policy.Calendars[tier.Hours].IsOpen(received);
        var approval = emergency ? BillingApproval.Emergency
            : afterHours && tier.AfterHours is { Billable: true } ? BillingApproval.Required
            : BillingApproval.NotRequired;
        return new AfterHoursWork(afterHours, approval);
    }
}
