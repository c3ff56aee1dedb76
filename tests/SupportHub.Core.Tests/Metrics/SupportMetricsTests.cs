using NodaTime;
using SupportHub.Core.Tests.Tickets;
using SupportHub.Metrics;
using SupportHub.Sla;
using SupportHub.Tickets;
using static SupportHub.Core.Tests.TestTime;
using static SupportHub.Core.Tests.Tickets.Tickets;

namespace SupportHub.Core.Tests.Metrics;

public class SupportMetricsTests
{
    // Cases for the nearest-rank percentile: why each is here is in its comment.
    [Theory]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5, 9)] // ten values: rank 5 and rank 9
    [InlineData(new[] { 7 }, 7, 7)]                             // one value is every percentile
    [InlineData(new[] { 30, 10, 20 }, 20, 30)]                  // unsorted input is sorted first
    [InlineData(new[] { 5, 5, 5, 100 }, 5, 100)]                // an outlier moves p90, not the median
    public void DurationStats_Values_GivesNearestRankMedianAndP90(int[] minutes, int median, int p90)
    {
        var stats = DurationStats.Of(minutes.Select(m => Duration.FromMinutes(m)));

        Assert.Equal((minutes.Length, Duration.FromMinutes(median), Duration.FromMinutes(p90)), (stats.Count, stats.Median!.Value, stats.P90!.Value));
    }

    [Fact]
    public void DurationStats_NoValues_HasNoFigures()
    {
        Assert.Equal(new DurationStats(0, null, null, null), DurationStats.Of([]));
    }

    [Fact]
    public void Compute_MixedTickets_GivesFiguresPerSeverityTierAndTarget()
    {
        // Monday 23 Nov, business hours 07:00-19:00 Chicago.
        var solvedFast = Drive("2001", "2026-11-23T08:00-06:00", 3, h =>
        {
            h.When("2026-11-23T09:00-06:00", Reply("2001", "alice"));
            h.When("2026-11-23T10:00-06:00", Solve("2001"));
        });
        var solvedSlow = Drive("2002", "2026-11-23T08:00-06:00", 2, h =>
        {
            h.When("2026-11-23T13:00-06:00", Reply("2002", "bob"));   // 5 business hours: response (4bh) breached at 12:00
            h.When("2026-11-23T16:00-06:00", Solve("2002"));
        });
        var open = Drive("2003", "2026-11-23T11:00-06:00", 3, _ => { });
        var outside = Drive("2004", "2026-11-30T08:00-06:00", 3, _ => { });
        var now = At("2026-11-24T11:00-06:00");

        var report = SupportMetrics.Compute([solvedFast, solvedSlow, open, outside], At("2026-11-23T00:00-06:00"), At("2026-11-24T00:00-06:00"), now);

        Assert.Equal((3, 1), (report.Tickets, report.Open));
        Assert.Equal(2, report.FirstReply.All.Count);
        Assert.Equal(Duration.FromHours(1), report.FirstReply.BySeverity[3].Median);
        Assert.Equal(Duration.FromHours(5), report.FirstReply.BySeverity[2].Median);
        Assert.Equal(Duration.FromHours(5), report.FirstReply.All.P90);
        Assert.Equal(Duration.FromHours(24), report.TicketAge.All.Median);
        Assert.Equal(Duration.FromHours(2), report.Resolution.BySeverity[3].Median);
        Assert.Equal(Duration.FromHours(8), report.Resolution.BySeverity[2].Median);
        Assert.Equal(2, report.Resolution.ByTier["standard"].Count);
        Assert.Equal(new TargetAttainment(1, 1, 0.5), report.Sla[SlaTarget.Response]);
    }

    [Fact]
    public void Compute_Ratings_GivesShareCountsAndTheSeedsRatio()
    {
        var tickets = new[] { ("3001", true), ("3002", true), ("3003", true), ("3004", false) }.Select(t => Drive(t.Item1, "2026-11-23T08:00-06:00", 3, h =>
        {
            h.When("2026-11-23T09:00-06:00", Solve(t.Item1));
            h.RunUntil("2026-11-25T10:00-06:00");                      // the survey goes 48 h after the solve
            h.When("2026-11-25T10:00-06:00", new RateSupport(Id("csat"), t.Item1, t.Item2, "lee@acme.gov"));
        })).ToList();

        var report = SupportMetrics.Compute(tickets, At("2026-11-01T00:00-06:00"), At("2026-12-01T00:00-06:00"), At("2026-11-26T00:00-06:00"));

        Assert.Equal(new Satisfaction(3, 1, 0.75, 3.0), report.Csat);
    }

    [Fact]
    public void Compute_NoBadRating_LeavesTheSeedsRatioUndefined()
    {
        var report = SupportMetrics.Compute([], At("2026-11-01T00:00-06:00"), At("2026-12-01T00:00-06:00"), At("2026-12-01T00:00-06:00"));

        Assert.Equal(new Satisfaction(0, 0, null, null), report.Csat);
        Assert.Null(report.Sla[SlaTarget.Resolve].Attainment);
    }

    [Fact]
    public void Compute_PeriodEndingBeforeItStarts_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            SupportMetrics.Compute([], At("2026-12-01T00:00-06:00"), At("2026-11-01T00:00-06:00"), At("2026-12-01T00:00-06:00")));
    }

    private static TicketState Drive(string reference, string received, int severity, Action<TicketHarness> then)
    {
        var h = new TicketHarness();
        h.When(received, Open(received, severity, new Requester("Lee Park", "lee@acme.gov", null), "acme", "standard", IntakeChannel.Chat, reference));
        then(h);
        return h.State!;
    }

    private static PostReply Reply(string reference, string by) => new(Id("reply"), reference, by, true, "On it.");

    private static ChangeStatus Solve(string reference) => new(Id("status"), reference, TicketStatus.Solved, "alice");
}
