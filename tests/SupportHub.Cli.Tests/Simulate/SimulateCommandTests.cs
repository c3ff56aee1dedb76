using System.Text.Json.Nodes;
using NodaTime.Text;

namespace SupportHub.Cli.Tests.Simulate;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("supporthub-simulate-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    public static TheoryData<string> Scenarios() =>
    [
        .. Directory.GetFiles(RepositoryFiles.PathOf("samples/scenarios"), "*.scenario.json")
            .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal),
    ];

    /// <summary>
    /// Each sample scenario's expected lines (beside it, <c>.expected.jsonl</c>) appear in the
    /// timeline in that order; other lines may come between. A line matches when every field it
    /// names has that value (<c>at</c> compared as an instant), as CONTRACT.md compares them.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Simulate_SampleScenario_PrintsExpectedLinesInOrder(string scenario)
    {
        var path = RepositoryFiles.PathOf("samples/scenarios/" + scenario);
        var expected = File.ReadAllLines(path.Replace(".scenario.json", ".expected.jsonl", StringComparison.Ordinal))
            .Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

        var (code, output, error) = Run("simulate", path);

        Assert.True(code == 0, error);
        var timeline = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var next = 0;
        foreach (var line in timeline)
        {
            if (next < expected.Count && Matches(expected[next], line))
            {
                next++;
            }
        }
        Assert.True(next == expected.Count,
            $"expected line {next + 1} not found in order: {(next < expected.Count ? expected[next].ToJsonString() : "")}\n--- timeline:\n{output}");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Simulate_SampleScenario_PrintsLinesInTimeOrderEachWithAtAndType(string scenario)
    {
        var (code, output, _) = Run("simulate", RepositoryFiles.PathOf("samples/scenarios/" + scenario));

        Assert.Equal(0, code);
        var instants = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!)
            .Select(l => (Type: (string?)l["type"], At: OffsetDateTimePattern.ExtendedIso.Parse((string)l["at"]!).Value.ToInstant()))
            .ToList();
        Assert.NotEmpty(instants);
        Assert.All(instants, l => Assert.False(string.IsNullOrEmpty(l.Type)));
        Assert.Equal(instants.Select(l => l.At).Order(), instants.Select(l => l.At));
    }

    [Fact]
    public void Simulate_SameScenarioTwice_PrintsTheSameTimeline()
    {
        var path = RepositoryFiles.PathOf("samples/scenarios/reopen-and-follow-up.scenario.json");

        Assert.Equal(Run("simulate", path).Output, Run("simulate", path).Output);
    }

    [Fact]
    public void Simulate_BrokenScenario_ListsEveryProblemAndExitsOne()
    {
        var path = Write("broken.json", """
            { "policy": "policy.json", "until": "tomorrow",
              "events": [
                { "at": "2026-11-21T02:00:00-06:00", "fax": {} },
                { "phone": { "callId": "c1", "from": "+13125550101" } },
                { "at": "2026-11-21T02:20:00-06:00", "ack": { "ticket": "#1" } },
                { "at": "2026-11-21T02:30:00-06:00", "ack": { "ticket": "#1", "by": "bob" }, "reply": { "ticket": "#1", "by": "bob" } } ] }
            """);

        var (code, output, error) = Run("simulate", path);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
        [
            $"{path}: until: \"tomorrow\" is not an ISO 8601 date-time with an offset (e.g. 2026-11-21T02:00:00-06:00)",
            $"{path}: events[0].fax: not an event kind (use email, chat, phone, ack, approve, decline, reply, status, severity, csat)",
            $"{path}: events[1].at: required (ISO 8601 with an offset)",
            $"{path}: events[2].ack.by: required",
            $"{path}: events[3]: names 2 event kinds; one event does one thing",
        ], error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Simulate_UnpairedSurrogateInAnEvent_NamesItsPathAndExitsOne()
    {
        var path = Write("surrogate.json", """
            { "policy": "policy.json",
              "events": [ { "at": "2026-11-21T02:00:00-06:00", "chat": { "conversationId": "c1", "text": "down \udc00" } } ] }
            """);

        var (code, output, error) = Run("simulate", path);

        Assert.Equal((1, ""), (code, output));
        Assert.Equal($"{path}: events[0].chat.text: has an unpaired surrogate (a \\uD800-\\uDFFF escape without its partner): not Unicode text\n", error);
    }

    [Fact]
    public void Simulate_AliasOfTicketNotYetOpened_SaysWhichEventAndExitsOne()
    {
        File.Copy(RepositoryFiles.PathOf("samples/policy.json"), Path.Combine(scratch, "policy.json"));
        var path = Write("early-ack.json", """
            { "policy": "policy.json",
              "events": [ { "at": "2026-11-21T02:00:00-06:00", "ack": { "ticket": "#1", "by": "bob" } } ] }
            """);

        var (code, _, error) = Run("simulate", path);

        Assert.Equal(1, code);
        Assert.Contains("events[0].ack.ticket: #1 does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_PolicyWithOnlyWarnings_RunsPagesByOtherChannelsAndRecordsTheSkip()
    {
        // The night page with Alice, who is on call, lacking a phone: a warning, not an error.
        var policy = Write("policy.json", RepositoryFiles.Read("samples/policy.json")
            .Replace("\"phone\": \"+13125550001\",", "", StringComparison.Ordinal));
        var scenario = RepositoryFiles.PathOf("samples/scenarios/night-page.scenario.json");

        var (code, output, error) = Run("simulate", scenario, "--policy", policy);

        // The warnings go to stderr, so stdout stays the timeline.
        Assert.True(code == 0, error);
        var warnings = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.StartsWith($"warning: {policy}: escalation.chains.page.steps[", w, StringComparison.Ordinal));
        var pages = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(l => (string?)l["purpose"] == "page")
            .Select(l => $"{l["type"]} {l["to"]} {l["via"]} {l["reason"]}".TrimEnd())
            .ToList();
        Assert.Equal(["notify alice teams", "notify.skipped alice sms no phone"], pages);
    }

    [Fact]
    public void Simulate_MissingScenarioFile_ExitsOne()
    {
        var (code, _, error) = Run("simulate", Path.Combine(scratch, "nope.json"));

        Assert.Equal(1, code);
        Assert.Contains("no such file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_NoScenarioArgument_IsAUsageError()
    {
        Assert.Equal(2, Run("simulate").Code);
    }

    private static bool Matches(JsonObject expected, JsonObject actual) => expected.All(field => field.Key == "at"
        ? OffsetDateTimePattern.ExtendedIso.Parse((string)field.Value!).Value.ToInstant()
            == OffsetDateTimePattern.ExtendedIso.Parse((string)actual["at"]!).Value.ToInstant()
        : JsonNode.DeepEquals(field.Value, actual[field.Key]));

    private string Write(string name, string content)
    {
        var path = Path.Combine(scratch, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = Program.Run(args, output, error);
        return (code, output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), error.ToString());
    }
}
