namespace SupportHub.Escalation;

/// <summary>
/// Where a ticket's escalation chain stands. <see cref="Run"/> counts chain starts on this ticket, so
/// a timer from an earlier run is recognised as stale.
/// </summary>
/// <param name="Step">1-based step that fired last.</param>
/// <param name="Round">1-based round; a chain runs <c>repeat + 1</c> rounds.</param>
/// <param name="Active">False once acknowledged, solved or exhausted.</param>
/// <param name="StoppedBy">Who acknowledged (or solved), for "already acknowledged by bob".</param>
/// <param name="StoppedReason"><c>acknowledged</c> or <c>solved</c>, as the ticket's <c>EscalationStopped</c> event says.</param>
public sealed record EscalationState(string Chain, int Run, int Step, int Round, bool Active, string? StoppedBy = null, string? StoppedReason = null);
