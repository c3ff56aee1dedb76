using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SupportHub.Calendars;
using SupportHub.Notifications;
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
    /// POLICY.md "Which calendar a ticket's clock uses" and "After-hours requests": an emergency from
    /// someone allowed to raise one runs on the emergency hours and is never billed; from anyone else
    /// (with <c>emergencyContactsOnly</c>) it is treated as severity 2; a non-emergency ticket received
    /// while the tier's hours are closed needs approval in a billable tier.
    /// </summary>
    public TicketClassification Classify(TicketFacts facts)
    {
        var tier = Policy.Tiers[facts.Tier];
        var requested = Policy.Severity(facts.RequestedSeverity) ?? Policy.Severity(Policy.DefaultSeverity)!;
        var severity = requested;
        int? downgradedFrom = null;
        if (requested.Emergency && !MayRaiseEmergency(tier, facts))
        {
            severity = Policy.Severity(2) is { Emergency: false } high
                ? high
                : Policy.Severities.Where(s => !s.Emergency).OrderBy(s => s.Level).First();
            downgradedFrom = requested.Level;
        }
        var afterHours = !Calendar(tier.Hours).IsOpen(facts.Received);
        var approval = severity.Emergency ? BillingApproval.Emergency
            : afterHours && tier.AfterHours is { Billable: true } ? BillingApproval.Required
            : BillingApproval.NotRequired;
        return new TicketClassification(severity.Level, severity.Emergency, afterHours,
            severity.Emergency ? tier.EmergencyHours : tier.Hours, approval, downgradedFrom);
    }

    /// <summary>The requester's contact entry in their account, matched by email or phone.</summary>
    public Contact? ContactOf(TicketFacts facts)
    {
        var account = facts.AccountId is null ? null : Policy.FindAccount(facts.AccountId);
        return account?.Contacts.FirstOrDefault(c =>
            (facts.Requester.Email is { } email && string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase))
            || (facts.Requester.Phone is { } phone && c.Phone == phone));
    }

    private bool MayRaiseEmergency(Tier tier, TicketFacts facts) =>
        tier.AfterHours is not { EmergencyContactsOnly: true } || ContactOf(facts) is { Emergency: true };

    /// <summary>The people a step's or rule's targets name at <paramref name="at"/>, each once.</summary>
    public IReadOnlyList<Recipient> Resolve(IReadOnlyList<NotifyTarget> targets, TicketState ticket, Instant at)
    {
        var account = ticket.Facts.AccountId is null ? null : Policy.FindAccount(ticket.Facts.AccountId);
        var recipients = new List<Recipient>();
        foreach (var target in targets)
        {
            switch (target.Kind)
            {
                case NotifyTargetKind.Rotation:
                    if (OnCall.Rotations.OnCallAt(Policy, target.Name, at) is { } onCall)
                    {
                        recipients.Add(Recipient.ForPerson(Policy.People[onCall]));
                    }
                    break;
                case NotifyTargetKind.Person:
                    recipients.Add(Recipient.ForPerson(Policy.People[target.Name]));
                    break;
                case NotifyTargetKind.AccountApprovers:
                    recipients.AddRange(account?.Contacts.Where(c => c.ApprovesBilling).Select(Recipient.ForContact) ?? []);
                    break;
                case NotifyTargetKind.AccountEmergency:
                    recipients.AddRange(account?.Contacts.Where(c => c.Emergency).Select(Recipient.ForContact) ?? []);
                    break;
            }
        }
        return recipients.DistinctBy(r => r.Id, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// The primary on-call person, who takes approved after-hours work and hears of SLA warnings:
    /// the rotation named <c>primary</c>, else the first rotation the policy lists.
    /// </summary>
    public Recipient? PrimaryOnCall(Instant at)
    {
        var rotation = Policy.Rotations.ContainsKey("primary") ? "primary" : Policy.Rotations.Keys.FirstOrDefault();
        return rotation is not null && OnCall.Rotations.OnCallAt(Policy, rotation, at) is { } person
            ? Recipient.ForPerson(Policy.People[person])
            : null;
    }

    public IReadOnlyList<Recipient> SlaWatchers(TicketState ticket, Instant at) => PrimaryOnCall(at) is { } r ? [r] : [];

    /// <summary>A fresh clock for <paramref name="target"/>, counted from the received instant in the ticket's clock calendar.</summary>
    public SlaClock NewClock(TicketState ticket, SlaTarget target, PolicyDuration budget)
    {
        var due = SlaCalculator.Due(Policy, ticket.ClockCalendar, ticket.Facts.Received, budget);
        var calendar = Calendar(ticket.ClockCalendar);
        return new SlaClock(target, budget, due.Start, due.Due, WarningPoint(calendar, due.Start, due.Due, budget.IsBusiness), due.Explain);
    }

    /// <summary>A clock after a Pending stretch <c>[pausedAt, resumedAt)</c>: its due and warning move later by the stretch, in its own kind of time.</summary>
    public SlaClock Shift(TicketState ticket, SlaClock clock, Instant pausedAt, Instant resumedAt)
    {
        var calendar = Calendar(ticket.ClockCalendar);
        if (clock.Budget.IsBusiness)
        {
            var paused = calendar.BusinessTimeBetween(pausedAt, resumedAt);
            if (paused == Duration.Zero)
            {
                return clock;
            }
            return clock with
            {
                Due = calendar.AddBusinessTime(clock.Due, paused),
                WarningAt = clock.Warned ? clock.WarningAt : calendar.AddBusinessTime(clock.WarningAt, paused),
                Explain = clock.Explain + $"; paused {FormatSpan(paused)} of business time while Pending",
            };
        }
        var elapsed = resumedAt - pausedAt;
        return clock with
        {
            Due = clock.Due + elapsed,
            WarningAt = clock.Warned ? clock.WarningAt : clock.WarningAt + elapsed,
            Explain = clock.Explain + $"; paused {FormatSpan(elapsed)} while Pending",
        };
    }

    /// <summary><c>slaWarningAt</c> of the span from start to due, in the target's own kind of time.</summary>
    private Instant WarningPoint(BusinessCalendar calendar, Instant start, Instant due, bool business)
    {
        var share = Policy.Escalation.SlaWarningAt;
        if (due <= start)
        {
            return due;
        }
        if (!business)
        {
            return start + Duration.FromTicks((long)((due - start).BclCompatibleTicks * share));
        }
        var open = calendar.BusinessTimeBetween(start, due);
        return calendar.AddBusinessTime(start, Duration.FromTicks((long)(open.BclCompatibleTicks * share)));
    }

    private static string FormatSpan(Duration span) =>
        span.Days > 0 ? $"{span.Days}d {span.Hours}h {span.Minutes}m" : $"{span.Hours}h {span.Minutes}m";
}
