using NodaTime;
using SupportHub.Metrics;
using SupportHub.Sla;
using SupportHub.Tickets;

namespace SupportHub.Functions.Metrics;

// The body of GET /api/metrics (and the "metrics" part of /board.json). Durations are whole or
// fractional SECONDS as JSON numbers, in fields whose names end in "Seconds": a dashboard can chart
// and compare them without parsing ISO 8601 durations. A figure with nothing to measure is null.
// Severity keys are the level as a string ("1"); SLA keys are the contract's target names.

/// <summary>A <see cref="MetricsReport"/> as JSON.</summary>
public sealed record MetricsResponse(
    string From,
    string To,
    int Tickets,
    int Open,
    BreakdownResponse FirstReply,
    BreakdownResponse TicketAge,
    BreakdownResponse Resolution,
    IReadOnlyDictionary<string, AttainmentResponse> Sla,
    SatisfactionResponse Csat)
{
    public static MetricsResponse Of(MetricsReport report, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new MetricsResponse(
            TicketTimeline.Format(report.From, zone),
            TicketTimeline.Format(report.To, zone),
            report.Tickets,
            report.Open,
            BreakdownResponse.From(report.FirstReply),
            BreakdownResponse.From(report.TicketAge),
            BreakdownResponse.From(report.Resolution),
            report.Sla.OrderBy(s => s.Key).ToDictionary(s => s.Key.Name(), s => new AttainmentResponse(s.Value.Met, s.Value.Breached, s.Value.Attainment)),
            new SatisfactionResponse(report.Csat.Good, report.Csat.Bad, report.Csat.Share, report.Csat.SatisfiedPerUnsatisfied));
    }
}

public sealed record BreakdownResponse(
    StatsResponse All,
    IReadOnlyDictionary<string, StatsResponse> BySeverity,
    IReadOnlyDictionary<string, StatsResponse> ByTier)
{
    public static BreakdownResponse From(Breakdown breakdown)
    {
        ArgumentNullException.ThrowIfNull(breakdown);
        return new BreakdownResponse(
            StatsResponse.From(breakdown.All),
            breakdown.BySeverity.ToDictionary(s => s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), s => StatsResponse.From(s.Value)),
            breakdown.ByTier.ToDictionary(t => t.Key, t => StatsResponse.From(t.Value)));
    }
}

/// <param name="MedianSeconds">Nearest-rank median; null when <paramref name="Count"/> is 0.</param>
/// <param name="P90Seconds">Nearest-rank 90th percentile.</param>
public sealed record StatsResponse(int Count, double? MedianSeconds, double? P90Seconds, double? MeanSeconds)
{
    public static StatsResponse From(DurationStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return new StatsResponse(stats.Count, Seconds(stats.Median), Seconds(stats.P90), Seconds(stats.Mean));
    }

    // Milliseconds are the finest a dashboard shows; the mean is rarely a whole number of seconds.
    private static double? Seconds(Duration? duration) => duration is { } d ? Math.Round(d.TotalSeconds, 3) : null;
}

/// <param name="Attainment">Met ÷ (met + breached), 0–1; null when no clock of this target was decided.</param>
public sealed record AttainmentResponse(int Met, int Breached, double? Attainment);

/// <param name="Share">Good ÷ (good + bad), 0–1; null with no rating.</param>
/// <param name="SatisfiedPerUnsatisfied">The seed's CSAT (good ÷ bad); null with no bad rating.</param>
public sealed record SatisfactionResponse(int Good, int Bad, double? Share, double? SatisfiedPerUnsatisfied);
