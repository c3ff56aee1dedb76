using System.Text;
using SupportHub.Channels.Email;
using SupportHub.Intake;

namespace SupportHub.Core.Tests.Channels.Email;

// MIME as MimeKit reads it for the email channel: encoded words, charsets from the code-page
// provider, RFC 2231 file names, nested multiparts. These pin what the hub relies on, through the
// channel's own parse.

public sealed class MimeTests
{
    [Theory]
    // Plain text passes through untouched.
    [InlineData("Payment page error", "Payment page error")]
    // B encoding, UTF-8.
    [InlineData("=?UTF-8?B?UsOpOiBwYWdl?=", "Ré: page")]
    // Q encoding: underscore is a space, =XX a byte, in a legacy charset from the code-page provider.
    [InlineData("=?windows-1252?Q?Caf=E9_=80?=", "Café €")]
    // Whitespace between two adjacent encoded words is dropped (RFC 2047 §6.2)…
    [InlineData("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab")]
    // …but not between an encoded word and ordinary text.
    [InlineData("=?ISO-8859-1?Q?Sam_L=E9e?= <sam@riverton.org>", "Sam Lée <sam@riverton.org>")]
    // A UTF-8 character split across two words (some mailers do this) still decodes.
    [InlineData("=?UTF-8?B?4oA=?= =?UTF-8?B?lA==?=", "—")]
    // Lower-case encoding letter and a language tag (RFC 2231 §5).
    [InlineData("=?utf-8*en?q?hello_world?=", "hello world")]
    public void Parse_EncodedWordsInTheSubject_AreDecoded(string raw, string expected)
    {
        var email = SendGridInboundParseTests.Parse(("from", "dana@acme.gov"), ("subject", raw), ("text", "x"));

        Assert.Equal(expected, email.Subject);
    }

    [Fact]
    public void Parse_RawMessage_FindsTextHtmlAndTheAttachmentNamedByRfc2231()
    {
        var email = SendGridInboundParseTests.Parse(("email", File.ReadAllBytes(Fixture("raw-message.eml"))));

        Assert.Equal("Ré: [#1001] Facturation en panne — urgent", email.Subject);
        Assert.Equal(("Sam Lée", "sam@riverton.org"), (email.FromName, email.FromAddress));
        // Quoted-printable with a soft break, decoded; the signature kept in the full text only.
        Assert.StartsWith("Bonjour,\n\nLe module de facturation ne démarre plus sur Windows Server 2022, version 7.1.3.", email.Text, StringComparison.Ordinal);
        Assert.EndsWith("-- \nSam Lée, Riverton County IT", email.FullText, StringComparison.Ordinal);
        Assert.Equal([new AttachmentInfo("journal d'erreurs été.txt", "text/plain", 45)], email.Attachments);
        Assert.Equal("sam@riverton.org", email.EnvelopeFrom);
    }

    [Fact]
    public void Parse_RawHtmlOnlyInALegacyCharset_DecodesAndDropsScriptsAndQuotes()
    {
        var raw = "From: Dana <dana@acme.gov>\r\nSubject: Hi\r\nContent-Type: text/html; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"u8.ToArray()
            .Concat(new byte[] { (byte)'<', (byte)'p', (byte)'>', 0x80, (byte)' ', (byte)'5', (byte)'0', (byte)'<', (byte)'/', (byte)'p', (byte)'>' })
            .Concat("<script>alert(1)</script><blockquote>old</blockquote>"u8.ToArray()).ToArray();

        var email = SendGridInboundParseTests.Parse(("email", raw));

        Assert.Equal("€ 50", email.Text);
        Assert.Equal("€ 50\n\n> old", email.FullText);
    }

    [Fact]
    public void Parse_DeeplyNestedMultipart_IsReadWithoutFailing()
    {
        // Each level opens another multipart: MimeKit stops at its depth limit rather than recursing on.
        var builder = new StringBuilder("From: dana@acme.gov\r\n");
        for (var i = 0; i < 500; i++)
        {
            builder.Append("Content-Type: multipart/mixed; boundary=b").Append(i).Append("\r\n\r\n--b").Append(i).Append("\r\n");
        }

        var parsed = SendGridInboundParse.Parse(SendGridInboundParseTests.Form(("email", builder.ToString())));

        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        Assert.Equal("dana@acme.gov", parsed.Value!.FromAddress);
    }

    [Theory]
    // Not MIME at all: no header could be read.
    [InlineData("just some words")]
    [InlineData("")]
    public void Parse_RawThatIsNotMime_IsMalformedNamingEmail(string raw)
    {
        var parsed = SendGridInboundParse.Parse(SendGridInboundParseTests.Form(("email", raw)));

        var problem = Assert.Single(parsed.Problems);
        Assert.Equal(("email", IntakeProblemKind.Malformed), (problem.Field, problem.Kind));
    }

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Channels", "Fixtures", name);
}
