using System.Text.RegularExpressions;
using SupportHub.Policy;

namespace SupportHub.Intake;

/// <summary>
/// Which of the policy's <c>intake.requiredFields</c> a new request does not carry (seed 002: "the
/// hub asks for what is missing"). Simple, predictable heuristics over the subject and the new text,
/// erring towards asking:
/// <list type="bullet">
/// <item>any field counts as present with a labelled line: <c>Product: Payments</c>, <c>Version: 4.2</c>,
/// <c>OS: Windows 11</c> (also <c>Operating system:</c>, <c>Description:</c>);</item>
/// <item><c>version</c> also from a version number: "version 4.2", "v4.2.1", "build 1234" or any
/// three-part number such as 10.0.1 (not a four-part IP address);</item>
/// <item><c>os</c> also from a recognisable operating system name (Windows, macOS, Linux,
/// Ubuntu, Android, iOS…);</item>
/// <item><c>description</c> is present when the text, without labelled lines, has at least
/// <see cref="DescriptionWords"/> words.</item>
/// </list>
/// A product has no such fallback: the policy lists no products, so only a label says which one.
/// </summary>
public static partial class RequiredFields
{
    public const int DescriptionWords = 3;

    [GeneratedRegex(@"^\s*(?<label>[A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(?<value>\S.*)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LabelledLine();

    [GeneratedRegex(@"\b(?:version|ver\.?|release|build|v)\s*\d+(?:\.\d+)*\b|(?<![\d.])\d+\.\d+\.\d+(?![\d.])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionNumber();

    [GeneratedRegex(@"\b(?:windows(?:\s+(?:server|xp|vista|7|8|8\.1|10|11))?|mac\s?os(?:\s?x)?|os\s?x|linux|ubuntu|debian|red\s?hat|rhel|centos|fedora|suse|alpine|android|ios|ipados|chrome\s?os|freebsd)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OperatingSystem();

    [GeneratedRegex(@"\w+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    /// <summary>The labels that name each field, lower-case.</summary>
    private static readonly Dictionary<string, string[]> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["product"] = ["product", "application", "app", "module", "software"],
        ["version"] = ["version", "product version", "release", "build"],
        ["os"] = ["os", "operating system", "platform"],
        ["description"] = ["description", "problem", "issue", "details"],
    };

    /// <summary>The missing fields in the policy's order; empty when the policy asks for none or all are there.</summary>
    public static IReadOnlyList<string> Missing(IntakePolicy? intake, string subject, string text)
    {
        if (intake is null || intake.RequiredFields.Count == 0)
        {
            return [];
        }
        var all = $"{subject}\n{text}";
        var labelled = LabelledLine().Matches(all)
            .Select(m => m.Groups["label"].Value.Trim().ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
        return intake.RequiredFields.Where(field => !Present(field, labelled, all, text)).ToList();
    }

    private static bool Present(string field, HashSet<string> labelled, string all, string text)
    {
        var labels = Labels.TryGetValue(field, out var known) ? known : [field.ToLowerInvariant()];
        if (labels.Any(labelled.Contains))
        {
            return true;
        }
        return field.ToLowerInvariant() switch
        {
            "version" => VersionNumber().IsMatch(all),
            "os" => OperatingSystem().IsMatch(all),
            "description" => Word().Count(LabelledLine().Replace(text, "")) >= DescriptionWords,
            _ => false,
        };
    }
}
