using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;

namespace SupportHub.Sla;

/// <summary>
/// The SLA clocks of one ticket (response, restore, resolve — those its severity has) plus the
/// ticket's Pending history, which a severity change needs to recompute the unmet clocks from the
/// received instant. Immutable; the workflow decider keeps it in its state and schedules timers at
/// each clock's <see cref="SlaClock.DueAt"/> and <see cref="SlaClock.WarningAt"/>.
/// </summary>
public sealed record TicketClocks(
    Instant Received,
    IReadOnlyList<SlaClock> Clocks,
    IReadOnlyList<Interval> PendingSpans,
    Instant? PendingSince)
{
    /// <summary>In target order; a target the severity does not have is absent.</summary>
    public IReadOnlyList<SlaClock> Clocks { get; init; } = Clocks;

    /// <summary>Completed stretches in Pending, in order.</summary>
    public IReadOnlyList<Interval> PendingSpans { get; init; } = PendingSpans;

    /// <summary>Start of the current Pending stretch; null when not Pending.</summary>
    public Instant? PendingSince { get; init; } = PendingSince;

    public SlaClock? this[SlaTarget target] => Clocks.FirstOrDefault(c => c.Target == target);

    /// <summary>Starts the clocks of <paramref name="targets"/> (null: no SLA) in <paramref name="calendar"/>.</summary>
    public static TicketClocks Start(BusinessCalendar calendar, SeverityTargets? targets, Instant received, double warningShare) =>
        new(received, Begin(calendar, targets, received, warningShare), [], null);

    /// <summary>The ticket entered Pending: restore and resolve stop counting. Ignored when already Pending.</summary>
    public TicketClocks Pause(Instant at) => PendingSince is not null
        ? this
        : this with { PendingSince = at, Clocks = [.. Clocks.Select(c => c.Pause(at))] };

    /// <summary>The ticket left Pending: unmet restore and resolve move later by the Pending time. Ignored when not Pending.</summary>
    public TicketClocks Resume(BusinessCalendar calendar, Instant at) => PendingSince is not { } since
        ? this
        : this with
        {
            PendingSince = null,
            PendingSpans = [.. PendingSpans, new Interval(since, Max(since, at))],
            Clocks = [.. Clocks.Select(c => c.Resume(calendar, at))],
        };

    public TicketClocks Meet(SlaTarget target, Instant at) => With(target, c => c.Meet(at));

    public TicketClocks Warn(SlaTarget target, Instant at) => With(target, c => c.Warn(at));

    public TicketClocks Breach(SlaTarget target, Instant at) => With(target, c => c.Breach(at));

    /// <summary>
    /// Severity change: unmet targets are recomputed from the received instant with the new terms
    /// and calendar; met targets stay as they were; a target the new severity lacks is dropped
    /// unless met; a target it adds starts (from received) with the Pending history applied.
    /// </summary>
    public TicketClocks Recompute(BusinessCalendar calendar, SeverityTargets? targets, double warningShare)
    {
        var result = new List<SlaClock>();
        foreach (var target in Enum.GetValues<SlaTarget>())
        {
            var old = this[target];
            var amount = AmountOf(targets, target);
            if (old is { IsMet: true })
            {
                result.Add(old);
            }
            else if (amount is { } a)
            {
                var seed = old ?? SlaClock.Begin(target, a, calendar, Received, warningShare);
                result.Add(seed.Recompute(a, calendar, warningShare, PendingSpans, PendingSince));
            }
        }
        return this with { Clocks = result };
    }

    private TicketClocks With(SlaTarget target, Func<SlaClock, SlaClock> change)
    {
        var clocks = Clocks.Select(c => c.Target == target ? change(c) : c).ToList();
        return clocks.SequenceEqual(Clocks) ? this : this with { Clocks = clocks };
    }

    private static SlaClock[] Begin(BusinessCalendar calendar, SeverityTargets? targets, Instant received, double warningShare) =>
        [.. Enum.GetValues<SlaTarget>()
            .Select(t => (Target: t, Amount: AmountOf(targets, t)))
            .Where(t => t.Amount is not null)
            .Select(t => SlaClock.Begin(t.Target, t.Amount!.Value, calendar, received, warningShare))];

    internal static PolicyDuration? AmountOf(SeverityTargets? targets, SlaTarget target) => target switch
    {
        SlaTarget.Response => targets?.Response,
        SlaTarget.Restore => targets?.Restore,
        _ => targets?.Resolve,
    };

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;
}
