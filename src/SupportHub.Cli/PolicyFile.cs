using SupportHub.Policy;

namespace SupportHub.Cli;

/// <summary>
/// Reads a policy file for any verb. <see cref="Read"/> is for <c>policy check</c>, which prints the
/// errors and warnings as its output; <see cref="ReadValid"/> is for verbs that need a policy to work
/// with (<c>sla</c>, <c>oncall</c>, <c>simulate</c>): an error is invalid input, a warning is shown and the verb runs.
/// </summary>
internal static class PolicyFile
{
    /// <summary>
    /// The file's load result, or null when the file cannot be read; then a one-line reason has
    /// been written to <paramref name="error"/> and the verb should exit <see cref="ExitCodes.InvalidInput"/>.
    /// </summary>
    public static PolicyLoadResult? Read(string path, TextWriter error)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error.WriteLine($"supporthub: cannot read policy file \"{path}\": {Reason(e)}");
            return null;
        }
        return PolicyLoader.Load(json);
    }

    /// <summary>
    /// The loaded policy, or null when the file cannot be read or has errors; then the reason, or
    /// every error prefixed with the file name, has been written to <paramref name="error"/>. A
    /// policy with only warnings loads (CONTRACT.md: every verb runs it); its warnings are written
    /// to <paramref name="error"/> as <c>warning: FILE: path: message</c>, so stdout stays the verb's output.
    /// </summary>
    public static SupportPolicy? ReadValid(string path, TextWriter error)
    {
        if (Read(path, error) is not { } result)
        {
            return null;
        }
        foreach (var problem in result.Errors)
        {
            error.WriteLine($"{path}: {problem}");
        }
        foreach (var warning in result.Warnings)
        {
            error.WriteLine($"warning: {path}: {warning}");
        }
        return result.Policy;
    }

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
