using System.Text.RegularExpressions;

namespace SupportHub.Intake;

/// <summary>CONTRACT.md's severity rules per channel.</summary>
public static partial class SeverityRules
{
    [GeneratedRegex(@"\[(?:sev\s?([1-4])|p([1-3]))\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectTag();

    /// <summary>A <c>[Sev1]</c>…<c>[Sev4]</c> or <c>[P1]</c>…<c>[P3]</c> tag in an email subject; null when there is none.</summary>
    public static int? FromSubject(string? subject)
    {
        var match = SubjectTag().Match(subject ?? "");
        if (!match.Success)
        {
            return null;
        }
        return int.Parse(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The IVR menu choice: <c>emergency</c> means 1, anything else 3; an explicit severity wins.</summary>
    public static int FromPhone(string? selection, int? severity) =>
        severity ?? (string.Equals(selection, "emergency", StringComparison.OrdinalIgnoreCase) ? 1 : 3);
}
