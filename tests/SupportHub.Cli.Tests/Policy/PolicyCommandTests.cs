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
    public void Check_NotJson_ReportsWhereAndExitsOne()
    {
        var path = Write("notjson.json", "{ \"organization\": ");

        var (code, output, _) = Run("policy", "check", path);

        Assert.Equal(1, code);
        Assert.StartsWith("$: not valid JSON at line 1, position 19: ", output, StringComparison.Ordinal);
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
    [InlineData("policy", "check", "a.json", "--strict")]
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
