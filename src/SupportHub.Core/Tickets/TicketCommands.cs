using System.Text.Json.Serialization;
using NodaTime;
using SupportHub.Notifications;
using SupportHub.Policy;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>
/// A message on the <c>workflow-events</c> queue for one ticket: a command from a person or an
/// intake channel, or a timer the workflow scheduled for itself. <see cref="Id"/> is unique per
/// message (the source message id, the signed link's nonce, the timer effect's id); a message whose
/// id the ticket has already handled changes nothing, which is what makes redelivery safe.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(OpenTicket), "open")]
[JsonDerivedType(typeof(PostReply), "reply")]
[JsonDerivedType(typeof(ChangeStatus), "status")]
[JsonDerivedType(typeof(ChangeSeverity), "severity")]
[JsonDerivedType(typeof(MarkRestored), "restored")]
[JsonDerivedType(typeof(Acknowledge), "ack")]
[JsonDerivedType(typeof(AnswerApproval), "approval")]
[JsonDerivedType(typeof(RateSupport), "csat")]
[JsonDerivedType(typeof(RecordDeliveryFailure), "delivery-failure")]
[JsonDerivedType(typeof(WithholdNotification), "notification-withheld")]
[JsonDerivedType(typeof(AckWindowElapsed), "timer.ack-window")]
[JsonDerivedType(typeof(SlaCheckpointReached), "timer.sla")]
[JsonDerivedType(typeof(NoProgressElapsed), "timer.no-progress")]
[JsonDerivedType(typeof(ApprovalWindowElapsed), "timer.approval-window")]
[JsonDerivedType(typeof(PendingAutoSolveDue), "timer.auto-solve")]
[JsonDerivedType(typeof(ReopenWindowEnded), "timer.reopen-window")]
[JsonDerivedType(typeof(CsatSurveyDue), "timer.csat")]
public abstract record TicketCommand(string Id, string Ticket);

/// <summary>Sent by ticket intake once it has decided a message opens a new ticket; repeats carry the same id.</summary>
public sealed record OpenTicket(string Id, string Ticket, TicketFacts Facts) : TicketCommand(Id, Ticket);

/// <summary>
/// A reply on the ticket, by staff (<paramref name="By"/> is a person id, <paramref name="FromStaff"/>)
/// or by the requester (<paramref name="By"/> is their address). Sent by the agent route or intake threading.
/// </summary>
public sealed record PostReply(string Id, string Ticket, string By, bool FromStaff, string Text) : TicketCommand(Id, Ticket);

/// <summary>Sent by the agent route; an impossible move is rejected with a reason and changes nothing.</summary>
public sealed record ChangeStatus(string Id, string Ticket, TicketStatus To, string By) : TicketCommand(Id, Ticket);

/// <summary>Sent by the agent route; recomputes the unmet SLA targets from the received instant.</summary>
public sealed record ChangeSeverity(string Id, string Ticket, int Level, string By) : TicketCommand(Id, Ticket);

/// <summary>A workaround is in place: meets the restore target. Sent by the agent route.</summary>
public sealed record MarkRestored(string Id, string Ticket, string By) : TicketCommand(Id, Ticket);

/// <summary>Someone took the page (agent route, SMS reply, signed link). A second one is told who was first.</summary>
public sealed record Acknowledge(string Id, string Ticket, string By) : TicketCommand(Id, Ticket);

/// <summary>The customer's answer to an after-hours billing request, from a signed link.</summary>
public sealed record AnswerApproval(string Id, string Ticket, bool Approve, string By) : TicketCommand(Id, Ticket);

/// <summary>The requester's answer to the satisfaction survey, from a signed link.</summary>
public sealed record RateSupport(string Id, string Ticket, bool Good, string By) : TicketCommand(Id, Ticket);

