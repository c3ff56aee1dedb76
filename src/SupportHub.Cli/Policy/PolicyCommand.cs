using System.CommandLine;

namespace SupportHub.Cli.Policy;

/// <summary><c>supporthub policy check FILE</c>: validates a policy file (CONTRACT.md).</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (JSON, comments allowed) to validate." };
        var check = new Command("check", "Validate a policy file: print \"ok\", or one line per problem as \"path: message\".")
        {
            file,
        };
        check.SetAction(parse => Check(parse.GetRequiredValue(file), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return new Command("policy", "Work with policy files.") { check };
    }

    /// <summary>Problems are the output of this verb, so they go to stdout; only an unreadable file goes to stderr.</summary>
    private static int Check(string path, TextWriter output, TextWriter error)
    {
        if (PolicyFile.Read(path, error) is not { } result)
        {
            return ExitCodes.InvalidInput;
        }
        if (result.IsValid)
        {
            output.WriteLine("ok");
            return ExitCodes.Ok;
        }
        foreach (var problem in result.Problems)
        {
            output.WriteLine(problem);
        }
        return ExitCodes.InvalidInput;
    }
}
