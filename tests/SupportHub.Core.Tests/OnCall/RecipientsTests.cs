using SupportHub.OnCall;
using SupportHub.Policy;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests.OnCall;

public class RecipientsTests
{
    private static IReadOnlyList<string> To(string target, Account? account, string at) =>
        [.. Recipients.Resolve(ExamplePolicy.Policy, NotifyTarget.TryParse(target)!.Value, account, At(at)).Select(r => r.To)];

    [Theory]
    [InlineData("rotation:primary", "2026-12-01T23:00-06:00", "alice", "the night-page example: alice on call")]
    [InlineData("rotation:primary", "2026-11-27T12:00-06:00", "carol", "an override replaces the rotation's person")]
    [InlineData("rotation:secondary", "2026-12-01T23:00-06:00", "bob", "secondary at the same instant")]
    [InlineData("person:carol", "2026-12-01T23:00-06:00", "carol", "a named person, whatever the time")]
    [InlineData("account:approvers", "2026-12-01T23:00-06:00", "dana@acme.gov", "contacts that approve billing, by email")]
    [InlineData("account:emergency", "2026-12-01T23:00-06:00", "dana@acme.gov", "designated emergency contacts only (not Sam)")]
    public void Resolve_WithAcme(string target, string at, string expected, string why)
    {
        Assert.True(To(target, ExamplePolicy.Acme, at).SequenceEqual([expected]), why);
    }

    [Fact]
    public void Resolve_AccountTargetWithoutAccount_IsEmpty()
    {
        Assert.Empty(To("account:approvers", null, "2026-12-01T23:00-06:00"));
    }

    [Fact]
    public void Resolve_Many_KeepsOrderAndDropsRepeats()
    {
        var targets = new[] { "rotation:primary", "person:alice", "person:carol" }.Select(t => NotifyTarget.TryParse(t)!.Value);

        var recipients = Recipients.Resolve(ExamplePolicy.Policy, targets, ExamplePolicy.Acme, At("2026-12-01T23:00-06:00"));

        Assert.Equal(["alice", "carol"], recipients.Select(r => r.To));
        Assert.Equal("+13125550001", recipients[0].Phone);
    }
}
