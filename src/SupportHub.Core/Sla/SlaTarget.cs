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

public static class SlaNames
{
    /// <summary>The contract's spelling: <c>response</c>, <c>restore</c>, <c>resolve</c>.</summary>
    public static string Name(this SlaTarget target) => target switch
    {
        SlaTarget.Response => "response",
        SlaTarget.Restore => "restore",
        _ => "resolve",
    };
}
