using System.Collections.Immutable;
using NodaTime;
using SupportHub.Lifecycle;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>
/// The durable workflow of one ticket, as a decider: <see cref="Decide"/> turns a message, the
/// current state and the current instant into events and effects; <see cref="Evolve"/> folds an
/// event into the state. Pure: the same messages at the same instants give the same effects. Its
/// parts live beside it (TicketOpening, TicketLifecycle, SlaMonitor, EscalationChains,
/// BillingApprovals) and work with the capabilities' own models (Lifecycle, Sla, Escalation,
/// Billing, OnCall, Notifications), which know nothing of tickets; this class only routes.
/// </summary>
public static class TicketWorkflow
{
    public static TicketDecision Decide(TicketCommand command, TicketState? state, Instant now, TicketContext context)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        if (state is not null && state.Handled.Contains(command.Id))
        {
            return new TicketDecision(state, [], []);
        }
        if (state is null && command is not OpenTicket)
        {
            return new TicketDecision(null, [], [], $"ticket #{command.Ticket} does not exist");
        }

        var b = new DecisionBuilder(state, now, context);
        var rejection = command switch
        {
            OpenTicket open => state is null ? TicketOpening.Open(b, open.Facts) : null,
            PostReply reply => TicketLifecycle.Reply(b, reply),
            ChangeStatus change => TicketLifecycle.ChangeStatus(b, change.To, change.By),
            ChangeSeverity change => SlaMonitor.ChangeSeverity(b, change.Level, change.By),
            MarkRestored restored => SlaMonitor.MarkRestored(b, restored.By),
            Acknowledge ack => EscalationChains.Acknowledge(b, ack.By),
            AnswerApproval answer => BillingApprovals.Answer(b, answer.Approve, answer.By),
            RateSupport rating => TicketLifecycle.Rate(b, rating.Good, rating.By),
            RecordDeliveryFailure failure => Record(b, new DeliveryFailed(b.Now, failure.Recipient, failure.Action, failure.Status, failure.Diagnostic)),
            WithholdNotification withheld => Record(b, new NotificationWithheld(b.Now, withheld.Purpose, withheld.To, withheld.Via, withheld.Reason)),
            AckWindowElapsed elapsed => EscalationChains.OnAckWindowElapsed(b, elapsed),
            SlaCheckpointReached checkpoint => SlaMonitor.OnCheckpoint(b, checkpoint),
            NoProgressElapsed elapsed => SlaMonitor.OnNoProgressElapsed(b, elapsed),
            ApprovalWindowElapsed => BillingApprovals.OnWindowElapsed(b),
            PendingAutoSolveDue due => TicketLifecycle.OnAutoSolveDue(b, due),
            ReopenWindowEnded ended => TicketLifecycle.OnReopenWindowEnded(b, ended),
            CsatSurveyDue due => TicketLifecycle.OnCsatSurveyDue(b, due),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown ticket command."),
        };
        if (rejection is not null)
        {
            // A rejected command changes nothing, not even the handled list: the person may try again.
            return new TicketDecision(state, [], [], rejection);
        }
        var decided = b.Build();
        if (command is TicketTimer)
        {
            // Timers are recognised as stale by the state itself (each one checks the instant or step
            // it was scheduled for), so their ids need not be remembered; a stale one saves nothing.
            return decided.Changed
                ? decided with { State = decided.State! with { Version = decided.State.Version + 1 } }
                : new TicketDecision(state, [], []);
        }
        var handled = decided.State!.Handled.Add(command.Id);
        if (handled.Count > TicketState.HandledMemory)
        {
            handled = handled.RemoveRange(0, handled.Count - TicketState.HandledMemory);
        }
        return decided with { State = decided.State with { Handled = handled, Version = decided.State.Version + 1 } };
    }

    // Bookkeeping a ticket takes from outside the decider (a bounce, a withheld notification): recorded, nothing else.
    private static string? Record(DecisionBuilder b, TicketEvent e)
    {
        b.Emit(e);
        return null;
    }

    public static TicketState Evolve(TicketState? state, TicketEvent e)
    {
        if (e is TicketCreated created)
        {
            return new TicketState(
                created.Facts, created.Severity, created.Emergency, created.AfterHours, created.ClockCalendar,
                created.BillingApproval, TicketStatus.New, new TicketClocks(created.Facts.Received, [], [], null), new LifecycleState(), null, null, null,
                ImmutableList<string>.Empty, 0, 0);
        }
        ArgumentNullException.ThrowIfNull(state);
        return e switch
        {
            StatusChanged s => state with { Status = s.To, Lifecycle = TicketLifecycle.Evolve(state.Lifecycle, s) },
            SeverityChanged s => state with { Severity = s.To, Emergency = s.Emergency, ClockCalendar = s.ClockCalendar },
            ReplyPosted r => state with { Lifecycle = TicketLifecycle.Evolve(state.Lifecycle, r) },
            CsatSurveySent or CsatRated => state with { Lifecycle = TicketLifecycle.Evolve(state.Lifecycle, e) },
            SlaClocksSet s => state with { Sla = s.Clocks },
            SlaWarned or SlaBreached or SlaMet => state with { Sla = SlaMonitor.Evolve(state.Sla, e) },
            NoProgressScheduled n => state with { NoProgressDue = n.Due },
            NoProgressNotified => state,
            EscalationStepFired or EscalationStepSkipped or EscalationStopped or EscalationExhausted =>
                state with { Escalation = EscalationChains.Evolve(state.Escalation, e) },
            BillingRequested or BillingApproved or BillingDeclined or BillingExpired =>
                state with { Billing = BillingApprovals.Evolve(state.Billing, e) },
            _ => state,
        };
    }
}
