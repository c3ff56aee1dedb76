namespace SupportHub.Billing;

/// <summary>
/// The <c>billingApproval</c> of a ticket (CONTRACT.md): an emergency is never billed; a
/// non-emergency received while the tier's hours are closed needs approval when the tier bills
/// after-hours work.
/// </summary>
public enum BillingApproval
{
    NotRequired,
    Required,
    Emergency,
}

public static class BillingApprovalNames
{
    /// <summary>The contract's spelling: <c>not-required</c>, <c>required</c>, <c>emergency</c>.</summary>
    public static string Name(this BillingApproval approval) => approval switch
    {
        BillingApproval.NotRequired => "not-required",
        BillingApproval.Required => "required",
        _ => "emergency",
    };
}
