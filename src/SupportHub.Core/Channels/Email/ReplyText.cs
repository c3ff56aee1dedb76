using System.Text.RegularExpressions;

namespace SupportHub.Channels.Email;

/// <summary>
/// The new part of an email: what the sender wrote, without the quoted conversation below it or
/// their signature. The rules, in the order a line is checked:
/// <list type="bullet">
/// <item>a signature delimiter (<c>-- </c>, or <c>--</c> with its space stripped) ends the new text;</item>
/// <item>an attribution line ("On Mon, 21 Nov 2026, Dana wrote:"), possibly wrapped over two lines, ends it;</item>
/// <item>an Outlook separator ("-----Original Message-----", or a line of underscores followed by
/// "From:") ends it;</item>
/// <item>lines starting with <c>&gt;</c> are quoted and dropped wherever they are, so answers written
/// between quoted lines survive.</item>
/// </list>
/// When nothing is left (a message that is only a quote or a forward), the whole text is kept, so
/// nothing the sender sent is silently lost.
/// </summary>
public static partial class ReplyText
{
    [GeneratedRegex(@"^-{2,}\s*(Original Message|Forwarded message)\s*-{2,}\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^On\s.+wrote:\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Attribution();

    [GeneratedRegex(@"^_{5,}\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Underscores();

    public static string NewText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var kept = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (line == "-- " || line == "--"
                || OriginalMessage().IsMatch(trimmed)
                || Attribution().IsMatch(trimmed)
                || (trimmed.StartsWith("On ", StringComparison.OrdinalIgnoreCase) && i + 1 < lines.Length
                    && Attribution().IsMatch(trimmed + " " + lines[i + 1].Trim()))
                || (Underscores().IsMatch(trimmed) && i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("From:", StringComparison.OrdinalIgnoreCase)))
            {
                break;
            }
            if (line.TrimStart().StartsWith('>'))
            {
                continue;
            }
            kept.Add(line.TrimEnd());
        }
        var result = string.Join('\n', kept).Trim('\n', ' ');
        return result.Length == 0 ? text.Trim() : result;
    }
}
