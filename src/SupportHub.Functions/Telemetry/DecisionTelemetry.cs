using System.Globalization;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.DataContracts;
using SupportHub.Notifications;
using SupportHub.Sla;
using SupportHub.Tickets;

namespace SupportHub.Functions.Telemetry;

// Custom Application Insights events from the workflow's decisions, emitted where the Functions
// layer handles a decision (the workflow-events function, signed links, agent routes), from the
// decision's own events, so a repeat or a stale timer (no events) emits nothing:
//   PageSent        one per escalation step fired: ticket, chain, step, round, severity, tier,
//                   who was paged (person ids) and through which channels
//   SlaBreached     one per breached target: ticket, target, severity, tier, account
//   BillingApproval one per answer or expiry: ticket, outcome (approved, declined, expired), by,
//                   rate, currency, per, account
// Properties hold ids and names the policy defines, never a message body, subject, address or
// secret. Without APPLICATIONINSIGHTS_CONNECTION_STRING there is no TelemetryClient and nothing is sent.

/// <summary>Maps a decision's events to custom events and sends them when Application Insights is on.</summary>
public sealed class DecisionTelemetry(TelemetryClient? client)
{
    public const string PageSent = "PageSent";
    public const string SlaBreach = "SlaBreached";
    public const string BillingApproval = "BillingApproval";

    public void Track(TicketDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (client is null)
        {
            return;
        }

        foreach (var item in Events(decision))
        {
            client.TrackEvent(item);
        }
    }

    /// <summary>The custom events <paramref name="decision"/> stands for, in the order it made them.</summary>
    public static IReadOnlyList<EventTelemetry> Events(TicketDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.State is not { } ticket)
        {
            return [];
        }

        var pages = decision.Timeline.Select(t => t.Notification).OfType<Notification>()
            .Where(n => n.Purpose == NotificationPurpose.Page).ToList();
        var events = new List<EventTelemetry>();
        foreach (var e in decision.Events)
        {
            switch (e)
            {
                case EscalationStepFired fired:
                    // One decision fires at most one step, so its page notifications belong to it.
                    events.Add(Event(PageSent, e, ticket, new()
                    {
                        ["chain"] = fired.Chain,
                        ["step"] = Number(fired.Step),
                        ["round"] = Number(fired.Round),
                        ["paged"] = string.Join(",", pages.Select(p => p.To.To).Distinct()),
                        ["via"] = string.Join(",", pages.Select(p => p.Via.Name()).Distinct()),
                    }));
                    break;
                case SlaBreached breached:
                    events.Add(Event(SlaBreach, e, ticket, new() { ["target"] = breached.Target.Name() }));
                    break;
                case BillingApproved approved:
                    events.Add(Event(BillingApproval, e, ticket, new()
                    {
                        ["outcome"] = "approved", ["by"] = approved.By, ["rate"] = approved.Rate.ToString(CultureInfo.InvariantCulture),
                        ["currency"] = approved.Currency, ["per"] = approved.Per,
                    }));
                    break;
                case BillingDeclined declined:
                    events.Add(Event(BillingApproval, e, ticket, new() { ["outcome"] = "declined", ["by"] = declined.By }));
                    break;
                case BillingExpired:
                    events.Add(Event(BillingApproval, e, ticket, new() { ["outcome"] = "expired" }));
                    break;
            }
        }

        return events;
    }

    private static EventTelemetry Event(string name, TicketEvent e, TicketState ticket, Dictionary<string, string> properties)
    {
        var telemetry = new EventTelemetry(name) { Timestamp = e.At.ToDateTimeOffset() };
        telemetry.Properties["ticket"] = ticket.Ref;
        telemetry.Properties["severity"] = Number(ticket.Severity);
        telemetry.Properties["tier"] = ticket.Facts.Tier;
        telemetry.Properties["account"] = ticket.Facts.AccountId ?? "";
        foreach (var (key, value) in properties)
        {
            telemetry.Properties[key] = value;
        }

        return telemetry;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
