using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SupportHub.Cli.Simulate;

/// <summary>
/// <c>supporthub simulate SCENARIO.json [--policy FILE]</c>: runs a scenario through the real
/// deciders on a virtual clock and prints the JSON Lines timeline (CONTRACT.md).
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Lines keep <c>+</c> and <c>&lt;</c> as written: the timeline is read by people and by jq.</summary>
    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var scenario = new Argument<string>("SCENARIO") { Description = "The scenario file (JSON): policy, until, events." };
        var policy = new Option<string?>("--policy") { Description = "The policy file; overrides the scenario's \"policy\"." };
        var stats = new Option<bool>("--stats") { Description = "Print tickets, decisions and elapsed time to stderr when done." };
        var command = new Command("simulate", "Run a scenario through the real deciders on a virtual clock; print the timeline as JSON Lines.")
        {
            scenario, policy, stats,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(scenario), parse.GetValue(policy), parse.GetValue(stats),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string scenarioPath, string? policyPath, bool stats, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await File.ReadAllTextAsync(scenarioPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await error.WriteLineAsync($"supporthub: cannot read scenario file \"{scenarioPath}\": {(e is FileNotFoundException ? "no such file" : e.Message)}");
            return ExitCodes.InvalidInput;
        }
        var problems = new List<string>();
        var scenario = Scenario.Parse(json, problems);
        // The events hold what they need; the text (78 MB for a month of 100,000 tickets) would
        // otherwise stay alive in this method's state until the run ends.
        json = "";
        if (scenario is null)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"{scenarioPath}: {problem}");
            }
            return ExitCodes.InvalidInput;
        }
        var resolvedPolicy = policyPath
            ?? (scenario.PolicyPath is { } relative ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(scenarioPath))!, relative) : null);
        if (resolvedPolicy is null)
        {
            await error.WriteLineAsync($"{scenarioPath}: policy: required (in the scenario or as --policy FILE)");
            return ExitCodes.InvalidInput;
        }
        if (PolicyFile.ReadValid(resolvedPolicy, error) is not { } policy)
        {
            return ExitCodes.InvalidInput;
        }

        // Without "until" the run goes on for 31 days after the last event: long enough for every
        // lifecycle timer of the sample policies (auto-solve, reopen window, survey).
        var until = scenario.Until ?? (scenario.Events.Count == 0 ? NodaTime.Instant.MinValue : scenario.Events[^1].At + NodaTime.Duration.FromDays(31));
        var stopwatch = Stopwatch.StartNew();
        var lines = new LineWriter(output);
        var run = new ScenarioRun(policy, lines.Write);
        try
        {
            await run.RunAsync(scenario.Events, until, cancellationToken);
        }
        catch (ScenarioException e)
        {
            await output.FlushAsync(cancellationToken);
            await error.WriteLineAsync($"{scenarioPath}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        await output.FlushAsync(cancellationToken);
        if (stats)
        {
            await error.WriteLineAsync(
                $"simulated {run.TicketCount} tickets, {run.Decisions} decisions, {run.Notifications} notifications in {stopwatch.Elapsed.TotalSeconds:0.00} s");
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes each line as <c>line.ToJsonString(LineOptions)</c> would, through one reused buffer
    /// instead of a string per line (a month's timeline has millions of lines).
    /// </summary>
    private sealed class LineWriter(TextWriter output)
    {
        private readonly ArrayBufferWriter<byte> _utf8 = new(1024);
        private readonly Utf8JsonWriter _json = new(Stream.Null, new JsonWriterOptions { Encoder = LineOptions.Encoder });
        private char[] _chars = new char[1024];

        public void Write(JsonObject line)
        {
            _utf8.ResetWrittenCount();
            _json.Reset(_utf8);
            line.WriteTo(_json, LineOptions);
            _json.Flush();
            var bytes = _utf8.WrittenSpan;
            if (_chars.Length < bytes.Length)
            {
                _chars = new char[bytes.Length * 2];
            }
            var count = Encoding.UTF8.GetChars(bytes, _chars);
            output.Write(_chars.AsSpan(0, count));
            output.WriteLine();
        }
    }
}
