using System.Text.Json;
using static SupportHub.Cli.Tests.CliRun;

namespace SupportHub.Cli.Tests.Sla;

public sealed class SlaCommandTests : IDisposable
{
    private static readonly string Sample = RepositoryFiles.PathOf("samples/policy.json");

    private readonly string scratch = Directory.CreateTempSubdirectory("supporthub-sla-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    /// <summary>The sample policy with POLICY.md's worked-example calendar: Mon–Fri 09:00–17:00, holiday Mon 2026-11-23.</summary>
    private string WorkedExamplePolicy()
    {
        var json = RepositoryFiles.Read("samples/policy.json")
            .Replace("\"07:00-19:00\"", "\"09:00-17:00\"", StringComparison.Ordinal)
            .Replace("\"holidays\": [\"2026-11-26\", \"2026-12-25\"]", "\"holidays\": [\"2026-11-23\"]", StringComparison.Ordinal);
        Assert.Contains("2026-11-23", json, StringComparison.Ordinal);
        var path = Path.Combine(scratch, "worked.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    [Theory]
    [InlineData("2026-11-20T18:30:00-06:00", "the contract's own example")]
    [InlineData("2026-11-21T00:30:00Z", "the same instant in UTC")]
    [InlineData("2026-11-20T19:30:00-05:00", "the same instant at another offset")]
    [InlineData("2026-11-20T18:30-06:00", "seconds left out")]
    public void Sla_WorkedExample_PrintsTheContractShape(string received, string why)
    {
        var (code, output, error) = Run("sla", "--policy", WorkedExamplePolicy(), "--account", "acme", "--severity", "2", "--received", received);

        Assert.True(code == 0, $"{why}: {error}");
        var sla = Json(output);
        Assert.Equal("acme", sla.GetProperty("account").GetString());
        Assert.Equal("standard", sla.GetProperty("tier").GetString());
        Assert.Equal(2, sla.GetProperty("severity").GetInt32());
        Assert.Equal("2026-11-20T18:30:00-06:00", sla.GetProperty("received").GetString());
        Assert.True(sla.GetProperty("afterHours").GetBoolean());
        Assert.Equal("business", sla.GetProperty("clockCalendar").GetString());
        Assert.Equal("required", sla.GetProperty("billingApproval").GetString());
        var targets = sla.GetProperty("targets");
        Assert.Equal("2026-11-24T13:00:00-06:00", targets.GetProperty("response").GetProperty("due").GetString());
        Assert.Equal("received Fri 18:30 after hours; opens Tue 09:00 (Mon 23 Nov holiday); + 4 business hours = Tue 13:00",
            targets.GetProperty("response").GetProperty("explain").GetString());
        Assert.Equal("2026-11-22T18:30:00-06:00", targets.GetProperty("restore").GetProperty("due").GetString());
        Assert.Equal("2026-12-20T18:30:00-06:00", targets.GetProperty("resolve").GetProperty("due").GetString());
    }

    [Fact]
    public void Sla_EmergencyFromDesignatedContact_UsesEmergencyHours()
    {
        var (code, output, _) = Run("sla", "--policy", Sample, "--account", "acme", "--severity", "1",
            "--received", "2026-12-01T23:00:00-06:00", "--from", "dana@acme.gov");

        var sla = Json(output);
        Assert.Equal(0, code);
        Assert.Equal("always", sla.GetProperty("clockCalendar").GetString());
        Assert.Equal("emergency", sla.GetProperty("billingApproval").GetString());
        Assert.Equal("2026-12-02T00:00:00-06:00", sla.GetProperty("targets").GetProperty("response").GetProperty("due").GetString());
    }

    [Fact]
    public void Sla_EmergencyFromAnyoneElse_IsSeverity2()
    {
        var (code, output, _) = Run("sla", "--policy", Sample, "--account", "acme", "--severity", "1",
            "--received", "2026-12-01T23:00:00-06:00", "--from", "someone@acme.gov");

        var sla = Json(output);
        Assert.Equal(0, code);
        Assert.Equal(2, sla.GetProperty("severity").GetInt32());
        Assert.True(sla.GetProperty("emergencyDowngraded").GetBoolean());
        Assert.Equal("required", sla.GetProperty("billingApproval").GetString());
    }

    [Fact]
    public void Sla_SeverityWithoutSomeTargets_OmitsThem()
    {
        // Severity 4 has response and restore only.
        var (_, output, _) = Run("sla", "--policy", Sample, "--account", "acme", "--severity", "4", "--received", "2026-12-01T10:00:00-06:00");

        var targets = Json(output).GetProperty("targets");
        Assert.Equal(["response", "restore"], targets.EnumerateObject().Select(p => p.Name));
        Assert.Equal("not-required", Json(output).GetProperty("billingApproval").GetString());
    }

    [Theory]
    // Invalid input: exit 1 with a message on stderr, nothing on stdout.
    [InlineData("--account", "nobody", "the policy has no account \"nobody\"")]
    [InlineData("--severity", "9", "the policy has no severity 9")]
    [InlineData("--received", "tomorrow", "--received \"tomorrow\" is not a date-time")]
    [InlineData("--received", "2026-13-01T00:00:00Z", "is not a date-time")]
    [InlineData("--received", "2300-01-01T00:00:00Z", "calendar arithmetic covers")]
    public void Sla_InvalidInput_ExitsOne(string option, string value, string message)
    {
        var args = new Dictionary<string, string>
        {
            ["--policy"] = Sample, ["--account"] = "acme", ["--severity"] = "2", ["--received"] = "2026-11-20T18:30:00-06:00",
        };
        args[option] = value;

        var (code, output, error) = Run(["sla", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);

        Assert.Equal((1, ""), (code, output));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sla_BadPolicy_ExitsOneWithItsProblems()
    {
        var path = Path.Combine(scratch, "bad.json");
        File.WriteAllText(path, RepositoryFiles.Read("samples/policy.json").Replace("\"4bh\"", "\"4 hours\"", StringComparison.Ordinal));

        var (code, output, error) = Run("sla", "--policy", path, "--account", "acme", "--severity", "2", "--received", "2026-11-20T18:30:00-06:00");

        Assert.Equal((1, ""), (code, output));
        Assert.Contains("tiers.standard.targets.2.response", error, StringComparison.Ordinal);
    }

    [Theory]
    // Usage errors: exit 2.
    [InlineData("sla", "--policy", "p.json", "--account", "acme", "--severity", "2")]
    [InlineData("sla", "--policy", "p.json", "--account", "acme", "--severity", "two", "--received", "2026-11-20T18:30:00Z")]
    [InlineData("sla", "--policy", "p.json", "--account", "acme", "--severity", "2", "--received", "2026-11-20T18:30:00Z", "--colour")]
    public void Sla_UsageError_ExitsTwo(params string[] args)
    {
        var (code, output, error) = Run(args);

        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith("supporthub: ", error, StringComparison.Ordinal);
    }
}
