using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SupportHub.Billing;
using SupportHub.Calendars;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>How a ticket is classified when it opens.</summary>
/// <param name="DowngradedFrom">The requested severity when an emergency from someone not allowed to raise one was downgraded.</param>
public sealed record TicketClassification(int Severity, bool Emergency, bool AfterHours, string ClockCalendar, BillingApproval BillingApproval, int? DowngradedFrom);

/// <summary>
/// The policy as the ticket workflow asks it questions: calendars, tiers, who is on call, how a
/// clock is computed. Pure: every answer depends on the policy and the instants passed in.
/// </summary>
public sealed class TicketContext(SupportPolicy policy)
{
    public SupportPolicy Policy { get; } = policy ?? throw new ArgumentNullException(nameof(policy));

    public Tier Tier(TicketState ticket) => Policy.Tiers[ticket.Facts.Tier];

    public BusinessCalendar Calendar(string name) => Policy.Calendars[name];

    public Instant Add(string calendar, Instant from, PolicyDuration duration) => Calendar(calendar).Add(from, duration);

    public Instant NextOpening(string calendar, Instant at) => Calendar(calendar).NextOpening(at);

    /// <summary>An instant as people read it in messages: <c>Tue 1 Dec 2026 09:00 (UTC-06:00)</c>.</summary>
    public string Format(Instant instant)
    {
        var local = instant.InZone(Policy.Organization.TimeZone);
        return local.ToString("ddd d MMM uuuu HH:mm", CultureInfo.InvariantCulture)
            + " (UTC" + OffsetPattern.CreateWithInvariantCulture("+HH:mm").Format(local.Offset) + ")";
    }

    /// <summary>
    /// POLICY.md "Which calendar a ticket's clock uses", by <see cref="TicketSla.Assess"/>, and
    /// "After-hours requests", by <see cref="AfterHoursWork.Classify"/>: an emergency from someone
    /// allowed to raise one runs on the emergency hours and is never billed; from anyone else (with
    /// <c>emergencyContactsOnly</c>) it is treated as severity 2; a non-emergency received while the
    /// tier's hours are closed needs approval in a billable tier. A severity the policy does not
    /// define counts as the default.
    /// </summary>
    public TicketClassification Classify(TicketFacts facts)
    {
        var severity = Policy.Severity(facts.RequestedSeverity) is null ? Policy.DefaultSeverity : facts.RequestedSeverity;
        var account = facts.AccountId is null ? null : Policy.FindAccount(facts.AccountId);
        var sla = TicketSla.Assess(Policy, account, severity, facts.Requester.Email ?? facts.Requester.Phone, facts.Received);
        var work = AfterHoursWork.Classify(Policy, Policy.Tiers[sla.Tier], sla.Emergency, facts.Received);
        return new TicketClassification(sla.Severity, sla.Emergency, work.AfterHours, sla.ClockCalendar, work.Approval,
            sla.EmergencyDowngraded ? sla.RequestedSeverity : null);
    }

    /// <summary>The people targets name at <paramref name="at"/>, each once (rotations resolved then).</summary>
    public IReadOnlyList<Recipient> Resolve(IReadOnlyList<NotifyTarget> targets, TicketState ticket, Instant at) =>
        Recipients.Resolve(Policy, targets, ticket.Facts.AccountId is null ? null : Policy.FindAccount(ticket.Facts.AccountId), at);

    /// <summary>
    /// The primary on-call person, who takes approved after-hours work and hears of SLA warnings:
    /// the rotation named <c>primary</c>, else the first rotation the policy lists.
    /// </summary>
    public Recipient? PrimaryOnCall(Instant at)
    {
        var rotation = Policy.Rotations.ContainsKey("primary") ? "primary" : Policy.Rotations.Keys.FirstOrDefault();
        return rotation is null ? null : Recipient.Staff(Policy.People[OnCallSchedule.PersonOnCall(Policy, rotation, at)]);
    }

    /// <summary>Who hears of SLA warnings and breaches: the primary on-call person.</summary>
    public IReadOnlyList<Recipient> SlaWatchers(Instant at) => PrimaryOnCall(at) is { } r ? [r] : [];
}
