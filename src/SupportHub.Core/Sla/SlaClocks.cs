using System.Collections.Immutable;
using NodaTime;
using SupportHub.Calendars;

namespace SupportHub.Sla;

/// <summary>The three clocks of POLICY.md "SLA clocks".</summary>
public enum SlaTarget
{
    /// <summary>Met by the first public reply or the first move from New to Open.</summary>
    Response,
    /// <summary>Met when a workaround is in place (marked restored) or the ticket is solved.</summary>
    Restore,
    /// <summary>Met when the ticket is solved.</summary>
    Resolve,
}

/// <summary>
/// One running clock of a ticket. Due and warning instants already include every Pending stretch
/// that has ended; while <see cref="PausedAt"/> is set the clock stands still.
/// </summary>
/// <param name="Budget">The target as the policy states it (<c>4bh</c>).</param>
/// <param name="Start">Where the clock started: received, or the next opening for business units.</param>
/// <param name="Explain">One line saying how <see cref="Due"/> was computed.</param>
public sealed record SlaClock(
    SlaTarget Target,
    PolicyDuration Budget,
    Instant Start,
    Instant Due,
    Instant WarningAt,
    string Explain,
    Instant? MetAt = null,
    bool Warned = false,
    bool Breached = false,
    Instant? PausedAt = null)
{
    public bool Met => MetAt is not null;

    /// <summary>Restore and resolve stand still while the ticket waits on the requester; response never does.</summary>
    public bool PausesWhilePending => Target != SlaTarget.Response;
}

/// <summary>A Pending stretch that has ended: restore and resolve did not run in <c>[From, To)</c>.</summary>
public sealed record PendingStretch(Instant From, Instant To);

/// <summary>The clocks of one ticket; a target the tier does not set has no clock.</summary>
/// <param name="PendingStretches">
/// Every ended Pending stretch, oldest first: a severity change recomputes clocks from the received
/// instant and must move them later by these again. Null until the ticket first leaves Pending.
/// </param>
public sealed record SlaClocks(ImmutableList<SlaClock> Clocks, ImmutableList<PendingStretch>? PendingStretches = null)
{
    public static SlaClocks Empty { get; } = new(ImmutableList<SlaClock>.Empty);

    public SlaClock? this[SlaTarget target] => Clocks.FirstOrDefault(c => c.Target == target);

    public SlaClocks With(SlaClock clock) =>
        this with { Clocks = Clocks.RemoveAll(c => c.Target == clock.Target).Add(clock).Sort((a, b) => a.Target.CompareTo(b.Target)) };

    public IEnumerable<PendingStretch> Stretches => PendingStretches ?? ImmutableList<PendingStretch>.Empty;
}

public static class SlaTargetNames
{
    public static string Name(this SlaTarget target) => target.ToString().ToLowerInvariant();
}
