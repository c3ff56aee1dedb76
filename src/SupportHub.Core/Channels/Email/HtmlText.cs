using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SupportHub.Channels.Email;

/// <summary>
/// Plain text from an HTML email body, for when a message has no text part: scripts, styles, the
/// head and comments go; block elements (p, div, br, li, headings, table rows) become line breaks;
/// entities are decoded; text inside <c>blockquote</c> gets a <c>&gt; </c> prefix so the reply
/// trimmer recognises it as quoted. Not an HTML parser: a small tokenizer that is good enough for
/// mail and never executes or fetches anything.
/// </summary>
public static partial class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "address",
    };

    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "script", "style", "head", "title", "noscript", "template" };

    [GeneratedRegex(@"[ \t\f\v\u00a0]+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLines();

    public static string ToText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var output = new StringBuilder(html.Length / 2);
        var quoteDepth = 0;
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c != '<')
            {
                var next = html.IndexOf('<', i);
                var end = next < 0 ? html.Length : next;
                AppendText(output, html[i..end], quoteDepth);
                i = end;
                continue;
            }
            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                var close = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = close < 0 ? html.Length : close + 3;
                continue;
            }
            var tagEnd = html.IndexOf('>', i + 1);
            if (tagEnd < 0)
            {
                AppendText(output, html[i..], quoteDepth);
                break;
            }
            var (name, closing) = TagName(html.AsSpan(i + 1, tagEnd - i - 1));
            i = tagEnd + 1;
            if (name.Length == 0)
            {
                continue;
            }
            if (!closing && Dropped.Contains(name))
            {
                // Skip to the matching close tag: their content is code or metadata, never message text.
                var close = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                var closeEnd = close < 0 ? -1 : html.IndexOf('>', close);
                i = closeEnd < 0 ? html.Length : closeEnd + 1;
                continue;
            }
            if (name == "blockquote")
            {
                quoteDepth = Math.Max(0, quoteDepth + (closing ? -1 : 1));
            }
            if (Blocks.Contains(name))
            {
                output.Append('\n');
                if (name == "p" && !closing)
                {
                    output.Append('\n');
                }
                if (name == "li" && !closing)
                {
                    output.Append(Prefix(quoteDepth)).Append("- ");
                }
            }
            else if (name is "td" or "th" && closing)
            {
                output.Append('\t');
            }
        }

        var lines = output.ToString().Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        var text = string.Join('\n', lines);
        return BlankLines().Replace(text, "\n\n").Trim('\n');
    }

    private static void AppendText(StringBuilder output, string raw, int quoteDepth)
    {
        var text = WebUtility.HtmlDecode(raw.Replace('\r', ' ').Replace('\n', ' '));
        if (text.Length == 0)
        {
            return;
        }
        if (quoteDepth > 0 && (output.Length == 0 || output[^1] == '\n'))
        {
            output.Append(Prefix(quoteDepth));
        }
        output.Append(text);
    }

    private static string Prefix(int depth) => depth == 0 ? "" : string.Concat(Enumerable.Repeat("> ", depth));

    private static (string Name, bool Closing) TagName(ReadOnlySpan<char> tag)
    {
        var closing = tag.Length > 0 && tag[0] == '/';
        if (closing)
        {
            tag = tag[1..];
        }
        var end = 0;
        while (end < tag.Length && (char.IsAsciiLetterOrDigit(tag[end]) || tag[end] == '-'))
        {
            end++;
        }
        return (tag[..end].ToString().ToLowerInvariant(), closing);
    }
}
