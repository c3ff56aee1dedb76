using SupportHub.Escalation;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;

namespace SupportHub.Tickets;

/// <summary>
/// Escalation chains (POLICY.md "Escalation chains"): starting a chain fires step 1 at once; an
/// unacknowledged step hands over to the next when its <c>ackWithin</c> runs out; after the last
/// step the chain starts again from step 1, <c>repeat</c> times; then <c>whenExhausted</c> is told
/// once. Targets are resolved when each step fires, so a rotation handoff mid-chain pages the new
/// person. An acknowledgement or a solve stops the chain; later timers of that run are ignored.
/// </summary>
internal static class EscalationChains
{
    public static void Start(DecisionBuilder b, string chainId)
    {
        var run = (b.State.Escalation?.Run ?? 0) + 1;
        Fire(b, b.Policy.Escalation.Chains[chainId], run, step: 1, round: 1, skippedInARow: 0);
    }

    public static string? Acknowledge(DecisionBuilder b, string by)
    {
        var escalation = b.State.Escalation;
        if (escalation is null)
        {
            return $"nobody has been paged for ticket #{b.State.Ref}";
        }
        if (!escalation.Active)
        {
            return escalation.StoppedBy is not { } who ? $"the escalation of ticket #{b.State.Ref} has already ended"
                : escalation.StoppedReason == "solved" ? $"ticket #{b.State.Ref} was already solved by {who}; the page has ended"
                : $"ticket #{b.State.Ref} was already acknowledged by {who}";
        }
        b.Emit(new EscalationStopped(b.Now, escalation.Chain, "acknowledged", by));
        return null;
    }

    /// <summary>Solving the ticket stops a running chain; nothing to do when none runs.</summary>
    public static void StopOnSolve(DecisionBuilder b, string by)
    {
        if (b.State.Escalation is { Active: true } escalation)
        {
            b.Emit(new EscalationStopped(b.Now, escalation.Chain, "solved", by));
        }
    }

    public static string? OnAckWindowElapsed(DecisionBuilder b, AckWindowElapsed elapsed)
    {
        var escalation = b.State.Escalation;
        if (escalation is { Active: true } && escalation.Run == elapsed.Run
            && escalation.Step == elapsed.Step && escalation.Round == elapsed.Round)
        {
            var chain = b.Policy.Escalation.Chains[escalation.Chain];
            Advance(b, chain, escalation.Run, escalation.Step, escalation.Round, skippedInARow: 0);
        }
        return null;
    }

    public static EscalationState? Evolve(EscalationState? state, TicketEvent e) => e switch
    {
        EscalationStepFired f => new EscalationState(f.Chain, f.Run, f.Step, f.Round, Active: true),
        EscalationStepSkipped s => new EscalationState(s.Chain, s.Run, s.Step, s.Round, Active: true),
        EscalationStopped s => state! with { Active = false, StoppedBy = s.By, StoppedReason = s.Reason },
        EscalationExhausted => state! with { Active = false },
        _ => state,
    };

    private static void Advance(DecisionBuilder b, EscalationChain chain, int run, int step, int round, int skippedInARow)
    {
        if (step < chain.Steps.Count)
        {
            Fire(b, chain, run, step + 1, round, skippedInARow);
        }
        else if (round <= chain.Repeat)
        {
            Fire(b, chain, run, 1, round + 1, skippedInARow);
        }
        else
        {
            b.Emit(new EscalationExhausted(b.Now, chain.Id));
            if (chain.WhenExhausted is { } rule)
            {
                NotifyAll(b, rule.Notify, rule.Via, NotificationPurpose.Page,
                    $"[#{b.State.Ref}] Nobody acknowledged the page: {b.State.Facts.Subject}",
                    $"The {chain.Id} chain ran {chain.Repeat + 1} round(s) and nobody acknowledged ticket #{b.State.Ref}.");
            }
        }
    }

    private static void Fire(DecisionBuilder b, EscalationChain chain, int run, int step, int round, int skippedInARow)
    {
        var definition = chain.Steps[step - 1];
        var recipients = b.Context.Resolve(definition.Notify, b.State, b.Now);
        if (!recipients.Any(r => definition.Via.Any(r.Reachable)))
        {
            b.Emit(new EscalationStepSkipped(b.Now, chain.Id, run, step, round,
                $"{string.Join(", ", definition.Notify)} resolved to nobody reachable by {string.Join("/", definition.Via.Select(v => v.Name()))}"));
            // A whole round of empty steps would loop for ever: end the chain instead.
            if (skippedInARow + 1 >= chain.Steps.Count)
            {
                b.Emit(new EscalationExhausted(b.Now, chain.Id));
                return;
            }
            Advance(b, chain, run, step, round, skippedInARow + 1);
            return;
        }

        b.Emit(new EscalationStepFired(b.Now, chain.Id, run, step, round));
        var ticket = b.State;
        var severity = b.Policy.Severity(ticket.Severity)?.Name ?? $"Sev {ticket.Severity}";
        var subject = $"[#{ticket.Ref}] {severity} page: {ticket.Facts.Subject}";
        var text = $"{severity} ticket #{ticket.Ref} from {ticket.Facts.Requester.Address}"
            + (ticket.Facts.AccountId is { } account ? $" ({account})" : "")
            + $" needs you. Step {step} of the {chain.Id} chain, round {round}; acknowledge within {definition.AckWithin}.";
        var expires = b.Context.Add(ticket.ClockCalendar, b.Now, new Calendars.PolicyDuration(24, Calendars.DurationUnit.Hours));
        foreach (var recipient in recipients)
        {
            foreach (var via in definition.Via)
            {
                NotifyOrRecordSkip(b, NotificationPurpose.Page, recipient, via, subject, text, new LinkIntent(LinkAction.Acknowledge, expires));
            }
        }
        var due = b.Context.Add(ticket.ClockCalendar, b.Now, definition.AckWithin);
        b.Schedule(due, id => new AckWindowElapsed(id, ticket.Ref, run, round, step));
    }

    internal static void NotifyAll(DecisionBuilder b, IReadOnlyList<NotifyTarget> targets, IReadOnlyList<Channel> via,
        NotificationPurpose purpose, string subject, string text)
    {
        foreach (var recipient in b.Context.Resolve(targets, b.State, b.Now))
        {
            foreach (var channel in via)
            {
                NotifyOrRecordSkip(b, purpose, recipient, channel, subject, text);
            }
        }
    }

    /// <summary>
    /// Sends through a channel the policy named for this notification. A member of staff with no
    /// address for it is not notified that way, and the skip is recorded (<see cref="NotificationSkipped"/>,
    /// the timeline's <c>notify.skipped</c>; <c>policy check</c> warns of it): their other channels
    /// still go out. Account contacts are told "where an address is known" (POLICY.md), so a
    /// contact's missing phone is not news and is passed over quietly, as before.
    /// </summary>
    private static void NotifyOrRecordSkip(DecisionBuilder b, NotificationPurpose purpose, Recipient recipient, Channel via,
        string subject, string text, params LinkIntent[] links)
    {
        if (recipient.Reachable(via))
        {
            b.Notify(purpose, recipient, via, subject, text, links);
        }
        // Staff are named by their person id and contacts by their email address; ids have no '@'.
        else if (b.Policy.People.ContainsKey(recipient.To))
        {
            b.Emit(new NotificationSkipped(b.Now, purpose, recipient.To, via, via.AddressField()));
        }
    }
}
