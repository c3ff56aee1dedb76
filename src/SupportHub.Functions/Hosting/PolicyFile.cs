using SupportHub.Policy;

namespace SupportHub.Functions.Hosting;

/// <summary>The policy file named by <c>SupportHub:Policy</c>, read with Core's <see cref="PolicyLoader"/>.</summary>
public static class PolicyFile
{
    /// <summary>Every problem of the file, as <c>path: message</c> lines; empty when it loads.</summary>
    public static IReadOnlyList<string> Problems(string path) =>
        Read(path).Problems.Select(p => p.ToString()).ToList();

    /// <summary>The policy; throws listing every problem when it does not load (validation at start has
    /// normally reported them already).</summary>
    public static SupportPolicy Load(string path)
    {
        var result = Read(path);
        return result.Policy ?? throw new InvalidOperationException(
            $"Policy '{path}' does not load:{Environment.NewLine}{string.Join(Environment.NewLine, result.Problems)}");
    }

    private static PolicyLoadResult Read(string path) => PolicyLoader.Load(File.ReadAllText(path));
}
