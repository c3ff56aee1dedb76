namespace SupportHub.Policy;

/// <summary>
/// What <see cref="PolicyLoader.Load"/> found: the policy when the document has no problem at all,
/// otherwise every problem and no policy (a bad policy never half-loads).
/// </summary>
public sealed record PolicyLoadResult
{
    private PolicyLoadResult(SupportPolicy? policy, IReadOnlyList<PolicyProblem> problems)
    {
        Policy = policy;
        Problems = problems;
    }

    /// <summary>Non-null exactly when <see cref="Problems"/> is empty.</summary>
    public SupportPolicy? Policy { get; }

    /// <summary>Every problem, in the order the loader met them; empty when the policy loaded.</summary>
    public IReadOnlyList<PolicyProblem> Problems { get; }

    public bool IsValid => Policy is not null;

    internal static PolicyLoadResult Valid(SupportPolicy policy) => new(policy, []);

    internal static PolicyLoadResult Invalid(IReadOnlyList<PolicyProblem> problems)
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("An invalid result needs at least one problem.", nameof(problems));
        }
        return new(null, problems);
    }
}

/// <summary>
/// One thing wrong with a policy document. <paramref name="Path"/> is a dotted JSON path with
/// <c>[i]</c> for array items (<c>tiers.standard.targets.2.response</c>, <c>accounts[0].emailDomains[1]</c>);
/// <c>$</c> is the whole document.
/// </summary>
public sealed record PolicyProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
