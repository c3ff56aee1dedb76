using SupportHub.Escalation;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Tickets;

namespace SupportHub.Sla;

/// <summary>
/// Watches a ticket's SLA clocks (POLICY.md "SLA clocks") and its no-progress rule: warns once at
/// <c>slaWarningAt</c> of a span, breaches once at the due instant, records when a target is met,
/// stands restore and resolve still while Pending, and recomputes unmet targets when the severity
/// changes. Checkpoints are timers; a checkpoint whose instant no longer matches its clock is stale.
/// </summary>
internal static class SlaMonitor
{
    public static void Start(DecisionBuilder b)
    {
        var ticket = b.State;
        var clocks = SlaClocks.Empty;
        if (b.Context.Tier(ticket).Targets.TryGetValue(ticket.Severity, out var targets))
        {
            foreach (var (target, budget) in Budgets(targets))
            {
                clocks = clocks.With(b.Context.NewClock(ticket, target, budget));
            }
        }
        b.Emit(new SlaClocksSet(b.Now, clocks));
        ScheduleCheckpoints(b, clocks.Clocks);
    }

    public static void Meet(DecisionBuilder b, SlaTarget target)
    {
        if (b.State.Sla[target] is { Met: false })
        {
            b.Emit(new SlaMet(b.Now, target));
        }
    }

    /// <summary>Solving meets every target still open: the answer the requester waited for has been given.</summary>
    public static void MeetOnSolve(DecisionBuilder b)
    {
        Meet(b, SlaTarget.Response);
        Meet(b, SlaTarget.Restore);
        Meet(b, SlaTarget.Resolve);
    }

    public static string? MarkRestored(DecisionBuilder b, string by)
    {
        if (b.State.Status is TicketStatus.Solved or TicketStatus.Closed)
        {
            return $"ticket #{b.State.Ref} is already {b.State.Status.Display()}";
        }
        if (b.State.Sla[SlaTarget.Restore] is { Met: true })
        {
            return $"ticket #{b.State.Ref} is already marked restored";
        }
        b.Emit(new RestoreMarked(b.Now, by));
        Meet(b, SlaTarget.Restore);
        RestartNoProgress(b);
        return null;
    }

    public static void Pause(DecisionBuilder b)
    {
        var clocks = b.State.Sla;
        var changed = false;
        foreach (var clock in clocks.Clocks.Where(c => c is { PausesWhilePending: true, Met: false, PausedAt: null }))
        {
            clocks = clocks.With(clock with { PausedAt = b.Now });
            changed = true;
        }
        if (changed)
        {
            b.Emit(new SlaClocksSet(b.Now, clocks));
        }
    }

    /// <summary>
    /// Ends the Pending stretch that began at <paramref name="pendingSince"/>: paused clocks move later
    /// by the time spent, in their own kind of time, and the stretch is remembered for severity changes.
    /// </summary>
    public static void Resume(DecisionBuilder b, NodaTime.Instant pendingSince)
    {
        var clocks = b.State.Sla;
        if (pendingSince < b.Now)
        {
            clocks = clocks with { PendingStretches = [.. clocks.Stretches, new PendingStretch(pendingSince, b.Now)] };
        }
        var resumed = new List<SlaClock>();
        foreach (var clock in clocks.Clocks.Where(c => c.PausedAt is not null))
        {
            var moved = b.Context.Shift(b.State, clock, clock.PausedAt!.Value, b.Now) with { PausedAt = null };
            clocks = clocks.With(moved);
            resumed.Add(moved);
        }
        if (!ReferenceEquals(clocks, b.State.Sla))
        {
            b.Emit(new SlaClocksSet(b.Now, clocks));
            ScheduleCheckpoints(b, resumed.Where(c => !c.Met));
        }
    }

