using NodaTime;

namespace SupportHub.Lifecycle;

/// <summary>The lifecycle's own memory beyond the status: when the current stretch began.</summary>
/// <param name="PendingSince">Start of the current Pending stretch; null when not Pending.</param>
/// <param name="SolvedAt">Last solve; null when never solved or reopened since.</param>
/// <param name="SurveySent">A survey went out for the current solve.</param>
/// <param name="Rating">The requester's answer, once: true good, false bad.</param>
public sealed record LifecycleState(
    Instant? PendingSince = null,
    Instant? SolvedAt = null,
    bool SurveySent = false,
    bool? Rating = null,
    Instant? FirstStaffReply = null);