/// <summary>
/// A delivery report says a message the hub sent for this ticket did not reach <paramref name="Recipient"/>.
/// Sent by ticket intake, which found the ticket by the bounced message's Message-ID; its id is the
/// report's source id, so a redelivered report is recognised. Recorded only: no status change, no
/// acknowledgement, no SLA effect.
/// </summary>
/// <param name="Action">The report's action for that recipient: <c>failed</c>, <c>delayed</c>, …</param>
/// <param name="Status">The enhanced status code (<c>5.1.1</c>).</param>
/// <param name="Diagnostic">The remote server's words.</param>
/// <param name="OriginalMessageId">The Message-ID of the message that bounced.</param>
public sealed record RecordDeliveryFailure(string Id, string Ticket, string Recipient, string Action, string? Status, string? Diagnostic, string? OriginalMessageId)
    : TicketCommand(Id, Ticket);

/// <summary>
/// The notifications handler did not send one of this ticket's notifications, for <paramref name="Reason"/>
/// (more automatic replies to the address this hour than the limit allows). Sent so the ticket's
/// timeline says so; its id is derived from the notification's, so a repeat records it once.
/// </summary>
/// <param name="Purpose">The contract's purpose name (<c>acknowledgement</c>).</param>
/// <param name="To">The timeline's <c>to</c> of the notification.</param>
/// <param name="Via">The channel name (<c>email</c>, <c>sms</c>).</param>
public sealed record WithholdNotification(string Id, string Ticket, string NotificationId, string Purpose, string To, string Via, string Reason)
    : TicketCommand(Id, Ticket)
{
    /// <summary>The command for <paramref name="notification"/>, withheld for <paramref name="reason"/>.</summary>
    public static WithholdNotification For(Notification notification, string reason)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new WithholdNotification(Intake.QueueMessageIds.Fit($"withheld:{notification.Id}"), notification.Ticket, notification.Id,
            notification.Purpose.Name(), notification.To.To, notification.Via.Name(), reason);
    }
}

// Timers. Each carries what it was scheduled for; the state decides whether that still matters, so
// timers are never cancelled, only ignored when stale.

/// <summary>A message the workflow scheduled for itself; stale ones are recognised by the state, not by id.</summary>
public abstract record TicketTimer(string Id, string Ticket) : TicketCommand(Id, Ticket);

/// <summary>The wait of one escalation step ran out; stale unless that chain run is still at that step.</summary>
public sealed record AckWindowElapsed(string Id, string Ticket, int Run, int Round, int Step) : TicketTimer(Id, Ticket);

/// <summary>A target's warning or due instant came; stale unless the target is unmet and still due then.</summary>
public sealed record SlaCheckpointReached(string Id, string Ticket, SlaTarget Target, bool Breach, Instant ScheduledFor) : TicketTimer(Id, Ticket);

/// <summary>No progress for the rule's time; stale unless no progress was made since it was scheduled.</summary>
public sealed record NoProgressElapsed(string Id, string Ticket, Instant ScheduledFor) : TicketTimer(Id, Ticket);

/// <summary>The customer did not answer the billing request in time; stale once they answered.</summary>
public sealed record ApprovalWindowElapsed(string Id, string Ticket) : TicketTimer(Id, Ticket);

/// <summary>Pending with no reply for <c>pendingAutoSolve</c>; stale unless still in the same Pending stretch.</summary>
public sealed record PendingAutoSolveDue(string Id, string Ticket, Instant PendingSince) : TicketTimer(Id, Ticket);

/// <summary>The reopen window after a solve ran out; stale unless still Solved since then.</summary>
public sealed record ReopenWindowEnded(string Id, string Ticket, Instant SolvedAt) : TicketTimer(Id, Ticket);

/// <summary>Time to ask for a rating; stale if the ticket was reopened since that solve.</summary>
public sealed record CsatSurveyDue(string Id, string Ticket, Instant SolvedAt) : TicketTimer(Id, Ticket);

public static class TicketCommandUrgency
{
    /// <summary>Whether <paramref name="command"/> opens a ticket at an emergency severity: its work (the
    /// ticket, its page) goes ahead of ordinary messages in the hub's queues. Here, not in Policy: the
    /// policy knows severities, not ticket commands.</summary>
    public static bool IsEmergency(this SupportPolicy policy, TicketCommand command)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return command is OpenTicket open && policy.Severity(open.Facts.RequestedSeverity) is { Emergency: true };
    }
}
