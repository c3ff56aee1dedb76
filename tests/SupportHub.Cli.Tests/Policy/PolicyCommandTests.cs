using System.Diagnostics;

namespace SupportHub.Cli.Tests.Policy;

public sealed class PolicyCommandTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("supporthub-policy-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Theory]
    [InlineData("samples/policy.json")]
    [InlineData("samples/policy-mountain.json")]
    [InlineData("samples/policy-gmt5.json")]
    public void Check_Sample_PrintsOkAndExitsZero(string sample)
    {
        var (code, output, error) = Run("policy", "check", RepositoryFiles.PathOf(sample));

        Assert.Equal((0, "ok\n", ""), (code, output, error));
    }

    [Fact]
    public void Check_BrokenPolicy_PrintsOneLinePerProblemAndExitsOne()
    {
        var broken = RepositoryFiles.Read("samples/policy.json")
            .Replace("\"response\": \"4bh\"", "\"response\": \"4 hours\"", StringComparison.Ordinal)
            .Replace("\"emergencyHours\": \"always\"", "\"emergencyHour\": \"always\"", StringComparison.Ordinal);
        var path = Write("broken.json", broken);

        var (code, output, error) = Run("policy", "check", path);

        // Problems are the verb's output (stdout); stderr stays empty.
        Assert.Equal(1, code);
        Assert.Equal(
            "tiers.standard.emergencyHour: unknown field; did you mean \"emergencyHours\"?\n"
            + "tiers.standard.targets.2.response: \"4 hours\" is not a duration (use 30m, 4h, 15d, 4bh or 2bd)\n",
            output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Check_OnlyWarnings_PrintsThemAndExitsZero()
    {
        // Carol has no phone, and severity 1 starts no chain: the hub runs this policy, but a page
        // by SMS and an emergency page reach nobody, so check says so without failing.
        var path = Write("warnings.json", WithWarnings());

        var (code, output, error) = Run("policy", "check", path);

        Assert.Equal((0, ""), (code, error));
        Assert.Equal(
            "warning: escalation.chains.page.steps[0].notify[0]: rotation \"primary\" includes \"carol\", who has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded\n"
            + "warning: escalation.chains.page.steps[1].notify[0]: rotation \"secondary\" includes \"carol\", who has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded\n"
            + "warning: escalation.chains.page.steps[2].notify[0]: person \"carol\" has no phone, needed for \"sms\"; the other channels still reach them and the skip is recorded\n"
            + "warning: escalation.onCreate: severity 1 (\"Critical\") is an emergency but starts no chain, so nobody is paged for it; add \"1\": \"<chain>\"\n",
            output);
    }

    [Fact]
    public void Check_OnlyWarningsStrict_PrintsThemAndExitsOne()
    {
        var path = Write("warnings.json", WithWarnings());

        var (code, output, error) = Run("policy", "check", path, "--strict");

        Assert.Equal((1, ""), (code, error));
        Assert.Equal(4, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("warning: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Check_CleanStrict_PrintsOkAndExitsZero()
    {
        var (code, output, error) = Run("policy", "check", "--strict", RepositoryFiles.PathOf("samples/policy.json"));

        Assert.Equal((0, "ok\n", ""), (code, output, error));
    }

    [Fact]
    public void Check_ErrorsAndWarnings_PrintsErrorsThenWarningsAndExitsOne()
    {
        var path = Write("both.json", WithWarnings().Replace("\"response\": \"4bh\"", "\"response\": \"4 hours\"", StringComparison.Ordinal));

        var (code, output, _) = Run("policy", "check", path);

        // Errors first, as always `path: message`; warnings after them, each marked.
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, code);
        Assert.Equal("tiers.standard.targets.2.response: \"4 hours\" is not a duration (use 30m, 4h, 15d, 4bh or 2bd)", lines[0]);
        Assert.Equal(4, lines.Skip(1).Count(l => l.StartsWith("warning: ", StringComparison.Ordinal)));
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void Check_NotJson_ReportsWhereAndExitsOne()
    {
        var path = Write("notjson.json", "{ \"organization\": ");

        var (code, output, _) = Run("policy", "check", path);

        Assert.Equal(1, code);
        Assert.StartsWith("$: not valid JSON at line 1, position 19: ", output, StringComparison.Ordinal);
    }

    // System.Text.Json throws on reading such a string; the check crashed with a stack trace.
    [Fact]
    public void Check_UnpairedSurrogate_NamesItsPathAndExitsOne()
    {
        var path = Write("surrogate.json", RepositoryFiles.Read("samples/policy.json")
            .Replace("\"Example Software\"", "\"Example \\ud800 Software\"", StringComparison.Ordinal));

        var (code, output, error) = Run("policy", "check", path);

        Assert.Equal((1, "organization.name: has an unpaired surrogate (a \\uD800-\\uDFFF escape without its partner): not Unicode text\n", ""),
            (code, output, error));
    }

    [Fact]
    public void Check_MissingFile_SaysSoOnStderrAndExitsOne()
    {
        var path = Path.Combine(scratch, "absent.json");

        var (code, output, error) = Run("policy", "check", path);

        // A file that is not there is invalid input (1), not a usage error (2).
        Assert.Equal((1, ""), (code, output));
        Assert.Equal($"supporthub: cannot read policy file \"{path}\": no such file\n", error);
    }

    [Theory]
    // No verb at all, a verb without its sub-verb, check without FILE, a stray argument, an
    // unknown option, an unknown verb: all usage errors, exit 2 (System.CommandLine alone says 1).
    [InlineData]
    [InlineData("policy")]
    [InlineData("policy", "check")]
    [InlineData("policy", "check", "a.json", "b.json")]
    [InlineData("policy", "check", "a.json", "--strictly")]
    [InlineData("policy", "lint", "a.json")]
    [InlineData("polcy", "check", "a.json")]
    public void Run_UsageError_ExplainsOnStderrAndExitsTwo(params string[] args)
    {
        var (code, output, error) = Run(args);

        Assert.Equal((2, ""), (code, output));
        Assert.StartsWith("supporthub: ", error, StringComparison.Ordinal);
        Assert.EndsWith("Run 'supporthub --help' for usage.\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_ListsThePolicyVerbAndExitsZero()
    {
        var (code, output, _) = Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("policy", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BuiltExecutable_BehavesLikeInProcess()
    {
        // The real process: exit codes and streams as a shell sees them.
        var good = Start("policy", "check", RepositoryFiles.PathOf("samples/policy.json"));
        var usage = Start("policy", "check");

        Assert.Equal((0, "ok\n"), (good.Code, good.Output));
        Assert.Equal(2, usage.Code);
        Assert.Contains("Required argument missing", usage.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BuiltExecutableWarnings_ExitsZeroOrOneWithStrict()
    {
        var path = Write("warnings.json", WithWarnings());

        var lenient = Start("policy", "check", path);
        var strict = Start("policy", "check", "--strict", path);

        Assert.Equal(0, lenient.Code);
        Assert.StartsWith("warning: ", lenient.Output, StringComparison.Ordinal);
        Assert.Equal((1, lenient.Output), (strict.Code, strict.Output));
    }

    /// <summary>The sample policy with carol's phone and severity 1's onCreate chain taken out: warnings only.</summary>
    internal static string WithWarnings()
    {
        var sample = RepositoryFiles.Read("samples/policy.json");
        var edited = sample
            .Replace("\"phone\": \"+13125550003\",", "", StringComparison.Ordinal)
            .Replace("\"onCreate\": { \"1\": \"page\" }", "\"onCreate\": { }", StringComparison.Ordinal);
        // Both edits took: a sample reworded elsewhere must not leave this test checking a clean policy.
        Assert.DoesNotContain("+13125550003", edited, StringComparison.Ordinal);
        Assert.Contains("\"onCreate\": { }", edited, StringComparison.Ordinal);
        return edited;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static (int Code, string Output, string Error) Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "supporthub.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "supporthub did not exit within a minute");
        return (process.ExitCode, output.Result.ReplaceLineEndings("\n"), error);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(scratch, name);
        File.WriteAllText(path, content);
        return path;
    }
}
