using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Billing;
using SupportHub.Escalation;
using SupportHub.Functions.Metrics;
using SupportHub.Policy;
using SupportHub.Sla;
using SupportHub.Tickets;

namespace SupportHub.Functions.Board;

// The body of GET /board.json: everything the SLA board shows, in one call. Times are ISO 8601 with
// the organization's offset (as everywhere in the contract); `now` is the hub's clock, so the page
// counts down against the hub's time rather than the viewer's (possibly wrong) clock. Remaining
// times are seconds, like the metrics' durations.

/// <summary>What the SLA board shows: open tickets, pending billing approvals and the last 30 days' metrics.</summary>
public sealed record BoardSnapshot(
    string Now,
    string TimeZone,
    IReadOnlyList<BoardTicket> Tickets,
    IReadOnlyList<BoardApproval> Approvals,
    MetricsResponse Metrics);

/// <summary>One open ticket on the board.</summary>
/// <param name="Pending">The ticket is Pending: restore and resolve are paused.</param>
public sealed record BoardTicket(
    string Ticket,
    string Status,
    int Severity,
    string? SeverityName,
    bool Emergency,
    string? Account,
    string Tier,
    string Subject,
    string Received,
    bool Pending,
    IReadOnlyList<BoardClock> Clocks,
    BoardEscalation? Escalation,
    BoardBilling? Billing)
{
    public static BoardTicket From(TicketState state, IReadOnlyList<JsonNode> history, SupportPolicy policy, Instant now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        var zone = policy.Organization.TimeZone;
        string Time(Instant instant) => TicketTimeline.Format(instant, zone);
        var facts = state.Facts;
        return new BoardTicket(
            state.Ref,
            state.Status.Display(),
            state.Severity,
            policy.Severity(state.Severity)?.Name,
            state.Emergency,
            facts.AccountId,
            facts.Tier,
            facts.Subject,
            Time(facts.Received),
            state.Status == TicketStatus.Pending,
            [.. state.Sla.Clocks.Select(c => BoardClock.From(c, now, zone))],
            state.Escalation is { } e ? BoardEscalation.From(e, history, policy) : null,
            state.Billing is { } b ? new BoardBilling(b.Status.ToString().ToLowerInvariant(), b.Rate, b.Currency, b.Per, Time(b.Deadline), Name(policy, b.AnsweredBy)) : null);
    }

    /// <summary>A person's name from the policy; anyone else (a requester's address) as given.</summary>
    internal static string? Name(SupportPolicy policy, string? id) =>
        id is null ? null : policy.People.TryGetValue(id, out var person) ? person.Name : id;

    /// <summary>The soonest due instant of a clock still running or paused; breached clocks sort first.</summary>
    internal static Instant? Urgency(TicketState state) =>
        state.Sla.Clocks.Where(c => c.MetAt is null).Select(c => (Instant?)c.Due).Min();
}

/// <param name="State"><c>met</c>, <c>breached</c>, <c>paused</c> (Pending; the due time moves later by the time spent Pending) or <c>running</c>.</param>
/// <param name="RemainingSeconds">Due − now while running; frozen at due − pause start while paused; negative once overdue; null once met.</param>
public sealed record BoardClock(string Target, string State, string Due, string? Met, string? Breached, string? PausedSince, double? RemainingSeconds)
{
    public static BoardClock From(SlaClock clock, Instant now, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(clock);
        string? Maybe(Instant? instant) => instant is { } i ? TicketTimeline.Format(i, zone) : null;
        var state = clock.MetAt is not null ? (clock.BreachedAt is not null || clock.MetAt > clock.Due ? "breached" : "met")
            : clock.BreachedAt is not null ? "breached"
            : clock.PausedSince is not null ? "paused"
            : "running";
        double? remaining = clock.MetAt is not null ? null : (clock.Due - (clock.PausedSince ?? now)).TotalSeconds;
        return new BoardClock(clock.Target.Name(), state, TicketTimeline.Format(clock.Due, zone), Maybe(clock.MetAt), Maybe(clock.BreachedAt),
            Maybe(clock.PausedSince), remaining is { } r ? Math.Round(r, 3) : null);
    }
}

