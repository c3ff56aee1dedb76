using NodaTime;
using SupportHub.Calendars;
using SupportHub.OnCall;
using SupportHub.Policy;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.OnCall;

public class OnCallScheduleTests
{
    [Theory]
    [InlineData("2026-12-01T23:00-06:00", "alice", "design example: four weekly handoffs after Mon 2 Nov 09:00")]
    [InlineData("2026-11-02T09:00-06:00", "alice", "the first shift, from start, is participants[0]")]
    [InlineData("2026-11-02T08:59-06:00", "bob", "before start j = -1 wraps to the last participant")]
    [InlineData("2026-10-20T12:00-05:00", "alice", "two shifts before start (and before fall back) wraps to j = -2 → alice")]
    [InlineData("2026-11-09T08:59:59-06:00", "alice", "last second of the first shift")]
    [InlineData("2026-11-09T09:00-06:00", "bob", "handoff instant belongs to the next shift")]
    [InlineData("2026-11-26T23:59-06:00", "bob", "just before the override")]
    [InlineData("2026-11-27T00:00-06:00", "carol", "override from is inclusive")]
    [InlineData("2026-11-27T23:59-06:00", "carol", "inside the override")]
    [InlineData("2026-11-28T00:00-06:00", "bob", "override to is exclusive")]
    public void PersonOnCall_Primary(string at, string expected, string why)
    {
        Assert.True(expected == OnCallSchedule.PersonOnCall(ExamplePolicy.Policy, "primary", At(at)), why);
    }

    [Theory]
    // Weekly 09:00 handoff from Mon 2 Mar: spring forward on Sun 8 Mar must not move it to 10:00 CDT.
    [InlineData("1w", "2026-03-02T09:00", "2026-03-09T08:59-05:00", "a", "spring: 08:59 CDT is still the first shift")]
    [InlineData("1w", "2026-03-02T09:00", "2026-03-09T09:00-05:00", "b", "spring: handoff at 09:00 local, 167 real hours after start")]
    // Weekly 09:00 handoff from Mon 26 Oct: fall back on Sun 1 Nov must not move it to 08:00 CST.
    [InlineData("1w", "2026-10-26T09:00", "2026-11-02T08:59-06:00", "a", "fall: 08:59 CST is still the first shift (169 real hours)")]
    [InlineData("1w", "2026-10-26T09:00", "2026-11-02T09:00-06:00", "b", "fall: handoff at 09:00 local")]
    // Daily 02:30 handoff: 02:30 does not exist on 8 Mar, so that handoff is at 03:00 CDT.
    [InlineData("1d", "2026-03-01T02:30", "2026-03-08T01:59-06:00", "a", "daily before the gap: j = 6")]
    [InlineData("1d", "2026-03-01T02:30", "2026-03-08T03:00-05:00", "b", "daily handoff in the gap happens at the first instant after it")]
    [InlineData("1d", "2026-03-01T02:30", "2026-03-09T02:29-05:00", "b", "next day back to 02:30 local")]
    // Hourly shifts from midnight: in local time the 02:00 hour of 8 Mar does not exist, the 01:00 hour of 1 Nov happens twice.
    [InlineData("1h", "2026-03-08T00:00", "2026-03-08T01:59-06:00", "b", "spring hourly: 01:00 shift")]
    [InlineData("1h", "2026-03-08T00:00", "2026-03-08T03:00-05:00", "b", "spring hourly: j jumps from 1 to 3 (02:00 skipped)")]
    [InlineData("1h", "2026-11-01T00:00", "2026-11-01T01:30-05:00", "b", "fall hourly: first 01:30 is j = 1")]
    [InlineData("1h", "2026-11-01T00:00", "2026-11-01T01:30-06:00", "b", "fall hourly: second 01:30 is local 01:30 too, still j = 1")]
    [InlineData("1h", "2026-11-01T00:00", "2026-11-01T02:00-06:00", "a", "fall hourly: 02:00 CST is j = 2")]
    public void PersonOnCall_AcrossDst_CountsShiftsInLocalTime(string shift, string start, string at, string expected, string why)
    {
        var rotation = new Rotation("r", ["a", "b"], NodaTime.Text.LocalDateTimePattern.GeneralIso.Parse(start + ":00").Value, PolicyDuration.Parse(shift));

        Assert.True(expected == OnCallSchedule.PersonOnCall(rotation, [], Chicago, At(at)), why);
    }

    [Fact]
    public void ShiftIndex_FarBeforeStart_IsNegative()
    {
        var rotation = ExamplePolicy.Policy.Rotations["primary"];

        Assert.Equal(-3, OnCallSchedule.ShiftIndex(rotation, Chicago, At("2026-10-12T09:00-05:00")));
    }

    [Fact]
    public void PersonOnCall_UnknownRotation_Throws()
    {
        Assert.Throws<ArgumentException>(() => OnCallSchedule.PersonOnCall(ExamplePolicy.Policy, "tertiary", At("2026-12-01T23:00-06:00")));
    }
}
