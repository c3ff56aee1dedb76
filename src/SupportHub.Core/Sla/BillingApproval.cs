namespace SupportHub.Sla;

/// <summary>CONTRACT.md's <c>billingApproval</c>: whether after-hours work needs the customer's consent.</summary>
public enum BillingApproval
{
    /// <summary>Worked now and not billed: hours are open, or the tier is not billable.</summary>
    NotRequired,
    /// <summary>After hours in a billable tier: not worked until an approver agrees.</summary>
    Required,
    /// <summary>An emergency from someone allowed to raise one: paged at once, never billed.</summary>
    Emergency,
}

public static class BillingApprovalNames
{
    public static string Name(this BillingApproval approval) => approval switch
    {
        BillingApproval.Required => "required",
        BillingApproval.Emergency => "emergency",
        _ => "not-required",
    };
}
