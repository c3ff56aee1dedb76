using System.Text.Json.Serialization;
using NodaTime;
using SupportHub.Notifications;
using SupportHub.Tickets;

namespace SupportHub.Workflows;

/// <summary>
/// A side effect a decider asks for, as data. The runtime saves effects in the same transaction as
/// the state (the outbox) and then performs them; <see cref="Id"/> is deterministic, so performing
/// one twice after a crash is recognised downstream (queue duplicate detection, per-id sends).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SendNotification), "notify")]
[JsonDerivedType(typeof(ScheduleTimer), "timer")]
[JsonDerivedType(typeof(RecordBillingApproval), "billing-approval")]
public abstract record Effect(string Id);

/// <summary>Put a notification on <c>notifications-outbound</c>.</summary>
public sealed record SendNotification(string Id, Notification Notification) : Effect(Id);

/// <summary>Deliver <paramref name="Message"/> back to the ticket's workflow at <paramref name="Due"/>.</summary>
public sealed record ScheduleTimer(string Id, Instant Due, TicketCommand Message) : Effect(Id);

/// <summary>Append to the billing audit log, which only this effect ever writes.</summary>
public sealed record RecordBillingApproval(string Id, BillingApprovalRecord Record) : Effect(Id);

/// <summary>Who approved billable after-hours work on which ticket, when, at what rate.</summary>
public sealed record BillingApprovalRecord(string Ticket, string Account, string ApprovedBy, Instant ApprovedAt, decimal Rate, string Currency, string Per);