    public static string? ChangeSeverity(DecisionBuilder b, int level, string by)
    {
        var ticket = b.State;
        if (b.Policy.Severity(level) is not { } severity)
        {
            return $"severity {level} is not defined by the policy (use {string.Join(", ", b.Policy.Severities.Select(s => s.Level))})";
        }
        if (ticket.Status == TicketStatus.Closed)
        {
            return $"ticket #{ticket.Ref} is closed";
        }
        if (level == ticket.Severity)
        {
            return $"ticket #{ticket.Ref} is already severity {level}";
        }
        var tier = b.Context.Tier(ticket);
        b.Emit(new SeverityChanged(b.Now, ticket.Severity, level, by, severity.Emergency,
            severity.Emergency ? tier.EmergencyHours : tier.Hours));
        ticket = b.State;

        // Unmet targets are computed again from the received instant; met ones stay met. A target the
        // new severity does not set loses its clock; one already past its new due instant breaches now.
        var clocks = ticket.Sla with { Clocks = ticket.Sla.Clocks.RemoveAll(c => !c.Met) };
        var fresh = new List<SlaClock>();
        if (tier.Targets.TryGetValue(level, out var targets))
        {
            foreach (var (target, budget) in Budgets(targets))
            {
                if (clocks[target] is not null)
                {
                    continue;
                }
                // A warning or breach already told is not told again while the new instant is past too.
                var old = ticket.Sla[target];
                var clock = b.Context.NewClock(ticket, target, budget);
                // Time spent waiting on the requester still does not count against the new target.
                if (clock.PausesWhilePending)
                {
                    clock = ticket.Sla.Stretches.Aggregate(clock, (c, stretch) => b.Context.Shift(ticket, c, stretch.From, stretch.To));
                }
                clock = clock with
                {
                    Warned = old is { Warned: true } && clock.WarningAt <= b.Now,
                    Breached = old is { Breached: true } && clock.Due <= b.Now,
                    PausedAt = old?.PausedAt,
                };
                clocks = clocks.With(clock);
                fresh.Add(clock);
            }
        }
        b.Emit(new SlaClocksSet(b.Now, clocks));
        ScheduleCheckpoints(b, fresh.Where(c => c.PausedAt is null));

        if (b.Policy.Escalation.OnCreate.TryGetValue(level, out var chain) && b.State.Escalation is not { Active: true }
            && ticket.Status is not TicketStatus.Solved)
        {
            EscalationChains.Start(b, chain);
        }
        RestartNoProgress(b);
        return null;
    }

    public static string? OnCheckpoint(DecisionBuilder b, SlaCheckpointReached checkpoint)
    {
        var clock = b.State.Sla[checkpoint.Target];
        if (clock is null || clock.Met || clock.PausedAt is not null
            || b.State.Status is TicketStatus.Solved or TicketStatus.Closed)
        {
            return null;
        }
        var ticket = b.State;
        var watchers = b.Context.SlaWatchers(ticket, b.Now);
        if (checkpoint.Breach && !clock.Breached && clock.Due == checkpoint.ScheduledFor)
        {
            b.Emit(new SlaBreached(b.Now, checkpoint.Target));
            foreach (var watcher in watchers)
            {
                foreach (var via in new[] { Channel.Teams, Channel.Email })
                {
                    b.Notify(NotificationPurpose.SlaBreach, watcher, via,
                        $"[#{ticket.Ref}] SLA breached: {checkpoint.Target.Name()} ({clock.Budget})",
                        $"The {checkpoint.Target.Name()} target of ticket #{ticket.Ref} (\"{ticket.Facts.Subject}\") was due {b.Context.Format(clock.Due)} and is not met. {clock.Explain}");
                }
            }
        }
        else if (!checkpoint.Breach && !clock.Warned && clock.WarningAt == checkpoint.ScheduledFor)
        {
            b.Emit(new SlaWarned(b.Now, checkpoint.Target));
            foreach (var watcher in watchers)
            {
                b.Notify(NotificationPurpose.SlaWarning, watcher, Channel.Email,
                    $"[#{ticket.Ref}] SLA warning: {checkpoint.Target.Name()} due {b.Context.Format(clock.Due)}",
                    $"The {checkpoint.Target.Name()} target of ticket #{ticket.Ref} (\"{ticket.Facts.Subject}\") is due {b.Context.Format(clock.Due)}. {clock.Explain}");
            }
        }
        return null;
    }

