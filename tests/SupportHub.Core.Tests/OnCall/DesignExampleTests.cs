using SupportHub.Billing;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Sla;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.OnCall;

/// <summary>design/examples/policy.json as the loader reads it, against the clocks and rotations.</summary>
public class DesignExampleTests
{
    private static readonly SupportPolicy Policy = PolicyLoader.Load(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Policy", "DesignExample.policy.json"))).Policy!;

    [Fact]
    public void NightPage_AliceIsOnCall_AndTheResponseIsDueInAnHour()
    {
        // examples/README.md: an emergency call from Dana at Tue 1 Dec 23:00 pages alice; her
        // reply at 23:20 meets the one-hour response target.
        var received = At("2026-12-01T23:00-06:00");
        var acme = Policy.FindAccount("acme");

        var sla = TicketSla.Assess(Policy, acme, 1, "+13125550101", received);

        Assert.Equal("alice", OnCallSchedule.PersonOnCall(Policy, "primary", received));
        Assert.Equal(["alice"], Recipients.Resolve(Policy, Policy.Escalation.Chains["page"].Steps[0].Notify, acme, received).Select(r => r.To));
        Assert.Equal(BillingApproval.Emergency, AfterHoursWork.Classify(Policy, Policy.Tiers[sla.Tier], sla.Emergency, received).Approval);
        Assert.Equal(At("2026-12-02T00:00-06:00"), sla.Clocks[SlaTarget.Response]!.Due);
        Assert.False(sla.Clocks.Meet(SlaTarget.Response, At("2026-12-01T23:20-06:00"))[SlaTarget.Response]!.IsBreachDue(At("2026-12-02T00:00-06:00")));
    }

    [Fact]
    public void Override_Carol_On27November()
    {
        Assert.Equal("carol", OnCallSchedule.PersonOnCall(Policy, "primary", At("2026-11-27T09:30-06:00")));
    }
}
