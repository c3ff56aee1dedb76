using SupportHub.Policy;

namespace SupportHub.Functions.Hosting;

/// <summary>The policy file named by <c>SupportHub:Policy</c>, read with Core's <see cref="PolicyLoader"/>.</summary>
public static class PolicyFile
{
    /// <summary>
    /// Every error of the file (<c>path: message</c>, or why it cannot be read); empty when it loads.
    /// Warnings are not here: a policy with only warnings runs, and <see cref="StartupReport"/> logs them.
    /// </summary>
    public static IReadOnlyList<string> Errors(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"cannot read the file: {e.Message}"];
        }

        return PolicyLoader.Load(json).Errors.Select(p => p.ToString()).ToList();
    }

    /// <summary>The load result, with the policy and its warnings; throws listing every error when it
    /// does not load (validation at start has normally reported them already).</summary>
    public static PolicyLoadResult Read(string path)
    {
        var result = PolicyLoader.Load(File.ReadAllText(path));
        return result.IsValid ? result : throw new InvalidOperationException(
            $"Policy '{path}' does not load:{Environment.NewLine}{string.Join(Environment.NewLine, result.Errors)}");
    }

    /// <summary>The policy, warnings or not; throws listing every error when it does not load.</summary>
    public static SupportPolicy Load(string path) => Read(path).Policy!;
}
