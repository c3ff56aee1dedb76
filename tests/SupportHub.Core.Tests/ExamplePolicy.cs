using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;
using static SupportHub.Core.Tests.TestTime;

namespace SupportHub.Core.Tests;

/// <summary>
/// design/examples/policy.json built by hand (Core tests do not depend on the loader), with the
/// worked example's calendar as an extra tier so POLICY.md's numbers can be checked end to end.
/// </summary>
internal static class ExamplePolicy
{
    public static readonly BusinessCalendar Business = Calendar(["mon-fri 07:00-19:00"], "2026-11-26", "2026-12-25");

    public static readonly BusinessCalendar Always = BusinessCalendar.CreateAlwaysOpen("always", Chicago);

    /// <summary>POLICY.md's worked example calendar: Mon–Fri 09:00–17:00, holiday Mon 2026-11-23.</summary>
    public static readonly BusinessCalendar Worked = Calendar(["mon-fri 09:00-17:00"], "2026-11-23");

    public static readonly Contact Dana = new("Dana Ortiz", "dana@acme.gov", "+13125550101", Emergency: true, ApprovesBilling: true);

    public static readonly Contact Sam = new("Sam Lee", "sam@acme.gov", null, Emergency: false, ApprovesBilling: false);

    public static readonly Account Acme = new("acme", "Acme City", "standard", ["acme.gov"], ["+13125550100"], [Dana, Sam]);

    public static readonly Account Initech = new("initech", "Initech", "worked", ["initech.com"], [], []);

    public static readonly Account Globex = new("globex", "Globex", "enterprise", ["globex.com"], [], []);

    private static readonly AfterHoursTerms Billable = new(true, 200m, "USD", "hour", PolicyDuration.Parse("2h"), EmergencyContactsOnly: true);

    private static readonly Dictionary<int, SeverityTargets> StandardTargets = new()
    {
        [1] = Targets("1h", "24h", "15d"),
        [2] = Targets("4bh", "48h", "30d"),
        [3] = Targets("8bh", "2bd", "30d"),
        [4] = Targets("2bd", "4bd", null),
    };

    public static readonly SupportPolicy Policy = new(
        new Organization("Example Software", Chicago, "support@example.com"),
        new Dictionary<string, BusinessCalendar> { ["business"] = Business, ["always"] = Always, ["worked"] = Worked },
        [new SeverityDefinition(1, "Critical", true), new SeverityDefinition(2, "High", false),
         new SeverityDefinition(3, "Medium", false), new SeverityDefinition(4, "Low", false)],
        new Dictionary<string, Tier>
        {
            ["standard"] = new("standard", "business", "always", StandardTargets, Billable),
            ["enterprise"] = new("enterprise", "always", "always", new Dictionary<int, SeverityTargets> { [1] = Targets("30m", null, null) }, null),
            ["worked"] = new("worked", "worked", "always", StandardTargets, Billable),
        },
        [Acme, Initech, Globex],
        "standard",
        3,
        new Dictionary<string, Person>
        {
            ["alice"] = new("alice", "Alice", "alice@example.com", "+13125550001", "00000000-0000-0000-0000-000000000001"),
            ["bob"] = new("bob", "Bob", "bob@example.com", "+13125550002", "00000000-0000-0000-0000-000000000002"),
            ["carol"] = new("carol", "Carol", "carol@example.com", "+13125550003", "00000000-0000-0000-0000-000000000003"),
        },
        new Dictionary<string, Rotation>
        {
            ["primary"] = new("primary", ["alice", "bob"], new LocalDateTime(2026, 11, 2, 9, 0), PolicyDuration.Parse("1w")),
            ["secondary"] = new("secondary", ["bob", "carol"], new LocalDateTime(2026, 11, 2, 9, 0), PolicyDuration.Parse("1w")),
        },
        [new RotationOverride("primary", "carol", new LocalDateTime(2026, 11, 27, 0, 0), new LocalDateTime(2026, 11, 28, 0, 0))],
        new EscalationPolicy(
            new Dictionary<string, EscalationChain>(),
            new Dictionary<int, string> { [1] = "page" },
            new Dictionary<int, NoProgressRule>(),
            0.75),
        new LifecyclePolicy(PolicyDuration.Parse("7bd"), PolicyDuration.Parse("5bd"), PolicyDuration.Parse("48h")));

    private static SeverityTargets Targets(string? response, string? restore, string? resolve) =>
        new(Parse(response), Parse(restore), Parse(resolve));

    private static PolicyDuration? Parse(string? text) => text is null ? null : PolicyDuration.Parse(text);
}
