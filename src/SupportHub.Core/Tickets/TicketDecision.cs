using NodaTime;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Workflows;

namespace SupportHub.Tickets;

/// <summary>
/// What the ticket workflow decided for one message: the events (already folded into
/// <see cref="State"/>), the effects to perform, or a rejection that changes nothing.
/// </summary>
/// <param name="State">The new state; null only when the message was for a ticket that does not exist.</param>
/// <param name="Rejection">Why nothing happened, for the person who asked (HTTP, SMS, link page); null on success or on a quiet repeat.</param>
public sealed record TicketDecision(TicketState? State, IReadOnlyList<TicketEvent> Events, IReadOnlyList<Effect> Effects, string? Rejection = null)
{
    public bool Changed => Events.Count > 0 || Effects.Count > 0;

    /// <summary>Events and notifications in the order the decision made them, for the timeline.</summary>
    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = [];
}

/// <summary>One step of a decision as the timeline shows it: an event or a notification.</summary>
public sealed record TimelineEntry(TicketEvent? Event, Notification? Notification);

/// <summary>
/// Accumulates one decision: each event is folded into the state as it is emitted, so later parts
/// of the same decision see it; effect ids come from the state's sequence. Local to one Decide call.
/// </summary>
internal sealed class DecisionBuilder(TicketState? state, Instant now, TicketContext context)
{
    private readonly List<TicketEvent> events = [];
    private readonly List<Effect> effects = [];
    private readonly List<TimelineEntry> timeline = [];

    public TicketState? Current { get; private set; } = state;

    /// <summary>The state once the ticket exists; every part but ticket creation runs after that.</summary>
    public TicketState State => Current ?? throw new InvalidOperationException("The ticket has not been created.");

    public Instant Now { get; } = now;

    public TicketContext Context { get; } = context;

    public SupportPolicy Policy => Context.Policy;

    public void Emit(TicketEvent e)
    {
        events.Add(e);
        timeline.Add(new TimelineEntry(e, null));
        Current = TicketWorkflow.Evolve(Current, e);
    }

    private string NextId(string kind)
    {
        var sequence = State.Sequence + 1;
        Current = State with { Sequence = sequence };
        return $"{State.Ref}:{sequence}:{kind}";
    }

    public void Notify(NotificationPurpose purpose, Recipient to, Channel via, string subject, string text, params LinkIntent[] links)
    {
        if (!to.Reachable(via))
        {
            return;
        }
        var id = NextId(purpose.Name() + "." + via.Name());
        var notification = new Notification(id, State.Ref, purpose, to, via, subject, text, links);
        effects.Add(new SendNotification(id, notification));
        timeline.Add(new TimelineEntry(null, notification));
    }

    public void Schedule(Instant due, Func<string, TicketCommand> message)
    {
        var id = NextId("timer");
        effects.Add(new ScheduleTimer(id, due, message(id)));
    }

    public void Record(BillingApprovalRecord record) => effects.Add(new RecordBillingApproval(NextId("billing"), record));

    public TicketDecision Build(string? rejection = null) => new(Current, events, effects, rejection) { Timeline = timeline };
}
