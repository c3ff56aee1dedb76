using System.CommandLine;

namespace SupportHub.Cli.Policy;

/// <summary><c>supporthub policy check FILE [--strict]</c>: validates a policy file (CONTRACT.md).</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (JSON, comments allowed) to validate." };
        var strict = new Option<bool>("--strict") { Description = "Exit 1 on warnings too, not only on errors." };
        var check = new Command(
            "check",
            "Validate a policy file: print \"ok\", or one line per error as \"path: message\" (exit 1) and per warning as "
            + "\"warning: path: message\" (exit 0; 1 with --strict). Warnings are what the hub runs with although something "
            + "may not reach someone.")
        {
            file,
            strict,
        };
        check.SetAction(parse => Check(
            parse.GetRequiredValue(file), parse.GetValue(strict), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return new Command("policy", "Work with policy files.") { check };
    }

    /// <summary>Errors and warnings are the output of this verb, so they go to stdout; only an unreadable file goes to stderr.</summary>
    private static int Check(string path, bool strict, TextWriter output, TextWriter error)
    {
        if (PolicyFile.Read(path, error) is not { } result)
        {
            return ExitCodes.InvalidInput;
        }
        if (result.Errors.Count == 0 && result.Warnings.Count == 0)
        {
            output.WriteLine("ok");
            return ExitCodes.Ok;
        }
        foreach (var problem in result.Errors)
        {
            output.WriteLine(problem);
        }
        foreach (var warning in result.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }
        // Errors: the hub cannot run this policy. Warnings: it can, so they fail the check only when asked to.
        var fails = !result.IsValid || (strict && result.Warnings.Count > 0);
        return fails ? ExitCodes.InvalidInput : ExitCodes.Ok;
    }
}
