using SupportHub.Policy;
using SupportHub.Sla;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.Sla;

public class TicketSlaTests
{
    private static TicketSla Assess(Account? account, int severity, string? from, string received) =>
        TicketSla.Assess(ExamplePolicy.Policy, account, severity, from, At(received));

    private static string Due(TicketSla sla, SlaTarget target) => Show(sla.Clocks[target]!.Due);

    [Fact]
    public void Assess_WorkedExample_MatchesPolicyMd()
    {
        // POLICY.md: Mon–Fri 09:00–17:00, holiday Mon 23 Nov, Sev 2 received Fri 20 Nov 18:30.
        var sla = Assess(ExamplePolicy.Initech, 2, "pat@initech.com", "2026-11-20T18:30-06:00");

        Assert.Equal("worked", sla.ClockCalendar);
        Assert.Equal("2026-11-24T13:00:00-06", Due(sla, SlaTarget.Response));
        Assert.Equal("received Fri 18:30 after hours; opens Tue 09:00 (Mon 23 Nov holiday); + 4 business hours = Tue 13:00",
            sla.Clocks[SlaTarget.Response]!.Explain);
        Assert.Equal("2026-11-22T18:30:00-06", Due(sla, SlaTarget.Restore));
        Assert.Equal("received Fri 18:30; + 48 hours = Sun 18:30", sla.Clocks[SlaTarget.Restore]!.Explain);
        Assert.Equal("2026-12-20T18:30:00-06", Due(sla, SlaTarget.Resolve));
        Assert.Equal("received Fri 18:30; + 30 days = Sun 20 Dec 18:30", sla.Clocks[SlaTarget.Resolve]!.Explain);
    }

    [Fact]
    public void Assess_Severity3_BusinessDaysAndClosingTime()
    {
        // 8bh from the Tue 09:00 opening ends exactly at Tue 17:00; 2bd takes Tue 09:00's time of day.
        var sla = Assess(ExamplePolicy.Initech, 3, null, "2026-11-20T18:30-06:00");

        Assert.Equal("2026-11-24T17:00:00-06", Due(sla, SlaTarget.Response));
        Assert.Equal("2026-11-26T09:00:00-06", Due(sla, SlaTarget.Restore));
        Assert.Equal("received Fri 18:30 after hours; opens Tue 09:00 (Mon 23 Nov holiday); + 2 business days = Thu 09:00",
            sla.Clocks[SlaTarget.Restore]!.Explain);
    }

    [Theory]
    [InlineData("dana@acme.gov", "by email")]
    [InlineData("DANA@ACME.GOV", "email compared case-insensitively")]
    [InlineData("+13125550101", "by phone, as the IVR knows the caller")]
    public void Assess_EmergencyFromDesignatedContact_IsWorkedInEmergencyHours(string from, string why)
    {
        var sla = Assess(ExamplePolicy.Acme, 1, from, "2026-12-01T23:00-06:00");

        Assert.True(sla.Emergency, why);
        Assert.False(sla.EmergencyDowngraded);
        Assert.Equal(1, sla.Severity);
        Assert.Equal("always", sla.ClockCalendar);
        Assert.Equal("2026-12-02T00:00:00-06", Due(sla, SlaTarget.Response));
        Assert.Equal("received Tue 23:00; + 1 hour = Wed 00:00", sla.Clocks[SlaTarget.Response]!.Explain);
    }

    [Theory]
    [InlineData("sam@acme.gov", "a contact, but not designated for emergencies")]
    [InlineData(null, "requester unknown")]
    public void Assess_EmergencyFromOtherRequester_IsTreatedAsSeverity2(string? from, string why)
    {
        var sla = Assess(ExamplePolicy.Acme, 1, from, "2026-12-01T23:00-06:00");

        Assert.False(sla.Emergency, why);
        Assert.True(sla.EmergencyDowngraded);
        Assert.Equal(1, sla.RequestedSeverity);
        Assert.Equal(2, sla.Severity);
        Assert.Equal("business", sla.ClockCalendar);
        // Sev 2 response 4bh in 07:00–19:00 from Wed 07:00.
        Assert.Equal("2026-12-02T11:00:00-06", Due(sla, SlaTarget.Response));
    }

    [Fact]
    public void Assess_NoAccount_UsesDefaultTierAndCannotRaiseEmergencies()
    {
        var sla = Assess(null, 1, "someone@example.org", "2026-12-01T23:00-06:00");

        Assert.Null(sla.Account);
        Assert.Equal("standard", sla.Tier);
        Assert.Equal(2, sla.Severity);
    }

