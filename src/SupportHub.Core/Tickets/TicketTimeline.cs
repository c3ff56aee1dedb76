using System.Text.Json.Nodes;
using NodaTime;
using SupportHub.Billing;
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
            TicketCreated c => Line(c, "ticket.created", ticket, zone,
            [
                ("account", c.Facts.AccountId),
                ("tier", c.Facts.Tier),
                ("severity", c.Severity),
                ("channel", c.Facts.Channel.ToString().ToLowerInvariant()),
                ("afterHours", c.AfterHours),
                ("clockCalendar", c.ClockCalendar),
                ("billingApproval", c.BillingApproval.Name()),
                ("requester", c.Facts.Requester.Address),
                ("original", c.Facts.OriginalRef),
            ]),
            StatusChanged s => Line(s, "ticket.status", ticket, zone, [("from", s.From.Display()), ("to", s.To.Display()), ("by", s.By)]),
            SeverityChanged s => Line(s, "ticket.severity", ticket, zone, [("from", s.From), ("to", s.To), ("by", s.By)]),
            ReplyPosted r => Line(r, "ticket.reply", ticket, zone, [("by", r.By), ("staff", r.FromStaff)]),
            RestoreMarked r => Line(r, "ticket.restored", ticket, zone, [("by", r.By)]),
            EmergencyDowngraded d => Line(d, "ticket.emergency-downgraded", ticket, zone, [("from", d.From), ("to", d.To), ("requester", d.Requester)]),
            EscalationStepFired f => Line(f, "escalation.step", ticket, zone, [("chain", f.Chain), ("step", f.Step), ("round", f.Round)]),
            EscalationStepSkipped s => Line(s, "escalation.skipped", ticket, zone,
                [("chain", s.Chain), ("step", s.Step), ("round", s.Round), ("reason", s.Reason)]),
            NotificationSkipped k => Line(k, "notify.skipped", ticket, zone,
                [("purpose", k.Purpose.Name()), ("to", k.To), ("via", k.Via.Name()), ("reason", $"no {k.Missing}")]),
            NotificationWithheld w => Line(w, "notify.skipped", ticket, zone,
                [("purpose", w.Purpose), ("to", w.To), ("via", w.Via), ("reason", w.Reason)]),
            DeliveryFailed f => Line(f, "delivery.failed", ticket, zone,
                [("to", f.Recipient), ("action", f.Action), ("status", f.Status), ("diagnostic", f.Diagnostic)]),
            EscalationStopped s => Line(s, "escalation.stopped", ticket, zone, [("reason", s.Reason), ("by", s.By)]),
            EscalationExhausted x => Line(x, "escalation.exhausted", ticket, zone, [("chain", x.Chain)]),
            SlaWarned w => Line(w, "sla.warning", ticket, zone, [("target", w.Target.Name())]),
            SlaBreached x => Line(x, "sla.breached", ticket, zone, [("target", x.Target.Name())]),
            SlaMet m => Line(m, "sla.met", ticket, zone, [("target", m.Target.Name())]),
            BillingRequested r => Line(r, "billing.requested", ticket, zone,
                [("rate", r.Rate), ("currency", r.Currency), ("per", r.Per), ("deadline", Format(r.Deadline, zone))]),
            BillingApproved a => Line(a, "billing.approved", ticket, zone, [("by", a.By), ("rate", a.Rate), ("currency", a.Currency), ("per", a.Per)]),
            BillingDeclined d => Line(d, "billing.declined", ticket, zone, [("by", d.By)]),
            BillingExpired x => Line(x, "billing.expired", ticket, zone, []),
            CsatRated r => Line(r, "csat.rated", ticket, zone, [("rating", r.Good ? "good" : "bad"), ("by", r.By)]),
            _ => null,
        };
        return line;
    }

    /// <summary>A decision's lines in the order it made them.</summary>
    public static IEnumerable<JsonObject> Describe(TicketDecision decision, Instant at, string ticket, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(decision);
        foreach (var entry in decision.Timeline)
        {
            if ((entry.Event is { } e ? Describe(e, ticket, zone) : Describe(entry.Notification!, at, ticket, zone)) is { } line)
            {
                yield return line;
            }
        }
    }

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
    /// <remarks>
    /// Every line has one, so the usual case (years 1–9999, an offset in whole minutes) is written
    /// directly; anything else goes through <see cref="IsoWithOffset"/>, which stays the definition
    /// (TicketTimelineTests holds the two together).
    /// </remarks>
    public static string Format(Instant instant, DateTimeZone zone)
    {
        var local = instant.InZone(zone);
        var offset = local.Offset.Seconds;
        if (local.Year is < 1 or > 9999 || offset % 60 != 0)
        {
            return IsoWithOffset.Format(local.ToOffsetDateTime());
        }
        return string.Create(25, (Local: local.LocalDateTime, Offset: offset), static (text, value) =>
        {
            var (t, offset) = value;
            Digits(text, 0, t.Year, 4);
            text[4] = '-';
            Digits(text, 5, t.Month, 2);
            text[7] = '-';
            Digits(text, 8, t.Day, 2);
            text[10] = 'T';
            Digits(text, 11, t.Hour, 2);
            text[13] = ':';
            Digits(text, 14, t.Minute, 2);
            text[16] = ':';
            Digits(text, 17, t.Second, 2);
            text[19] = offset < 0 ? '-' : '+';
            var minutes = Math.Abs(offset) / 60;
            Digits(text, 20, minutes / 60, 2);
            text[22] = ':';
            Digits(text, 23, minutes % 60, 2);
        });
    }

    private static void Digits(Span<char> text, int start, int value, int count)
    {
        for (var i = start + count - 1; i >= start; i--)
        {
            text[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static readonly NodaTime.Text.OffsetDateTimePattern IsoWithOffset =
        NodaTime.Text.OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    /// <summary>A line: <c>at</c>, <c>type</c>, <c>ticket</c>, then the fields that have a value, in order.</summary>
    private static JsonObject Line(TicketEvent e, string type, string ticket, DateTimeZone zone, ReadOnlySpan<(string Name, JsonNode? Value)> fields)
    {
        var line = new JsonObject { ["at"] = Format(e.At, zone), ["type"] = type, ["ticket"] = ticket };
        foreach (var (name, value) in fields)
        {
            if (value is not null)
            {
                line[name] = value;
            }
        }
        return line;
    }
}