    /// <summary>
    /// Starts the no-progress wait again from now (POLICY.md <c>noProgress</c>), or stops it while
    /// the ticket is Pending, Solved or Closed or its severity has no rule.
    /// </summary>
    public static void RestartNoProgress(DecisionBuilder b)
    {
        var ticket = b.State;
        if (ticket.Status is TicketStatus.Pending or TicketStatus.Solved or TicketStatus.Closed
            || !b.Policy.Escalation.NoProgress.TryGetValue(ticket.Severity, out var rule))
        {
            if (ticket.NoProgressDue is not null)
            {
                b.Emit(new NoProgressScheduled(b.Now, null));
            }
            return;
        }
        var due = b.Context.Add(ticket.ClockCalendar, b.Now, rule.After);
        b.Emit(new NoProgressScheduled(b.Now, due));
        b.Schedule(due, id => new NoProgressElapsed(id, ticket.Ref, due));
    }

    public static string? OnNoProgressElapsed(DecisionBuilder b, NoProgressElapsed elapsed)
    {
        var ticket = b.State;
        if (ticket.NoProgressDue != elapsed.ScheduledFor
            || !b.Policy.Escalation.NoProgress.TryGetValue(ticket.Severity, out var rule))
        {
            return null;
        }
        b.Emit(new NoProgressNotified(b.Now));
        EscalationChains.NotifyAll(b, rule.Notify, rule.Via, NotificationPurpose.NoProgress,
            $"[#{ticket.Ref}] No progress for {rule.After}: {ticket.Facts.Subject}",
            $"Ticket #{ticket.Ref} ({ticket.Status.Display()}, severity {ticket.Severity}) has had no public reply or status change for {rule.After}.");
        RestartNoProgress(b);
        return null;
    }

    public static SlaClocks Evolve(SlaClocks clocks, TicketEvent e) => e switch
    {
        SlaMet m when clocks[m.Target] is { } c => clocks.With(c with { MetAt = m.At, PausedAt = null }),
        SlaWarned w when clocks[w.Target] is { } c => clocks.With(c with { Warned = true }),
        SlaBreached x when clocks[x.Target] is { } c => clocks.With(c with { Breached = true }),
        _ => clocks,
    };

    private static void ScheduleCheckpoints(DecisionBuilder b, IEnumerable<SlaClock> clocks)
    {
        var ticket = b.State.Ref;
        foreach (var clock in clocks.ToList())
        {
            var target = clock.Target;
            if (!clock.Warned && clock.WarningAt < clock.Due)
            {
                var at = clock.WarningAt;
                b.Schedule(Max(at, b.Now), id => new SlaCheckpointReached(id, ticket, target, false, at));
            }
            if (!clock.Breached)
            {
                var at = clock.Due;
                b.Schedule(Max(at, b.Now), id => new SlaCheckpointReached(id, ticket, target, true, at));
            }
        }
    }

    private static NodaTime.Instant Max(NodaTime.Instant a, NodaTime.Instant b) => a > b ? a : b;

    private static IEnumerable<(SlaTarget, Calendars.PolicyDuration)> Budgets(SeverityTargets targets)
    {
        if (targets.Response is { } response)
        {
            yield return (SlaTarget.Response, response);
        }
        if (targets.Restore is { } restore)
        {
            yield return (SlaTarget.Restore, restore);
        }
        if (targets.Resolve is { } resolve)
        {
            yield return (SlaTarget.Resolve, resolve);
        }
    }
}