    [Fact]
    public void Assess_TierWithoutAfterHoursTerms_AnyoneMayRaiseAnEmergency()
    {
        var sla = Assess(ExamplePolicy.Globex, 1, "anyone@globex.com", "2026-12-01T23:00-06:00");

        Assert.True(sla.Emergency);
        Assert.Equal("2026-12-01T23:30:00-06", Due(sla, SlaTarget.Response));
        Assert.Null(sla.Clocks[SlaTarget.Restore]);
    }

    [Fact]
    public void Assess_DuringBusinessHours_CountsFromReceipt()
    {
        var sla = Assess(ExamplePolicy.Acme, 3, "sam@acme.gov", "2026-12-01T10:00-06:00");

        Assert.Equal("received Tue 10:00 during business hours; + 8 business hours = Tue 18:00", sla.Clocks[SlaTarget.Response]!.Explain);
    }

    [Fact]
    public void Assess_ExactlyAtOpening_CountsFromReceipt()
    {
        var sla = Assess(ExamplePolicy.Acme, 2, null, "2026-12-01T07:00-06:00");

        Assert.Equal("2026-12-01T11:00:00-06", Due(sla, SlaTarget.Response));
    }

    [Fact]
    public void Assess_SeverityWithoutTargets_HasNoClocks()
    {
        Assert.Empty(Assess(ExamplePolicy.Globex, 2, null, "2026-12-01T10:00-06:00").Clocks.Clocks);
    }

    [Fact]
    public void Assess_UnknownSeverity_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Assess(ExamplePolicy.Acme, 7, null, "2026-12-01T10:00-06:00"));
    }

    [Fact]
    public void ChangeSeverity_RecomputesUnmetTargetsFromReceived()
    {
        // Received Tue 1 Dec 10:00 at Sev 3; response met 10:30; raised to Sev 2 at 11:00.
        var sla = Assess(ExamplePolicy.Acme, 3, "sam@acme.gov", "2026-12-01T10:00-06:00");
        sla = sla with { Clocks = sla.Clocks.Meet(SlaTarget.Response, At("2026-12-01T10:30-06:00")) };

        var raised = sla.ChangeSeverity(ExamplePolicy.Policy, ExamplePolicy.Acme, 2, "sam@acme.gov");

        Assert.Equal(At("2026-12-01T10:30-06:00"), raised.Clocks[SlaTarget.Response]!.MetAt);
        Assert.Equal("2026-12-01T18:00:00-06", Due(raised, SlaTarget.Response));
        Assert.Equal("2026-12-03T10:00:00-06", Due(raised, SlaTarget.Restore));
        Assert.Equal("2026-12-31T10:00:00-06", Due(raised, SlaTarget.Resolve));
    }

    [Fact]
    public void ChangeSeverity_ToAnEmergency_SwitchesToEmergencyHours()
    {
        // Fri 20 Nov 20:00 is after hours: Sev 3's 8bh runs from Mon 07:00; as Sev 1 the clock is 24×7.
        var sla = Assess(ExamplePolicy.Acme, 3, "dana@acme.gov", "2026-11-20T20:00-06:00");
        Assert.Equal("2026-11-23T15:00:00-06", Due(sla, SlaTarget.Response));

        var raised = sla.ChangeSeverity(ExamplePolicy.Policy, ExamplePolicy.Acme, 1, "dana@acme.gov");

        Assert.Equal("always", raised.ClockCalendar);
        Assert.Equal("2026-11-20T21:00:00-06", Due(raised, SlaTarget.Response));
    }

    [Fact]
    public void ChangeSeverity_AddingATarget_AppliesPendingHistory()
    {
        // Sev 4 has no resolve; raised to Sev 3 after a Pending stretch, the resolve target appears
        // from received (30d) moved later by the 5 elapsed hours spent Pending.
        var sla = Assess(ExamplePolicy.Acme, 4, null, "2026-12-01T10:00-06:00");
        sla = sla with { Clocks = sla.Clocks.Pause(At("2026-12-01T12:00-06:00")).Resume(ExamplePolicy.Policy.Calendars[sla.ClockCalendar], At("2026-12-01T17:00-06:00")) };

        var raised = sla.ChangeSeverity(ExamplePolicy.Policy, ExamplePolicy.Acme, 3, null);

        Assert.Equal("2026-12-31T15:00:00-06", Due(raised, SlaTarget.Resolve));
    }
}
