using System.Text.Json.Serialization;
using NodaTime;
using SupportHub.Calendars;

namespace SupportHub.Sla;

/// <summary>
/// One SLA target of one ticket, as an immutable value: when it started, when it is due, how much
/// Pending time has moved it, and whether it was met, warned or breached. Every operation returns
/// a new clock; an operation that no longer applies (meeting a met clock, a late timer) returns the
/// same clock, so a decider can compare and emit nothing.
/// </summary>
/// <remarks>
/// Time is measured in the target's own kind (POLICY.md "SLA clocks"): business time in the clock
/// calendar for <c>bm</c>, <c>bh</c>, <c>bd</c>; elapsed time for <c>m</c>, <c>h</c>, <c>d</c>.
/// The clock is a plain value that the ticket's state persists: the calendar is not part of it but
/// passed in by the operations that count time (begin, resume, recompute).
/// </remarks>
public sealed record SlaClock(
    SlaTarget Target,
    PolicyDuration Amount,
    Instant Received,
    Instant Start,
    Instant ScheduledDue,
    Duration Span,
    double WarningShare,
    Instant Due,
    Instant WarningPoint,
    string Explain)
{
    /// <summary>Received for m/h/d targets; for business targets received if open, else the next opening.</summary>
    public Instant Start { get; init; } = Start;

    /// <summary>The due instant before any Pending time.</summary>
    public Instant ScheduledDue { get; init; } = ScheduledDue;

    /// <summary>Start → <see cref="ScheduledDue"/> in the target's kind of time.</summary>
    public Duration Span { get; init; } = Span;

    /// <summary><c>slaWarningAt</c>: the share of <see cref="Span"/> used when the warning is due.</summary>
    public double WarningShare { get; init; } = WarningShare;

    /// <summary>Completed Pending time, in the target's kind of time.</summary>
    public Duration Paused { get; init; }

    /// <summary>When the current Pending stretch began; null while running.</summary>
    public Instant? PausedSince { get; init; }

    /// <summary><see cref="ScheduledDue"/> moved later by <see cref="Paused"/>.</summary>
    public Instant Due { get; init; } = Due;

    /// <summary>Where <see cref="WarningShare"/> of the span is used, Pending time not counted.</summary>
    public Instant WarningPoint { get; init; } = WarningPoint;

    /// <summary>One line on how <see cref="Due"/> was computed.</summary>
    public string Explain { get; init; } = Explain;

    public Instant? MetAt { get; init; }

    public Instant? WarnedAt { get; init; }

    public Instant? BreachedAt { get; init; }

    // The properties below are computed from the ones above: not stored with the state (a stored
    // row from before, which has them, reads the same).

    /// <summary>Whether the target counts business time (bm, bh, bd) rather than elapsed time.</summary>
    [JsonIgnore]
    public bool CountsBusinessTime => Amount.IsBusiness;

    /// <summary>Only restore and resolve pause while the ticket is Pending.</summary>
    [JsonIgnore]
    public bool PausesWhilePending => Target != SlaTarget.Response;

    [JsonIgnore]
    public bool IsMet => MetAt is not null;

    [JsonIgnore]
    public bool IsPaused => PausedSince is not null;

    /// <summary>When a breach should be checked: null once met, breached, or while paused.</summary>
    [JsonIgnore]
    public Instant? DueAt => MetAt is null && PausedSince is null && BreachedAt is null ? Due : null;

    /// <summary>
    /// When the warning should be sent: the instant at which <see cref="WarningShare"/> of
    /// <see cref="Span"/> has been used, Pending time not counted. Null once warned, met, breached,
    /// or while paused. (Pending time is assumed to fall before the warning; a warning whose moment
    /// passed before a pause comes back in the past and fires at once.)
    /// </summary>
    [JsonIgnore]
    public Instant? WarningAt => MetAt is null && PausedSince is null && WarnedAt is null && BreachedAt is null
        ? WarningPoint
        : null;

    private Duration WarningOffset => Duration.FromNanoseconds(Math.Round(WarningShare * Span.ToInt64Nanoseconds()));

    /// <summary>Starts the clock of <paramref name="target"/> for a ticket received at <paramref name="received"/>.</summary>
    public static SlaClock Begin(
        SlaTarget target, PolicyDuration amount, BusinessCalendar calendar, Instant received, double warningShare)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (warningShare is < 0 or > 1 || double.IsNaN(warningShare))
        {
            throw new ArgumentOutOfRangeException(nameof(warningShare), warningShare, "slaWarningAt is a share between 0 and 1");
        }
        var start = calendar.ClockStart(received, amount.Unit);
        var due = calendar.Add(received, amount);
        var span = amount.IsBusiness ? calendar.BusinessTimeBetween(start, due) : due - start;
        var clock = new SlaClock(target, amount, received, start, due, span, warningShare, due, due,
            DueExplanation.For(calendar, amount, received, start, due));
        return clock with { WarningPoint = clock.Advance(calendar, start, clock.WarningOffset) };
    }

    /// <summary>The ticket entered Pending. Ignored for response, a met clock, or one already paused.</summary>
    public SlaClock Pause(Instant at) =>
        !PausesWhilePending || MetAt is not null || PausedSince is not null ? this : this with { PausedSince = at };

    /// <summary>
    /// The ticket left Pending: the due time moves later by the Pending time in the target's kind of
    /// time, counted in <paramref name="calendar"/> (the ticket's clock calendar).
    /// </summary>
    public SlaClock Resume(BusinessCalendar calendar, Instant at)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (PausedSince is not { } since)
        {
            return this;
        }
        var paused = Paused + Measure(calendar, since, at);
        var due = paused == Duration.Zero ? ScheduledDue : Advance(calendar, ScheduledDue, paused);
        return this with
        {
            PausedSince = null,
            Paused = paused,
            Due = due,
            WarningPoint = Advance(calendar, Start, WarningOffset + paused),
            Explain = paused == Paused ? Explain
                : DueExplanation.For(calendar, Amount, Received, Start, ScheduledDue) + DueExplanation.Paused(calendar, CountsBusinessTime, paused, Received, due),
        };
    }

    /// <summary>The target was met (first public reply, restored, solved). A second meeting changes nothing.</summary>
    public SlaClock Meet(Instant at) => MetAt is not null ? this : this with { MetAt = at, PausedSince = null };

    /// <summary>Records the warning once, when <paramref name="at"/> has reached <see cref="WarningAt"/>; otherwise ignored.</summary>
    public SlaClock Warn(Instant at) => IsWarningDue(at) ? this with { WarnedAt = at } : this;

    /// <summary>Records the breach once, when <paramref name="at"/> has reached <see cref="DueAt"/>; otherwise ignored.</summary>
    public SlaClock Breach(Instant at) => IsBreachDue(at) ? this with { BreachedAt = at } : this;

    public bool IsWarningDue(Instant now) => WarningAt is { } warning && now >= warning;

    public bool IsBreachDue(Instant now) => DueAt is { } due && now >= due;

    /// <summary>
    /// The same target recomputed from the received instant with new terms (severity change),
    /// keeping its Pending history (re-measured in the new kind of time) and its warning and
    /// breach records: those are sent once per target.
    /// </summary>
    internal SlaClock Recompute(PolicyDuration amount, BusinessCalendar calendar, double warningShare, IEnumerable<Interval> pendingSpans, Instant? pendingSince)
    {
        var clock = Begin(Target, amount, calendar, Received, warningShare);
        foreach (var span in pendingSpans)
        {
            clock = clock.Pause(span.Start).Resume(calendar, span.End);
        }
        if (pendingSince is { } since)
        {
            clock = clock.Pause(since);
        }
        return clock with { WarnedAt = WarnedAt, BreachedAt = BreachedAt };
    }

    private Duration Measure(BusinessCalendar calendar, Instant from, Instant to) =>
        to <= from ? Duration.Zero : CountsBusinessTime ? calendar.BusinessTimeBetween(from, to) : to - from;

    private Instant Advance(BusinessCalendar calendar, Instant from, Duration time) =>
        CountsBusinessTime ? calendar.AddBusinessTime(from, time) : from + time;
}
