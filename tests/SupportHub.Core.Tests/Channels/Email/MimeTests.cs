using System.Text;
using SupportHub.Channels.Email;

namespace SupportHub.Core.Tests.Channels.Email;

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
    // An unknown charset leaves the word as it was rather than guessing.
    [InlineData("=?x-unknown?Q?abc?= tail", "=?x-unknown?Q?abc?= tail")]
    // Lower-case encoding letter and a language tag (RFC 2231 §5).
    [InlineData("=?utf-8*en?q?hello_world?=", "hello world")]
    public void Decode_EncodedWords(string raw, string expected) =>
        Assert.Equal(expected, EncodedWords.Decode(raw));

    [Fact]
    public void Parse_FoldedHeaders_UnfoldsAndKeepsOrder()
    {
        var headers = MimeHeaders.Parse("Subject: first\r\n  part\r\nReferences: <a@x>\r\n\t<b@x>\r\nX-Empty:\r\nnot a header line\r\n");

        Assert.Equal("first  part", headers["subject"]);
        Assert.Equal(["a@x", "b@x"], MimeHeaders.MessageIds(headers["References"]));
        Assert.Equal("", headers["X-Empty"]);
        Assert.Equal(3, headers.Fields.Count);
    }

    [Fact]
    public void Parse_ContentDispositionWithRfc2231Continuations_JoinsAndDecodes()
    {
        var value = HeaderValue.Parse("attachment; filename*0*=utf-8''r%C3%A9sum; filename*1*=%C3%A9.pdf; size=12");

        Assert.Equal("attachment", value.Value);
        Assert.Equal("résumé.pdf", value.Parameter("filename"));
        Assert.Equal("12", value.Parameter("size"));
    }

    [Fact]
    public void Parse_QuotedParameterWithSemicolon_StaysOneValue() =>
        Assert.Equal("a;b \"c\".txt", HeaderValue.Parse("attachment; filename=\"a;b \\\"c\\\".txt\"").Parameter("filename"));

    [Fact]
    public void DecodeQuotedPrintable_SoftBreaksEscapesAndTrailingSpace()
    {
        var decoded = TransferEncodings.DecodeQuotedPrintable("caf=C3=A9 versi=\r\non 7   \r\n=3D done=ZZ"u8);

        Assert.Equal("café version 7\r\n= done=ZZ", Encoding.UTF8.GetString(decoded));
    }

    [Fact]
    public void DecodeBase64_LineBreaksAndMissingPadding() =>
        Assert.Equal("hello!", Encoding.ASCII.GetString(TransferEncodings.DecodeBase64("aGVs\r\nbG8h"u8)));

    [Fact]
    public void Parse_RawMessage_FindsPartsTextAndAttachment()
    {
        var message = MimeEntity.Parse(File.ReadAllBytes(Fixture("raw-message.eml")));

        var leaves = message.Leaves().ToList();
        Assert.Equal(["text/plain", "text/html", "text/plain"], leaves.Select(l => l.MediaType));
        Assert.StartsWith("Bonjour,\r\n\r\nLe module de facturation ne démarre plus sur Windows Server 2022, version 7.1.3.", leaves[0].Text(), StringComparison.Ordinal);
        Assert.Contains("<p>Bonjour,</p>", leaves[1].Text(), StringComparison.Ordinal);
        Assert.True(leaves[2].IsAttachment);
        Assert.Equal("journal d'erreurs été.txt", leaves[2].FileName);
        Assert.Equal("2026-11-21 08:00:00 ERROR invoice run failed\n", Encoding.ASCII.GetString(leaves[2].DecodedBody()));
        Assert.Equal("Ré: [#1001] Facturation en panne — urgent", message.Headers.Decoded("Subject"));
    }

    [Fact]
    public void SplitParts_BareLfAndNoCloseDelimiter_StillSplits()
    {
        var body = "preamble\n--b\nContent-Type: text/plain\n\none\n--b\n\ntwo"u8.ToArray();

        var parts = MimeEntity.SplitParts(body, "b").Select(p => Encoding.ASCII.GetString(p.Span)).ToList();

        Assert.Equal(["Content-Type: text/plain\n\none", "\ntwo"], parts);
    }

    [Fact]
    public void Parse_DeeplyNestedMultipart_StopsAtMaxDepth()
    {
        // Each level opens another multipart: the parser must stop, not recurse without end.
        var builder = new StringBuilder();
        for (var i = 0; i < 50; i++)
        {
            builder.Append("Content-Type: multipart/mixed; boundary=b").Append(i).Append("\r\n\r\n--b").Append(i).Append("\r\n");
        }
        var entity = MimeEntity.Parse(Encoding.ASCII.GetBytes(builder.ToString()));

        var depth = 0;
        for (var e = entity; e.Parts.Count > 0; e = e.Parts[0])
        {
            depth++;
        }
        Assert.Equal(MimeEntity.MaxDepth, depth);
    }

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Channels", "Fixtures", name);
}
