using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SupportHub.Notifications;

namespace SupportHub.Core.Tests.Notifications;

public class HeaderTextTests
{
    [Theory]
    // The attack: a customer's subject or name that would end the header and start a Bcc.
    [InlineData("Export fails\r\nBcc: x@evil.example", "Export fails Bcc: x@evil.example")]
    [InlineData("Dana\nBcc: x@evil.example", "Dana Bcc: x@evil.example")]
    // A bare CR ends a header for some relays too.
    [InlineData("Export fails\rBcc: x@evil.example", "Export fails Bcc: x@evil.example")]
    // Breaks separate words: replaced, never dropped (no "failsBcc"); a run of them is one space.
    [InlineData("a \r\n\t b", "a b")]
    [InlineData("a\tb", "a b")]
    [InlineData("a\vb\fc", "a b c")]
    // Unicode's own line breaks: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
    [InlineData("a\u0085b", "a b")]
    [InlineData("a\u2028b\u2029c", "a b c")]
    // Other controls are not text: NUL, ESC (terminal escapes), DEL, C1's CSI.
    [InlineData("a\u0000b", "ab")]
    [InlineData("a\u001B[31mb", "a[31mb")]
    [InlineData("a\u007Fb", "ab")]
    [InlineData("a\u009Bb", "ab")]
    // Bidi overrides reorder what follows: "invoice<RLO>fdp.exe" reads "invoiceexe.pdf".
    [InlineData("invoice\u202Efdp.exe", "invoicefdp.exe")]
    [InlineData("\u202Ax\u202C \u2066y\u2069", "x y")]
    // What right-to-left and emoji text needs stays: RLM, ZWJ, accents.
    [InlineData("\u05E9\u05DC\u05D5\u05DD\u200F (Sam)", "\u05E9\u05DC\u05D5\u05DD\u200F (Sam)")]
    [InlineData("👩\u200D💻 Café — Ré: ünïcödé", "👩\u200D💻 Café — Ré: ünïcödé")]
    // A header is one line: outer space goes, inner runs are one space.
    [InlineData("  [#1001]   Site down  ", "[#1001] Site down")]
    [InlineData("\r\n\t", "")]
    [InlineData("", "")]
    public void Clean_Case_GivesOneLineOfText(string text, string expected)
    {
        Assert.Equal(expected, HeaderText.Clean(text));
    }

    [Fact]
    public void Clean_LoneSurrogate_BecomesTheReplacementCharacter()
    {
        // It cannot be encoded (UTF-8, JSON). Built in code: an attribute's string cannot carry one.
        Assert.Equal("a\uFFFDb", HeaderText.Clean(string.Concat("a", '\uD800'.ToString(), "b")));
        Assert.Equal("a\uFFFD", HeaderText.Clean(string.Concat("a", '\uDC00'.ToString())));
        Assert.Equal("a\uFFFD\uD83D\uDC4D", HeaderText.Clean(string.Concat("a", '\uDC00'.ToString(), "\uD83D\uDC4D")));
    }

    [Fact]
    public void Clean_Null_IsEmpty()
    {
        Assert.Equal("", HeaderText.Clean(null));
    }

    [Theory]
    // Cut with "…" inside the limit, and never through a character: not inside a surrogate pair
    // (the emoji), not between a letter and its combining accent.
    [InlineData("abcdefghijkl", 10, "abcdefghi…")]
    [InlineData("abcdefghij", 10, "abcdefghij")]
    [InlineData("aaaaaaa👍b", 9, "aaaaaaa…")]
    [InlineData("aaaaaaae\u0301b", 9, "aaaaaaa…")]
    // No space before the ellipsis.
    [InlineData("abc def ghi", 5, "abc…")]
    public void Clean_Longer_IsCutAtATextElement(string text, int maxLength, string expected)
    {
        Assert.Equal(expected, HeaderText.Clean(text, maxLength));
    }

    [Fact]
    public void Clean_DefaultLimit_IsTheSubjectLength()
    {
        var cut = HeaderText.Clean(new string('x', 500));

        Assert.Equal(HeaderText.SubjectLength, cut.Length);
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_AnyText_IsOneLineOfPrintableTextWithinTheLimitAndStable()
    {
        // Strings drawn mostly from the characters the rule is about.
        var characters = Gen.Elements(
            '\r', '\n', '\t', '\v', '\f', ' ', '\u0000', '\u001B', '\u007F', '\u0085', '\u009B', '\u2028', '\u2029',
            '\u202A', '\u202E', '\u2066', '\u2069', '\u200F', '\u200D', '\uD83D', '\uDC4D', '\u0301', 'a', 'B', ':', 'é', '\u05E9');
        var texts = from length in Gen.Choose(0, 60)
                    from chars in Gen.ArrayOf(characters, length)
                    from max in Gen.Choose(1, 40)
                    select (Text: new string(chars), Max: max);

        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(Arb.From(texts), c =>
        {
            var clean = HeaderText.Clean(c.Text, c.Max);
            return clean.Length <= c.Max
                && !clean.Any(ch => char.IsControl(ch) || ch is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
                && clean == clean.Trim()
                && !clean.Contains("  ", StringComparison.Ordinal)
                && Encodable(clean)
                && HeaderText.Clean(clean, c.Max) == clean;
        }));
    }

    // Every surrogate is paired: the text encodes to UTF-8 (a strict encoder throws otherwise) and back unchanged.
    private static bool Encodable(string text)
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        return strict.GetString(strict.GetBytes(text)) == text;
    }
}
