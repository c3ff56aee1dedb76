using NodaTime;

namespace SupportHub.Billing;

public enum BillingStatus
{
    Requested,
    Approved,
    Declined,
    Expired,
}

/// <summary>The after-hours billing request of a ticket, if one was made.</summary>
/// <param name="Deadline">The end of the approval window: later answers change nothing.</param>
/// <param name="AnsweredBy">Who approved or declined.</param>
public sealed record BillingState(BillingStatus Status, decimal Rate, string Currency, string Per, Instant Deadline, string? AnsweredBy = null, Instant? AnsweredAt = null);
