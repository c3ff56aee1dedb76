using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Billing;
using SupportHub.Policy;
using SupportHub.Sla;
using SupportHub.Storage;
using SupportHub.Tickets;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tickets;

// The bodies of the agent routes. Times are ISO 8601 with the organization's offset, to the second,
// as everywhere in the contract; names (status, target, billing status) as the contract spells them.

/// <summary>A ticket as <c>GET /api/tickets/{ref}</c> and the agent commands answer it.</summary>
/// <param name="History">The ticket's timeline lines (CONTRACT.md), oldest first.</param>
public sealed record TicketResponse(
    string Ticket,
    string Status,
    int Severity,
    string? SeverityName,
    bool Emergency,
    bool AfterHours,
    string? Account,
    string Tier,
    string Channel,
    string Subject,
    RequesterResponse Requester,
    string Received,
    string ClockCalendar,
    string BillingApproval,
    IReadOnlyList<ClockResponse> Clocks,
    EscalationResponse? Escalation,
    BillingResponse? Billing,
    string? Original,
    IReadOnlyList<JsonNode> History)
{
    public static TicketResponse From(TicketState state, IReadOnlyList<JsonNode> history, SupportPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        var zone = policy.Organization.TimeZone;
        string Time(Instant instant) => TicketTimeline.Format(instant, zone);
        string? Maybe(Instant? instant) => instant is { } i ? Time(i) : null;
        var facts = state.Facts;
        return new TicketResponse(
            state.Ref,
            state.Status.Display(),
            state.Severity,
            policy.Severity(state.Severity)?.Name,
            state.Emergency,
            state.AfterHours,
            facts.AccountId,
            facts.Tier,
            facts.Channel.ToString().ToLowerInvariant(),
            facts.Subject,
            new RequesterResponse(facts.Requester.Name, facts.Requester.Email, facts.Requester.Phone),
            Time(facts.Received),
            state.ClockCalendar,
            state.BillingApproval.Name(),
            [.. state.Sla.Clocks.Select(c => new ClockResponse(
                c.Target.Name(), Time(c.Due), c.Explain, Maybe(c.MetAt), Maybe(c.WarnedAt), Maybe(c.BreachedAt), c.IsPaused))],
            state.Escalation is { } e ? new EscalationResponse(e.Chain, e.Step, e.Round, e.Active, e.StoppedBy) : null,
            state.Billing is { } b
                ? new BillingResponse(b.Status.ToString().ToLowerInvariant(), b.Rate, b.Currency, b.Per, Time(b.Deadline), b.AnsweredBy, Maybe(b.AnsweredAt))
                : null,
            facts.OriginalRef,
            history);
    }
}

public sealed record RequesterResponse(string? Name, string? Email, string? Phone);

/// <param name="Due">When the target is due (moved later by time spent Pending).</param>
/// <param name="Explain">How the due time was computed.</param>
/// <param name="Met">When it was met; null while unmet.</param>
/// <param name="Breached">When it passed its due time unmet; null otherwise.</param>
public sealed record ClockResponse(string Target, string Due, string Explain, string? Met, string? Warned, string? Breached, bool Paused);

/// <param name="Active">False once acknowledged, solved or exhausted.</param>
/// <param name="StoppedBy">Who acknowledged (or solved) the page.</param>
public sealed record EscalationResponse(string Chain, int Step, int Round, bool Active, string? StoppedBy);

public sealed record BillingResponse(string Status, decimal Rate, string Currency, string Per, string Deadline, string? AnsweredBy, string? AnsweredAt);

/// <summary>One line of <c>GET /api/tickets</c>.</summary>
public sealed record TicketListItem(string Ticket, string Status, int Severity, string? Account, string Tier, string Subject, string Requester, string Received)
{
    public static TicketListItem From(TicketListEntry entry, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Ticket, entry.Status.Display(), entry.Severity, entry.Account, entry.Tier, entry.Subject, entry.Requester,
            TicketTimeline.Format(entry.Received, zone));
    }
}

/// <summary>Reads a ticket's history rows: each is the JSON array of one decision's timeline lines.</summary>
public static class TicketHistory
{
    public static async Task<IReadOnlyList<JsonNode>> ReadAsync(IEntityStore store, string ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var lines = new List<JsonNode>();
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(TicketWorkflowRunner.Table, ticket, RowKeyRange.Prefix(TicketWorkflowRunner.HistoryPrefix),
                EntityStoreLimits.MaxPageSize, continuation, cancellationToken);
            foreach (var row in page.Entities)
            {
                lines.AddRange(JsonNode.Parse(row.Payload)!.AsArray().Select(line => line!.DeepClone()));
            }

            continuation = page.Continuation;
        }
        while (continuation is not null);
        return lines;
    }
}
