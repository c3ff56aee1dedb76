using System.CommandLine;
using System.CommandLine.Invocation;
using SupportHub.Cli.Policy;
using SupportHub.Cli.Simulate;

namespace SupportHub.Cli;

/// <summary>The <c>supporthub</c> command line (CONTRACT.md, "CLI").</summary>
public static class Program
{
    /// <summary>Every verb; a new one is one more line here.</summary>
    internal static RootCommand CreateRoot() => new("SupportHub: check policies, compute SLA clocks, see who is on call, simulate scenarios.")
    {
        PolicyCommand.Create(),
        Sla.SlaCommand.Create(),
        OnCall.OncallCommand.Create(),
        SimulateCommand.Create(),
        DeadLetters.DeadLettersCommand.Create(),
    };

    public static int Main(string[] args)
    {
        // Console.Out flushes on every line: a simulation prints hundreds of thousands of lines, so
        // stdout is buffered here and flushed once the verb is done.
        using var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        var code = Run(args, output, Console.Error);
        output.Flush();
        return code;
    }

    /// <summary>Runs one command line with the given writers; tests call it in-process.</summary>
    internal static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var parse = CreateRoot().Parse(args);
        // System.CommandLine exits 1 on a parse error; the contract keeps 1 for invalid input and
        // wants 2 for usage errors.
        if (parse.Action is ParseErrorAction)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine($"supporthub: {problem.Message}");
            }
            error.WriteLine("Run 'supporthub --help' for usage.");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
