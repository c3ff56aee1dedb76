using SupportHub.Channels.Email;

namespace SupportHub.Core.Tests.Intake.Email;

// The corpus (Corpus/*.eml): messages written the way the mail clients people use write them, each
// with a .expected beside it saying what a person would make of it — the new text of a reply, the
// whole text of a forward, why an automatic message is automatic, what a delivery report reports.
// Each runs through the real path: SendGrid's raw mode (the whole message in `email`), MimeKit, then
// intake's rules. The .expected format: `automatic: <reason|none>`, `report: <action status recipient
// original-id|none>`, optionally `full-contains: <text the full text keeps and the new text does not>`,
// a `---` line, then the expected new text (empty: not checked, for delivery reports).

public sealed class MailCorpusTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "Intake", "Email", "Corpus");

    public static TheoryData<string> Cases() => [.. Names()];

    private static IEnumerable<string> Names() => Directory.GetFiles(Corpus, "*.eml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_CorpusMessage_IsTrimmedAndClassifiedAsAPersonWould(string name)
    {
        var expected = Expectation.Read(Path.Combine(Corpus, name + ".expected"));

        var parsed = SendGridInboundParse.Parse(new InboundParseForm(
            new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase) { ["email"] = File.ReadAllBytes(Path.Combine(Corpus, name + ".eml")) }, []));

        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        var email = parsed.Value!;
        if (expected.Text.Length > 0)
        {
            Assert.Equal(expected.Text, email.Text);
        }
        Assert.Equal(expected.Automatic, email.Automatic);
        var report = email.DeliveryReport is { Main: { } main } r ? $"{main.Action} {main.Status} {main.Recipient} {r.OriginalMessageId}" : null;
        Assert.Equal(expected.Report, report);
        if (expected.FullContains is { } kept)
        {
            Assert.Contains(kept, email.FullText, StringComparison.Ordinal);
            Assert.DoesNotContain(kept, email.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Corpus_CoversTheClientsAndKindsOfMailTheIssueNames()
    {
        // Issue 23's "Done when": a case for each, so a case removed is noticed.
        string[] required =
        [
            "outlook-2003-en", "outlook-2010-en", "outlook-2016-en", "outlook-2016-de", "outlook-2016-fr", "outlook-2010-de-original",
            "outlook-fr-message-origine", "windows-mail", "gmail-en", "gmail-de-html-only", "apple-mail", "thunderbird-top",
            "thunderbird-bottom", "thunderbird-bottom-html-only", "yahoo-classic", "yahoo-html-only", "attribution-de", "attribution-fr",
            "attribution-es", "attribution-it", "attribution-nl", "forward-gmail", "forward-outlook-de", "bounce-postfix", "bounce-exchange",
            "ooo-auto-submitted", "ooo-exchange", "ooo-precedence-bulk", "list-mail", "list-id-only", "mailer-daemon-plain",
        ];

        Assert.Empty(required.Except(Names()));
    }

    private sealed record Expectation(string? Automatic, string? Report, string? FullContains, string Text)
    {
        public static Expectation Read(string path)
        {
            var lines = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            var separator = Array.IndexOf(lines, "---");
            var fields = lines[..separator].Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
            string? Value(string key) => fields.TryGetValue(key, out var v) && v != "none" ? v : null;
            return new Expectation(Value("automatic"), Value("report"), Value("full-contains"),
                string.Join('\n', lines[(separator + 1)..]).TrimEnd('\n'));
        }
    }
}
