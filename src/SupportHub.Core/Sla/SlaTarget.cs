namespace SupportHub.Sla;

/// <summary>The three SLA targets of a severity (POLICY.md "SLA clocks").</summary>
public enum SlaTarget
{
    /// <summary>Met by the first public reply or the first move from New to Open; never paused.</summary>
    Response,
    /// <summary>Met when marked restored or solved; paused while Pending.</summary>
    Restore,
    /// <summary>Met when solved; paused while Pending.</summary>
    Resolve,
}

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

public static class SlaNames
{
    /// <summary>The contract's spelling: <c>response</c>, <c>restore</c>, <c>resolve</c>.</summary>
    public static string Name(this SlaTarget target) => target switch
    {
        SlaTarget.Response => "response",
        SlaTarget.Restore => "restore",
        _ => "resolve",
    };

    /// <summary>The contract's spelling: <c>not-required</c>, <c>required</c>, <c>emergency</c>.</summary>
    public static string Name(this BillingApproval approval) => approval switch
    {
        BillingApproval.NotRequired => "not-required",
        BillingApproval.Required => "required",
        _ => "emergency",
    };
}
