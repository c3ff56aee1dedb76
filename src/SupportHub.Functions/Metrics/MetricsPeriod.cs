using NodaTime;
using NodaTime.Text;

namespace SupportHub.Functions.Metrics;

// The period of GET /api/metrics?from=&to=: tickets received in [from, to). Each bound is an ISO 8601
// date (2026-11-01), a local date-time read in the organization's time zone (2026-11-01T08:00), or an
// instant with its offset (2026-11-01T14:00:00Z, 2026-11-01T08:00:00-06:00). A date as `from` is the
// start of that day; a date as `to` includes that day (it ends where the next day starts), which is
// what "from=2026-11-01&to=2026-11-30" means to a person. Both absent: the last 30 days up to and
// including now. An empty or inverted period is refused.

/// <summary>Reads a metrics period from the query; every problem is reported by its parameter name.</summary>
public sealed record MetricsPeriod(Instant From, Instant To)
{
    public static readonly Duration DefaultLength = Duration.FromDays(30);

    // Seconds (and fractions) are optional, as ISO 8601 allows: 2026-11-01T08:00Z is an instant too.
    private static readonly OffsetDateTimePattern[] WithOffset =
        [OffsetDateTimePattern.ExtendedIso, OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>")];
    private static readonly LocalDateTimePattern[] Local =
        [LocalDateTimePattern.ExtendedIso, LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm")];
    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;

    /// <summary>The period, or the problems (parameter → messages) that make the query unusable.</summary>
    public static (MetricsPeriod? Period, Dictionary<string, string[]> Problems) Parse(string? from, string? to, Instant now, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var problems = new Dictionary<string, string[]>();
        var start = Bound("from", from, zone, endOfDay: false, problems);
        var end = Bound("to", to, zone, endOfDay: true, problems);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        // Up to now includes now: a ticket received this instant counts (the end is exclusive).
        var periodEnd = end ?? now + Duration.Epsilon;
        var periodStart = start ?? periodEnd - DefaultLength;
        if (periodStart >= periodEnd)
        {
            problems["to"] = ["The period is empty or ends before it starts: \"to\" must be later than \"from\"."];
            return (null, problems);
        }

        return (new MetricsPeriod(periodStart, periodEnd), problems);
    }

    private static Instant? Bound(string name, string? text, DateTimeZone zone, bool endOfDay, Dictionary<string, string[]> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (WithOffset.Select(p => p.Parse(text)).FirstOrDefault(r => r.Success) is { } offset)
        {
            return offset.Value.ToInstant();
        }

        if (Local.Select(p => p.Parse(text)).FirstOrDefault(r => r.Success) is { } local)
        {
            return local.Value.InZoneLeniently(zone).ToInstant();
        }

        if (Date.Parse(text) is { Success: true } date)
        {
            var day = endOfDay ? date.Value.PlusDays(1) : date.Value;
            return zone.AtStartOfDay(day).ToInstant();
        }

        problems[name] = [$"\"{text}\" is not an ISO 8601 date (2026-11-01), local date-time (2026-11-01T08:00) or instant (2026-11-01T14:00:00Z)."];
        return null;
    }
}
