using System.Text.Json.Serialization;
using System.Collections.Immutable;
using NodaTime;
using SupportHub.Billing;
using SupportHub.Escalation;
using SupportHub.Lifecycle;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>
/// Everything the ticket workflow remembers between messages; saved as one row with its ETag.
/// </summary>
/// <param name="Severity">Effective severity (after downgrade or staff changes).</param>
/// <param name="Emergency">Whether the ticket is worked as an emergency (its clock calendar is the emergency hours).</param>
/// <param name="NoProgressDue">When the no-progress rule fires next; null when it does not apply.</param>
/// <param name="Handled">Ids of the messages already handled, newest last; a repeat changes nothing.</param>
/// <param name="Sequence">Number of effects issued so far: effect ids are <c>{ref}:{sequence}:{kind}</c>.</param>
/// <param name="Version">Number of decisions that changed the ticket: orders its history and outbox rows.</param>
public sealed record TicketState(
    TicketFacts Facts,
    int Severity,
    bool Emergency,
    bool AfterHours,
    string ClockCalendar,
    BillingApproval BillingApproval,
    TicketStatus Status,
    TicketClocks Sla,
    LifecycleState Lifecycle,
    EscalationState? Escalation,
    BillingState? Billing,
    Instant? NoProgressDue,
    ImmutableList<string> Handled,
    int Sequence,
    int Version)
{
    /// <summary>How many handled ids are kept: far more than any redelivery window needs.</summary>
    public const int HandledMemory = 256;

    [JsonIgnore]
    public string Ref => Facts.Ref;
}
