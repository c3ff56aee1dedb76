using NodaTime;
using SupportHub.Sla;
using SupportHub.Tickets;

namespace SupportHub.Metrics;

/// <summary>Median, 90th percentile and mean of a set of durations; null figures when the set is empty.</summary>
public sealed record DurationStats(int Count, Duration? Median, Duration? P90, Duration? Mean)
{
    public static DurationStats Of(IEnumerable<Duration> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return new DurationStats(0, null, null, null);
        }
        var mean = Duration.FromTicks((long)sorted.Average(d => (double)d.BclCompatibleTicks));
        return new DurationStats(sorted.Count, Percentile(sorted, 0.5), Percentile(sorted, 0.9), mean);
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="share"/> of the set at or below it.</summary>
    private static Duration Percentile(List<Duration> sorted, double share) =>
        sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>One figure overall and broken down by severity and by tier.</summary>
public sealed record Breakdown(DurationStats All, IReadOnlyDictionary<int, DurationStats> BySeverity, IReadOnlyDictionary<string, DurationStats> ByTier);

/// <summary>How often a target was met in time, of the clocks that were decided (met or breached).</summary>
/// <param name="Attainment">Met ÷ (met + breached); null when none was decided.</param>
public sealed record TargetAttainment(int Met, int Breached, double? Attainment);

/// <summary>
/// Satisfaction: the usual share good ÷ (good + bad), the raw counts, and the seed's own definition
/// (satisfied ÷ unsatisfied), which is undefined with no bad rating.
/// </summary>
public sealed record Satisfaction(int Good, int Bad, double? Share, double? SatisfiedPerUnsatisfied);

/// <summary>The figures REQUIREMENTS.md "Metrics" promises, over tickets received in [From, To).</summary>
public sealed record MetricsReport(
    Instant From,
    Instant To,
    int Tickets,
    int Open,
    Breakdown FirstReply,
    Breakdown TicketAge,
    Breakdown Resolution,
    IReadOnlyDictionary<SlaTarget, TargetAttainment> Sla,
    Satisfaction Csat);

/// <summary>
/// Computes the support desk's metrics from ticket states (seed 004 "Success Metrics"): first reply
/// time (received → first public staff reply), ticket age (now − received, of tickets not Solved or
/// Closed), resolution time (received → solved, of Solved and Closed tickets), SLA attainment per
/// target (met in time ÷ decided) and CSAT. Pure: the caller passes the tickets and "now".
/// </summary>
public static class SupportMetrics
{
    public static MetricsReport Compute(IEnumerable<TicketState> tickets, Instant from, Instant to, Instant now)
    {
        if (to < from)
        {
            throw new ArgumentException("The period ends before it starts.", nameof(to));
        }
        var inPeriod = tickets.Where(t => t.Facts.Received >= from && t.Facts.Received < to).ToList();
        var open = inPeriod.Where(t => t.Status is not (TicketStatus.Solved or TicketStatus.Closed)).ToList();

        var firstReply = Break(inPeriod, t => t.Lifecycle.FirstStaffReply is { } reply ? reply - t.Facts.Received : null);
        var age = Break(open, t => now - t.Facts.Received);
        var resolution = Break(inPeriod, t => t.Status is TicketStatus.Solved or TicketStatus.Closed && t.Lifecycle.SolvedAt is { } solved
            ? solved - t.Facts.Received
            : null);

        var sla = Enum.GetValues<SlaTarget>().ToDictionary(target => target, target =>
        {
            var clocks = inPeriod.Select(t => t.Sla[target]).OfType<SlaClock>().ToList();
            var met = clocks.Count(c => c.MetAt is { } at && c.BreachedAt is null && at <= c.Due);
            var breached = clocks.Count(c => c.BreachedAt is not null || (c.MetAt is { } at && at > c.Due));
            return new TargetAttainment(met, breached, met + breached == 0 ? null : (double)met / (met + breached));
        });

        var good = inPeriod.Count(t => t.Lifecycle.Rating == true);
        var bad = inPeriod.Count(t => t.Lifecycle.Rating == false);
        var csat = new Satisfaction(good, bad, good + bad == 0 ? null : (double)good / (good + bad), bad == 0 ? null : (double)good / bad);

        return new MetricsReport(from, to, inPeriod.Count, open.Count, firstReply, age, resolution, sla, csat);
    }

    private static Breakdown Break(List<TicketState> tickets, Func<TicketState, Duration?> measure)
    {
        var measured = tickets.Select(t => (Ticket: t, Value: measure(t))).Where(m => m.Value is not null).ToList();
        return new Breakdown(
            DurationStats.Of(measured.Select(m => m.Value!.Value)),
            measured.GroupBy(m => m.Ticket.Severity).OrderBy(g => g.Key)
                .ToDictionary(g => g.Key, g => DurationStats.Of(g.Select(m => m.Value!.Value))),
            measured.GroupBy(m => m.Ticket.Facts.Tier).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => DurationStats.Of(g.Select(m => m.Value!.Value))));
    }
}
