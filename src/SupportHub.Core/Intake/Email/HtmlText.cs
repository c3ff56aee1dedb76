using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace SupportHub.Intake.Email;

/// <summary>
/// Plain text from an HTML email body, read with AngleSharp's HTML5 parser (the same tree a browser
/// builds, so unclosed tags and stray markup end where a person would see them end): scripts,
/// styles, the head and comments go; block elements (p, div, br, li, headings, table rows) become
/// line breaks; text inside <c>blockquote</c> gets a <c>&gt; </c> prefix so the reply rules
/// (<see cref="ReplyText"/>) recognise it as quoted. The parser is configured with no loader and no
/// scripting: nothing is fetched or run.
/// </summary>
public static partial class HtmlText
{
    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "address",
    };

    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "script", "style", "head", "title", "noscript", "template" };

    /// <summary>
    /// The containers mail clients put the quoted conversation in (a reply's own text is outside
    /// them): Gmail's <c>gmail_quote</c> (its attribution line inside), Apple Mail's and Thunderbird's
    /// <c>blockquote type=cite</c> with Thunderbird's <c>moz-cite-prefix</c> attribution before it,
    /// Yahoo's <c>yahoo_quoted</c>.
    /// </summary>
    private const string QuoteContainers = "div.gmail_quote, div.gmail_quote_container, blockquote[type=cite], .yahoo_quoted, div.moz-cite-prefix";

    /// <summary>
    /// Outlook on the web and new Outlook start the quoted message at <c>#appendonsend</c> or
    /// <c>#divRplyFwdMsg</c> (with an <c>hr</c> before it; <c>x_</c>-prefixed when quoted again):
    /// everything from there to the end of its parent is the quote.
    /// </summary>
    private const string QuoteStarts = "#appendonsend, #divRplyFwdMsg, #x_appendonsend, #x_divRplyFwdMsg";

    [GeneratedRegex(@"[ \t\f\v\u00a0]+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\n{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex BlankLines();

    /// <summary>The whole body as text, quotes marked with <c>&gt; </c>.</summary>
    public static string ToText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        return ToText(Parse(html));
    }

    /// <summary>The body as text without the clients' quote containers: what the sender wrote in this message.</summary>
    public static string ToTextWithoutQuotes(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var document = Parse(html);
        foreach (var start in document.QuerySelectorAll(QuoteStarts).ToList())
        {
            if (start.Parent is null)
            {
                continue;
            }
            if (start.PreviousElementSibling is { LocalName: "hr" } rule)
            {
                rule.Remove();
            }
            while (start.NextSibling is { } after)
            {
                after.RemoveFromParent();
            }
            start.Remove();
        }
        foreach (var quote in document.QuerySelectorAll(QuoteContainers).ToList())
        {
            quote.Remove();
        }
        return ToText(document);
    }

    private static IHtmlDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    private static string ToText(IHtmlDocument document)
    {
        var output = new StringBuilder();
        var quoteDepth = 0;
        // Depth first without recursion: a message may nest elements far deeper than a stack allows.
        var pending = new Stack<(INode Node, bool Closing)>();
        pending.Push((document.DocumentElement, false));
        while (pending.Count > 0)
        {
            var (node, closing) = pending.Pop();
            if (node is IText text)
            {
                AppendText(output, text.Data, quoteDepth);
                continue;
            }
            if (node is not IElement element)
            {
                continue;
            }
            var name = element.LocalName;
            if (Dropped.Contains(name))
            {
                continue;
            }
            if (name == "blockquote")
            {
                quoteDepth = Math.Max(0, quoteDepth + (closing ? -1 : 1));
            }
            if (Blocks.Contains(name) && !(closing && name is "br" or "hr"))
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
            if (!closing)
            {
                pending.Push((element, true));
                for (var i = element.ChildNodes.Length - 1; i >= 0; i--)
                {
                    pending.Push((element.ChildNodes[i], false));
                }
            }
        }

        var lines = output.ToString().Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        var result = string.Join('\n', lines);
        return BlankLines().Replace(result, "\n\n").Trim('\n');
    }

    private static void AppendText(StringBuilder output, string raw, int quoteDepth)
    {
        var text = raw.Replace('\r', ' ').Replace('\n', ' ');
        if (string.IsNullOrWhiteSpace(text))
        {
            // Layout whitespace between tags: a space within a line, nothing at a line's start.
            if (text.Length > 0 && output.Length > 0 && output[^1] != '\n')
            {
                output.Append(' ');
            }
            return;
        }
        if (quoteDepth > 0 && (output.Length == 0 || output[^1] == '\n'))
        {
            output.Append(Prefix(quoteDepth));
        }
        output.Append(text);
    }

    private static string Prefix(int depth) => depth == 0 ? "" : string.Concat(Enumerable.Repeat("> ", depth));
}
