namespace SupportHub.Policy;

/// <summary>
/// What <see cref="PolicyLoader.Load"/> found: <see cref="Errors"/>, which the hub cannot run with,
/// and <see cref="Warnings"/>, which it runs with although something may not reach someone
/// (CONTRACT.md, <c>policy check</c>). The policy is there exactly when there is no error (a bad
/// policy never half-loads); warnings never keep it from loading.
/// </summary>
public sealed record PolicyLoadResult
{
    private PolicyLoadResult(SupportPolicy? policy, IReadOnlyList<PolicyProblem> errors, IReadOnlyList<PolicyProblem> warnings)
    {
        Policy = policy;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>Non-null exactly when <see cref="Errors"/> is empty.</summary>
    public SupportPolicy? Policy { get; }

    /// <summary>Every error, in the order the loader met them; empty when the policy loaded.</summary>
    public IReadOnlyList<PolicyProblem> Errors { get; }

    /// <summary>
    /// Every warning, in the order the loader met them: a person paged by a channel they have no
    /// address for (they are paged by their other channels and the page records the skip), an
    /// emergency severity that starts no chain. A document with errors may have warnings too.
    /// </summary>
    public IReadOnlyList<PolicyProblem> Warnings { get; }

    public bool IsValid => Policy is not null;

    internal static PolicyLoadResult Valid(SupportPolicy policy, IReadOnlyList<PolicyProblem> warnings) => new(policy, [], warnings);

    internal static PolicyLoadResult Invalid(IReadOnlyList<PolicyProblem> errors, IReadOnlyList<PolicyProblem> warnings)
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("An invalid result needs at least one error.", nameof(errors));
        }
        return new(null, errors, warnings);
    }
}

/// <summary>
/// One thing wrong with a policy document, an error or a warning. <paramref name="Path"/> is a
/// dotted JSON path with <c>[i]</c> for array items (<c>tiers.standard.targets.2.response</c>,
/// <c>accounts[0].emailDomains[1]</c>); <c>$</c> is the whole document.
/// </summary>
public sealed record PolicyProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
