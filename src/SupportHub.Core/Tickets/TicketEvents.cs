using NodaTime;
using SupportHub.Billing;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Sla;

namespace SupportHub.Tickets;

// What happened to a ticket, in the past tense. The ticket workflow's Evolve folds them into
// TicketState; the timeline (`supporthub simulate`, the ticket's history) prints them.

public abstract record TicketEvent(Instant At);

/// <param name="Severity">Effective severity, after any emergency downgrade.</param>
/// <param name="ClockCalendar">The calendar the ticket's business-time clocks count in.</param>
public sealed record TicketCreated(
    Instant At,
    TicketFacts Facts,
    int Severity,
    bool Emergency,
    bool AfterHours,
    string ClockCalendar,
    BillingApproval BillingApproval) : TicketEvent(At);

/// <param name="By">A person id, the requester's address, or <c>system</c>.</param>
public sealed record StatusChanged(Instant At, TicketStatus From, TicketStatus To, string By) : TicketEvent(At);

/// <param name="Emergency">Whether the new severity is worked as an emergency (staff decide; no downgrade).</param>
/// <param name="ClockCalendar">The calendar the ticket's clocks count in from now on.</param>
public sealed record SeverityChanged(Instant At, int From, int To, string By, bool Emergency, string ClockCalendar) : TicketEvent(At);

/// <summary>A public reply was posted: progress by staff, or word from the requester.</summary>
public sealed record ReplyPosted(Instant At, string By, bool FromStaff) : TicketEvent(At);

public sealed record RestoreMarked(Instant At, string By) : TicketEvent(At);

/// <summary>An emergency from someone not allowed to raise one was treated as <paramref name="To"/>.</summary>
public sealed record EmergencyDowngraded(Instant At, int From, int To, string Requester) : TicketEvent(At);

public sealed record EscalationStepFired(Instant At, string Chain, int Run, int Step, int Round) : TicketEvent(At);

/// <summary>A step whose targets resolved to nobody (an empty rotation slot, a person without addresses).</summary>
public sealed record EscalationStepSkipped(Instant At, string Chain, int Run, int Step, int Round, string Reason) : TicketEvent(At);

/// <summary>
/// A channel a chain step, <c>whenExhausted</c> or <c>noProgress</c> names was skipped for a member
/// of staff with no address for it (<c>policy check</c> warns of it); their other channels were
/// still used. Bookkeeping for the timeline only: it changes no state.
/// </summary>
/// <param name="To">The person id.</param>
/// <param name="Missing">The person's field the channel needs: <c>phone</c>, <c>email</c> or <c>teamsUserId</c>.</param>
public sealed record NotificationSkipped(Instant At, NotificationPurpose Purpose, string To, Channel Via, string Missing) : TicketEvent(At);

/// <summary>
/// A notification was not sent, for a reason other than a missing address: the message it would
/// answer was automatic (RFC 3834), or the address had its automatic replies for the hour. Shown as
/// a <c>notify.skipped</c> line with the reason; it changes no state.
/// </summary>
/// <param name="Purpose">The contract's purpose name.</param>
/// <param name="To">The timeline's <c>to</c>: a person id or an address.</param>
/// <param name="Via">The channel name.</param>
public sealed record NotificationWithheld(Instant At, string Purpose, string To, string Via, string Reason) : TicketEvent(At);

/// <summary>A message the hub sent for the ticket bounced (a delivery report); bookkeeping only.</summary>
public sealed record DeliveryFailed(Instant At, string Recipient, string Action, string? Status, string? Diagnostic) : TicketEvent(At);

/// <param name="Reason"><c>acknowledged</c> or <c>solved</c>.</param>
public sealed record EscalationStopped(Instant At, string Chain, string Reason, string By) : TicketEvent(At);

public sealed record EscalationExhausted(Instant At, string Chain) : TicketEvent(At);

public sealed record SlaClocksSet(Instant At, TicketClocks Clocks) : TicketEvent(At);

public sealed record SlaWarned(Instant At, SlaTarget Target) : TicketEvent(At);

public sealed record SlaBreached(Instant At, SlaTarget Target) : TicketEvent(At);

public sealed record SlaMet(Instant At, SlaTarget Target) : TicketEvent(At);

/// <summary>The next no-progress check, or none when the rule does not apply (Pending, Solved, Closed).</summary>
public sealed record NoProgressScheduled(Instant At, Instant? Due) : TicketEvent(At);

public sealed record NoProgressNotified(Instant At) : TicketEvent(At);

/// <param name="Deadline">Answers after this change nothing.</param>
public sealed record BillingRequested(Instant At, decimal Rate, string Currency, string Per, Instant Deadline) : TicketEvent(At);

public sealed record BillingApproved(Instant At, string By, decimal Rate, string Currency, string Per) : TicketEvent(At);

public sealed record BillingDeclined(Instant At, string By) : TicketEvent(At);

public sealed record BillingExpired(Instant At) : TicketEvent(At);

public sealed record CsatSurveySent(Instant At) : TicketEvent(At);

public sealed record CsatRated(Instant At, bool Good, string By) : TicketEvent(At);
