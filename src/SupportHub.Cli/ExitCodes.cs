namespace SupportHub.Cli;

/// <summary>What every <c>supporthub</c> verb exits with (CONTRACT.md).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The input (a policy, a scenario, a value) is wrong; a message says why.</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself is wrong: missing argument, unknown verb or option.</summary>
    public const int Usage = 2;
}
