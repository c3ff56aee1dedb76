using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Notifications;
using SupportHub.Sla;

namespace SupportHub.Tickets;

/// <summary>
/// The timeline lines of CONTRACT.md ("Simulation scenarios"): one JSON object per event or
/// notification, with <c>at</c> and <c>type</c>. <c>supporthub simulate</c> prints them and each
/// ticket's history keeps them. Events with no line of their own (clock bookkeeping) give null.
/// </summary>
public static class TicketTimeline
{
    public static JsonObject? Describe(TicketEvent e, string ticket, DateTimeZone zone)
    {
        var line = e switch
        {
            TicketCreated c => Line(c, "ticket.created", ticket, zone, new()
            {
                ["account"] = c.Facts.AccountId,
                ["tier"] = c.Facts.Tier,
                ["severity"] = c.Severity,
                ["channel"] = c.Facts.Channel.ToString().ToLowerInvariant(),
                ["afterHours"] = c.AfterHours,
                ["clockCalendar"] = c.ClockCalendar,
                ["billingApproval"] = c.BillingApproval.Name(),
                ["requester"] = c.Facts.Requester.Address,
                ["original"] = c.Facts.OriginalRef,
            }),
            StatusChanged s => Line(s, "ticket.status", ticket, zone, new()
            {
                ["from"] = s.From.Display(), ["to"] = s.To.Display(), ["by"] = s.By,
            }),
            SeverityChanged s => Line(s, "ticket.severity", ticket, zone, new() { ["from"] = s.From, ["to"] = s.To, ["by"] = s.By }),
            ReplyPosted r => Line(r, "ticket.reply", ticket, zone, new() { ["by"] = r.By, ["staff"] = r.FromStaff }),
            RestoreMarked r => Line(r, "ticket.restored", ticket, zone, new() { ["by"] = r.By }),
            EmergencyDowngraded d => Line(d, "ticket.emergency-downgraded", ticket, zone, new()
            {
                ["from"] = d.From, ["to"] = d.To, ["requester"] = d.Requester,
            }),
            EscalationStepFired f => Line(f, "escalation.step", ticket, zone, new()
            {
                ["chain"] = f.Chain, ["step"] = f.Step, ["round"] = f.Round,
            }),
            EscalationStepSkipped s => Line(s, "escalation.skipped", ticket, zone, new()
            {
                ["chain"] = s.Chain, ["step"] = s.Step, ["round"] = s.Round, ["reason"] = s.Reason,
            }),
            EscalationStopped s => Line(s, "escalation.stopped", ticket, zone, new() { ["reason"] = s.Reason, ["by"] = s.By }),
            EscalationExhausted x => Line(x, "escalation.exhausted", ticket, zone, new() { ["chain"] = x.Chain }),
            SlaWarned w => Line(w, "sla.warning", ticket, zone, new() { ["target"] = w.Target.Name() }),
            SlaBreached x => Line(x, "sla.breached", ticket, zone, new() { ["target"] = x.Target.Name() }),
            SlaMet m => Line(m, "sla.met", ticket, zone, new() { ["target"] = m.Target.Name() }),
            BillingRequested r => Line(r, "billing.requested", ticket, zone, new()
            {
                ["rate"] = r.Rate, ["currency"] = r.Currency, ["per"] = r.Per, ["deadline"] = Format(r.Deadline, zone),
            }),
            BillingApproved a => Line(a, "billing.approved", ticket, zone, new()
            {
                ["by"] = a.By, ["rate"] = a.Rate, ["currency"] = a.Currency, ["per"] = a.Per,
            }),
            BillingDeclined d => Line(d, "billing.declined", ticket, zone, new() { ["by"] = d.By }),
            BillingExpired x => Line(x, "billing.expired", ticket, zone, []),
            CsatRated r => Line(r, "csat.rated", ticket, zone, new() { ["rating"] = r.Good ? "good" : "bad", ["by"] = r.By }),
            _ => null,
        };
        return line;
    }

    /// <summary>A decision's lines in the order it made them.</summary>
    public static IEnumerable<JsonObject> Describe(TicketDecision decision, Instant at, string ticket, DateTimeZone zone) =>
        decision.Timeline
            .Select(entry => entry.Event is { } e ? Describe(e, ticket, zone) : Describe(entry.Notification!, at, ticket, zone))
            .OfType<JsonObject>();

    public static JsonObject Describe(Notification notification, Instant at, string ticket, DateTimeZone zone) => new()
    {
        ["at"] = Format(at, zone),
        ["type"] = "notify",
        ["ticket"] = ticket,
        ["purpose"] = notification.Purpose.Name(),
        ["to"] = notification.To.To,
        ["via"] = notification.Via.Name(),
    };

    /// <summary>ISO 8601 with the zone's offset, to the second (CONTRACT.md).</summary>
    public static string Format(Instant instant, DateTimeZone zone) =>
        IsoWithOffset.Format(instant.InZone(zone).ToOffsetDateTime());

    private static readonly NodaTime.Text.OffsetDateTimePattern IsoWithOffset =
        NodaTime.Text.OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    private static JsonObject Line(TicketEvent e, string type, string ticket, DateTimeZone zone, JsonObject fields)
    {
        var line = new JsonObject { ["at"] = Format(e.At, zone), ["type"] = type, ["ticket"] = ticket };
        foreach (var (name, value) in fields.ToList())
        {
            if (value is not null)
            {
                fields.Remove(name);
                line[name] = value;
            }
        }
        return line;
    }
}
