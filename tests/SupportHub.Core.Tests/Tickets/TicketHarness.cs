using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>
/// Drives one ticket through the pure decider: commands at instants, and the timers it scheduled
/// fired in due order, with no store, queue or mocks. Every decision's timeline lines are kept, so
/// a test reads like the timeline a user would see.
/// </summary>
internal sealed class TicketHarness
{
    private readonly List<(Instant Due, int Order, TicketCommand Message)> timers = [];
    private int order;

    public TicketHarness(string policyJson = "")
    {
        var json = policyJson.Length > 0 ? policyJson : RepositoryFiles.Read("samples/policy.json");
        var loaded = PolicyLoader.Load(json);
        Policy = loaded.Policy ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        Context = new TicketContext(Policy);
    }

    public SupportPolicy Policy { get; }

    public TicketContext Context { get; }

    public TicketState? State { get; private set; }

    public List<JsonObject> Timeline { get; } = [];

    public List<Notification> Sent { get; } = [];

    public List<BillingApprovalRecord> BillingRecords { get; } = [];

    public TicketDecision LastDecision { get; private set; } = new(null, [], []);

    /// <summary>Every decision in the order it was made, timers included: what determinism tests compare.</summary>
    public List<TicketDecision> Decisions { get; } = [];

    /// <summary>The timers fired so far with the instant they fired at, so a test can deliver one again.</summary>
    public List<(Instant At, TicketCommand Message, TicketDecision Decision)> Fired { get; } = [];

    /// <summary>Runs due timers up to <paramref name="at"/>, then the command at <paramref name="at"/>.</summary>
    public TicketDecision When(string at, TicketCommand command)
    {
        var instant = TestTime.At(at);
        RunUntil(instant);
        return Apply(command, instant);
    }

    /// <summary>
    /// Delivers <paramref name="command"/> at <paramref name="at"/> without first firing the timers
    /// due by then: a message that overtakes a late timer on the queue.
    /// </summary>
    public TicketDecision Deliver(string at, TicketCommand command) => Apply(command, TestTime.At(at));

    /// <summary>Fires every timer due up to and including <paramref name="at"/>, in due order.</summary>
    public void RunUntil(string at) => RunUntil(TestTime.At(at));

    public void RunUntil(Instant at)
    {
        while (timers.Count > 0)
        {
            var next = timers.OrderBy(t => t.Due).ThenBy(t => t.Order).First();
            if (next.Due > at)
            {
                break;
            }
            timers.Remove(next);
            Fired.Add((next.Due, next.Message, Apply(next.Message, next.Due)));
        }
    }

    /// <summary>The timeline lines of one type, as "at|field=value,..." for the named fields.</summary>
    public List<string> Lines(string type, params string[] fields) =>
        Timeline.Where(l => (string?)l["type"] == type)
            .Select(l => (string)l["at"]! + "|" + string.Join(",", fields.Select(f => $"{f}={l[f]}")))
            .ToList();

    public IEnumerable<(Instant Due, TicketCommand Message)> PendingTimers => timers.Select(t => (t.Due, t.Message));

    private TicketDecision Apply(TicketCommand command, Instant at)
    {
        var decision = TicketWorkflow.Decide(command, State, at, Context);
        LastDecision = decision;
        Decisions.Add(decision);
        State = decision.State ?? State;
        var zone = Policy.Organization.TimeZone;
        foreach (var e in decision.Events)
        {
            if (TicketTimeline.Describe(e, command.Ticket, zone) is { } line)
            {
                Timeline.Add(line);
            }
        }
        foreach (var effect in decision.Effects)
        {
            switch (effect)
            {
                case SendNotification n:
                    Sent.Add(n.Notification);
                    Timeline.Add(TicketTimeline.Describe(n.Notification, at, command.Ticket, zone));
                    break;
                case ScheduleTimer t:
                    timers.Add((t.Due, order++, t.Message));
                    break;
                case RecordBillingApproval r:
                    BillingRecords.Add(r.Record);
                    break;
            }
        }
        return decision;
    }
}
