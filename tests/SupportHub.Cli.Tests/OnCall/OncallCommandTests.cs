using static SupportHub.Cli.Tests.CliRun;

namespace SupportHub.Cli.Tests.OnCall;

public class OncallCommandTests
{
    private static readonly string Sample = RepositoryFiles.PathOf("samples/policy.json");

    [Theory]
    [InlineData("primary", "2026-12-01T23:00:00-06:00", "2026-12-01T23:00:00-06:00", "alice", "design example: four handoffs after Mon 2 Nov 09:00")]
    [InlineData("primary", "2026-12-02T05:00:00Z", "2026-12-01T23:00:00-06:00", "alice", "Z input, organization offset output")]
    [InlineData("primary", "2026-11-27T12:00:00-06:00", "2026-11-27T12:00:00-06:00", "carol", "the override for 27 Nov")]
    [InlineData("secondary", "2026-12-01T23:00:00-06:00", "2026-12-01T23:00:00-06:00", "bob", "secondary: j = 4 → bob")]
    [InlineData("primary", "2026-11-02T08:59:00-06:00", "2026-11-02T08:59:00-06:00", "bob", "before start the modulo wraps")]
    public void Oncall_PrintsRotationAtAndPerson(string rotation, string at, string shownAt, string person, string why)
    {
        var (code, output, error) = Run("oncall", "--policy", Sample, "--rotation", rotation, "--at", at);

        Assert.True(code == 0, $"{why}: {error}");
        Assert.Equal($"{{\"rotation\":\"{rotation}\",\"at\":\"{shownAt}\",\"person\":\"{person}\"}}\n", output);
    }

    [Theory]
    [InlineData("tertiary", "2026-12-01T23:00:00-06:00", "the policy has no rotation \"tertiary\"")]
    [InlineData("primary", "noon", "--at \"noon\" is not a date-time")]
    public void Oncall_InvalidInput_ExitsOne(string rotation, string at, string message)
    {
        var (code, output, error) = Run("oncall", "--policy", Sample, "--rotation", rotation, "--at", at);

        Assert.Equal((1, ""), (code, output));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oncall_PolicyWithOnlyWarnings_AnswersAndPrintsTheWarningsOnStderr()
    {
        var scratch = Directory.CreateTempSubdirectory("supporthub-oncall-").FullName;
        try
        {
            var policy = Path.Combine(scratch, "policy.json");
            File.WriteAllText(policy, Policy.PolicyCommandTests.WithWarnings());

            var (code, output, error) = Run("oncall", "--policy", policy, "--rotation", "primary", "--at", "2026-12-01T23:00:00-06:00");

            Assert.Equal((0, "{\"rotation\":\"primary\",\"at\":\"2026-12-01T23:00:00-06:00\",\"person\":\"alice\"}\n"), (code, output));
            var warnings = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(4, warnings.Length);
            Assert.All(warnings, w => Assert.StartsWith($"warning: {policy}: escalation.", w, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void Oncall_MissingAt_ExitsTwo()
    {
        var (code, _, error) = Run("oncall", "--policy", Sample, "--rotation", "primary");

        Assert.Equal(2, code);
        Assert.Contains("--at", error, StringComparison.Ordinal);
    }
}
