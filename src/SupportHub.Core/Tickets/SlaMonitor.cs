using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>
/// Watches a ticket's SLA clocks (POLICY.md "SLA clocks") and its no-progress rule: warns once at
/// <c>slaWarningAt</c> of a span, breaches once at the due instant, records when a target is met,
/// stands restore and resolve still while Pending, and recomputes unmet targets when the severity
/// changes. Checkpoints are timers; a checkpoint whose instant no longer matches its clock is stale.
/// </summary>
internal static class SlaMonitor
{
    /// <summary>Starts the clocks the ticket's tier owes its severity, counted in its clock calendar.</summary>
    public static void Start(DecisionBuilder b)
    {
        var ticket = b.State;
        var clocks = TicketClocks.Start(b.Context.Calendar(ticket.ClockCalendar),
            b.Context.Tier(ticket).Targets.GetValueOrDefault(ticket.Severity), ticket.Facts.Received, b.Policy.Escalation.SlaWarningAt);
        b.Emit(new SlaClocksSet(b.Now, clocks));
        ScheduleCheckpoints(b, clocks.Clocks);
    }

    public static void Meet(DecisionBuilder b, SlaTarget target)
    {
        if (b.State.Sla[target] is { IsMet: false })
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
        if (b.State.Sla[SlaTarget.Restore] is { IsMet: true })
        {
            return $"ticket #{b.State.Ref} is already marked restored";
        }
        b.Emit(new RestoreMarked(b.Now, by));
        Meet(b, SlaTarget.Restore);
        RestartNoProgress(b);
        return null;
    }

    /// <summary>The ticket entered Pending: restore and resolve stand still.</summary>
    public static void Pause(DecisionBuilder b)
    {
        var clocks = b.State.Sla.Pause(b.Now);
        if (!ReferenceEquals(clocks, b.State.Sla))
        {
            b.Emit(new SlaClocksSet(b.Now, clocks));
        }
    }

    /// <summary>Ends a Pending stretch: paused clocks move later by the time spent, in their own kind of time.</summary>
    public static void Resume(DecisionBuilder b)
    {
        var clocks = b.State.Sla.Resume(b.Context.Calendar(b.State.ClockCalendar), b.Now);
        if (!ReferenceEquals(clocks, b.State.Sla))
        {
            b.Emit(new SlaClocksSet(b.Now, clocks));
            ScheduleCheckpoints(b, clocks.Clocks.Where(c => c.PausesWhilePending));
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

        // Unmet targets are computed again from the received instant (with the Pending time so far);
        // met ones stay met, and warnings and breaches already told are not told again.
        var clocks = ticket.Sla.Recompute(b.Context.Calendar(ticket.ClockCalendar), tier.Targets.GetValueOrDefault(level), b.Policy.Escalation.SlaWarningAt);
        b.Emit(new SlaClocksSet(b.Now, clocks));
        ScheduleCheckpoints(b, clocks.Clocks);

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
        var ticket = b.State;
        var clock = ticket.Sla[checkpoint.Target];
        if (clock is null || ticket.Status is TicketStatus.Solved or TicketStatus.Closed)
        {
            return null;
        }
        // Stale unless the clock is still due at the instant this timer was scheduled for.
        var watchers = b.Context.SlaWatchers(b.Now);
        if (checkpoint.Breach && clock.DueAt == checkpoint.ScheduledFor && clock.IsBreachDue(b.Now))
        {
            b.Emit(new SlaBreached(b.Now, checkpoint.Target));
            foreach (var watcher in watchers)
            {
                foreach (var via in new[] { Channel.Teams, Channel.Email })
                {
                    b.Notify(NotificationPurpose.SlaBreach, watcher, via,
                        $"[#{ticket.Ref}] SLA breached: {checkpoint.Target.Name()} ({clock.Amount})",
                        $"The {checkpoint.Target.Name()} target of ticket #{ticket.Ref} (\"{ticket.Facts.Subject}\") was due {b.Context.Format(clock.Due)} and is not met. {clock.Explain}");
                }
            }
        }
        else if (!checkpoint.Breach && clock.WarningAt == checkpoint.ScheduledFor && clock.IsWarningDue(b.Now))
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

    public static TicketClocks Evolve(TicketClocks clocks, TicketEvent e) => e switch
    {
        SlaMet m => clocks.Meet(m.Target, m.At),
        SlaWarned w => clocks.Warn(w.Target, w.At),
        SlaBreached x => clocks.Breach(x.Target, x.At),
        _ => clocks,
    };

    /// <summary>Timers at each running clock's warning and due instants (a past one fires at once).</summary>
    private static void ScheduleCheckpoints(DecisionBuilder b, IEnumerable<SlaClock> clocks)
    {
        var ticket = b.State.Ref;
        foreach (var clock in clocks.ToList())
        {
            var target = clock.Target;
            if (clock.WarningAt is { } warning && warning < clock.Due)
            {
                b.Schedule(Max(warning, b.Now), id => new SlaCheckpointReached(id, ticket, target, false, warning));
            }
            if (clock.DueAt is { } due)
            {
                b.Schedule(Max(due, b.Now), id => new SlaCheckpointReached(id, ticket, target, true, due));
            }
        }
    }

    private static NodaTime.Instant Max(NodaTime.Instant a, NodaTime.Instant b) => a > b ? a : b;
}