/// <param name="Paged">Everyone the chain paged, in the order first paged, with when.</param>
/// <param name="AcknowledgedBy">The name of who acknowledged; null while unacknowledged or when stopped by a solve.</param>
public sealed record BoardEscalation(string Chain, int Step, int Round, bool Active, IReadOnlyList<BoardPage> Paged, string? AcknowledgedBy, string? StoppedReason)
{
    public static BoardEscalation From(EscalationState escalation, IReadOnlyList<JsonNode> history, SupportPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        ArgumentNullException.ThrowIfNull(history);
        // A page goes out once per channel: the timeline's "notify" lines with purpose "page" name the
        // person (a staff recipient's `to` is the person id), so one entry per person, first page first.
        var paged = history
            .Where(l => (string?)l["type"] == "notify" && (string?)l["purpose"] == "page" && l["to"] is not null)
            .GroupBy(l => (string)l["to"]!, StringComparer.Ordinal)
            .Select(g => new BoardPage(g.Key, BoardTicket.Name(policy, g.Key)!, (string)g.First()["at"]!, [.. g.Select(l => (string)l["via"]!).Distinct()]))
            .ToList();
        return new BoardEscalation(escalation.Chain, escalation.Step, escalation.Round, escalation.Active, paged,
            escalation.StoppedReason == "acknowledged" ? BoardTicket.Name(policy, escalation.StoppedBy) : null,
            escalation.StoppedReason);
    }
}

public sealed record BoardPage(string Person, string Name, string At, IReadOnlyList<string> Via);

/// <param name="Status"><c>requested</c> (waiting for the customer), <c>approved</c>, <c>declined</c> or <c>expired</c>.</param>
public sealed record BoardBilling(string Status, decimal Rate, string Currency, string Per, string Deadline, string? AnsweredBy);

/// <summary>A billing approval the customer has not answered yet; after its deadline it expires.</summary>
public sealed record BoardApproval(string Ticket, string? Account, string Subject, decimal Rate, string Currency, string Per, string Deadline, double DeadlineInSeconds);

/// <summary>Builds the snapshot from the store.</summary>
public sealed class BoardReader(TicketStates states, SupportHub.Storage.IEntityStore store, SupportPolicy policy, IClock clock)
{
    public async Task<BoardSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var zone = policy.Organization.TimeZone;
        var open = (await states.OpenAsync(cancellationToken))
            .Where(t => t.Status is not (TicketStatus.Solved or TicketStatus.Closed))
            .OrderBy(t => BoardTicket.Urgency(t) is null)
            .ThenBy(t => BoardTicket.Urgency(t))
            .ThenBy(t => t.Facts.Received)
            .ToList();
        var tickets = new List<BoardTicket>(open.Count);
        foreach (var state in open)
        {
            // History is read only where the board shows something from it (who was paged).
            var history = state.Escalation is null ? [] : await SupportHub.Functions.Tickets.TicketHistory.ReadAsync(store, state.Ref, cancellationToken);
            tickets.Add(BoardTicket.From(state, history, policy, now));
        }

        var approvals = open
            .Where(t => t.Billing is { Status: BillingStatus.Requested })
            .Select(t => (Ticket: t, Billing: t.Billing!))
            .OrderBy(a => a.Billing.Deadline)
            .Select(a => new BoardApproval(a.Ticket.Ref, a.Ticket.Facts.AccountId, a.Ticket.Facts.Subject, a.Billing.Rate, a.Billing.Currency,
                a.Billing.Per, TicketTimeline.Format(a.Billing.Deadline, zone), Math.Round((a.Billing.Deadline - now).TotalSeconds, 3)))
            .ToList();

        var lastThirtyDays = MetricsPeriod.Parse(null, null, now, zone).Period!;
        var metrics = await MetricsRoutes.ComputeAsync(states, lastThirtyDays, now, zone, cancellationToken);
        return new BoardSnapshot(TicketTimeline.Format(now, zone), zone.Id, tickets, approvals, metrics);
    }
}
