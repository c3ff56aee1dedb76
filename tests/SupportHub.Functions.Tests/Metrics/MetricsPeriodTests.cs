using NodaTime;
using SupportHub.Functions.Metrics;

namespace SupportHub.Functions.Tests.Metrics;

public sealed class MetricsPeriodTests
{
    private static readonly DateTimeZone Chicago = DateTimeZoneProviders.Tzdb["America/Chicago"];
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 21, 8, 0);

    [Theory]
    // Nothing given: the last 30 days up to and including now (the end is exclusive, so now + 1 ns).
    [InlineData(null, null, "2026-10-22T08:00:00.000000001Z", "2026-11-21T08:00:00.000000001Z")]
    // Only `from`: up to and including now.
    [InlineData("2026-11-01T00:00:00Z", null, "2026-11-01T00:00:00Z", "2026-11-21T08:00:00.000000001Z")]
    // Only `to`: the 30 days before it.
    [InlineData(null, "2026-11-10T00:00:00Z", "2026-10-11T00:00:00Z", "2026-11-10T00:00:00Z")]
    // Dates are days in the organization's zone; `to` includes its day (CST is UTC−6 in November).
    [InlineData("2026-11-01", "2026-11-20", "2026-11-01T05:00:00Z", "2026-11-21T06:00:00Z")]
    // A local date-time is read in the organization's zone; an offset is taken as written; seconds are optional.
    [InlineData("2026-11-02T08:00", "2026-11-02T09:00-06:00", "2026-11-02T14:00:00Z", "2026-11-02T15:00:00Z")]
    [InlineData("2026-11-02T08:00:30", "2026-11-02T15:00:00.5Z", "2026-11-02T14:00:30Z", "2026-11-02T15:00:00.5Z")]
    public void Parse_AcceptedForms_GiveThePeriod(string? from, string? to, string expectedFrom, string expectedTo)
    {
        var (period, problems) = MetricsPeriod.Parse(from, to, Now, Chicago);

        Assert.Empty(problems);
        Assert.Equal(NodaTime.Text.InstantPattern.ExtendedIso.Parse(expectedFrom).Value, period!.From);
        Assert.Equal(NodaTime.Text.InstantPattern.ExtendedIso.Parse(expectedTo).Value, period.To);
    }

    [Theory]
    // Not a date at all, a date that does not exist, and a relative word: each names its parameter.
    [InlineData("yesterday", null, "from")]
    [InlineData(null, "2026-02-30", "to")]
    [InlineData("2026-11-01T25:00:00Z", null, "from")]
    // Inverted: ends before it starts (also when only `from` is given and lies after now).
    [InlineData("2026-11-10", "2026-11-01", "to")]
    [InlineData("2026-12-01T00:00:00Z", null, "to")]
    // Empty: the same instant twice, or a `to` day before the `from` day (it ends where `from` starts).
    [InlineData("2026-11-05T00:00:00Z", "2026-11-05T00:00:00Z", "to")]
    [InlineData("2026-11-21", "2026-11-20", "to")]
    public void Parse_BadOrInvertedPeriod_NamesTheParameter(string? from, string? to, string field)
    {
        var (period, problems) = MetricsPeriod.Parse(from, to, Now, Chicago);

        Assert.Null(period);
        Assert.True(problems.ContainsKey(field), string.Join(", ", problems.Keys));
    }
}
