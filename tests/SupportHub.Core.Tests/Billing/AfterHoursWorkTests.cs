using SupportHub.Billing;
using SupportHub.Policy;
using SupportHub.Sla;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.Billing;

/// <summary>POLICY.md "After-hours requests and billing approval", with the emergency the SLA assessment decides.</summary>
public class AfterHoursWorkTests
{
    private static readonly Dictionary<string, Account> Accounts = new()
    {
        ["initech"] = ExamplePolicy.Initech,
        ["acme"] = ExamplePolicy.Acme,
        ["globex"] = ExamplePolicy.Globex,
    };

    [Theory]
    // POLICY.md's worked example: Sev 2 on Friday evening, in a billable tier.
    [InlineData("initech", 2, "pat@initech.com", "2026-11-20T18:30-06:00", true, BillingApproval.Required)]
    // An emergency from a designated contact, by email, by email in capitals, by phone: never billed.
    [InlineData("acme", 1, "dana@acme.gov", "2026-12-01T23:00-06:00", true, BillingApproval.Emergency)]
    [InlineData("acme", 1, "DANA@ACME.GOV", "2026-12-01T23:00-06:00", true, BillingApproval.Emergency)]
    [InlineData("acme", 1, "+13125550101", "2026-12-01T23:00-06:00", true, BillingApproval.Emergency)]
    // An emergency from anyone else is worked as Sev 2, so after hours it needs approval like any other.
    [InlineData("acme", 1, "sam@acme.gov", "2026-12-01T23:00-06:00", true, BillingApproval.Required)]
    [InlineData("acme", 1, null, "2026-12-01T23:00-06:00", true, BillingApproval.Required)]
    // A tier whose hours are always open is never after hours.
    [InlineData("globex", 1, "anyone@globex.com", "2026-12-01T23:00-06:00", false, BillingApproval.Emergency)]
    // Inside the tier's hours nothing needs approval; the opening instant is inside, the closing one outside.
    [InlineData("acme", 3, "sam@acme.gov", "2026-12-01T10:00-06:00", false, BillingApproval.NotRequired)]
    [InlineData("acme", 2, null, "2026-12-01T07:00-06:00", false, BillingApproval.NotRequired)]
    [InlineData("acme", 2, null, "2026-12-01T19:00-06:00", true, BillingApproval.Required)]
    public void Classify_AtReceipt_AfterHoursAndApproval(string account, int severity, string? from, string received, bool afterHours, BillingApproval approval)
    {
        var policy = ExamplePolicy.Policy;
        var sla = TicketSla.Assess(policy, Accounts[account], severity, from, At(received));

        var work = AfterHoursWork.Classify(policy, policy.Tiers[sla.Tier], sla.Emergency, At(received));

        Assert.Equal(new AfterHoursWork(afterHours, approval), work);
    }

    [Fact]
    public void Name_EachApproval_IsTheContractSpelling()
    {
        Assert.Equal(
            ["not-required", "required", "emergency"],
            new[] { BillingApproval.NotRequired, BillingApproval.Required, BillingApproval.Emergency }.Select(a => a.Name()));
    }
}
