using System.Text;
using SupportHub.Intake;
using SupportHub.Channels.Email;

namespace SupportHub.Core.Tests.Channels.Email;

public sealed class SendGridInboundParseTests
{
    [Fact]
    public void Parse_DefaultMode_DecodesFieldsInTheirCharsetsAndTrimsTheQuote()
    {
        var parsed = SendGridInboundParse.Parse("multipart/form-data; boundary=xYzZY", File.ReadAllBytes(MimeTests.Fixture("sendgrid-default.multipart")));

        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        var email = parsed.Value!;
        Assert.Equal(("Dana Ortiz", "dana@acme.gov"), (email.FromName, email.FromAddress));
        Assert.Equal("[Sev2] Payment page error", email.Subject);
        Assert.Equal("CAH7Xk4qZ9b_pay-1@mail.acme.gov", email.MessageId);
        Assert.Empty(email.InReplyTo);
        Assert.Equal(
            "Hello,\n\nOur payment page shows an error since this morning: \"Café payments unavailable\".\nProduct: Payments Portal\nVersion: 4.2.1\n\nThanks,\nDana",
            email.Text);
        var attachment = Assert.Single(email.Attachments);
        Assert.Equal(new AttachmentInfo("error-report.pdf", "application/pdf", 9 + 1024), attachment);
        Assert.Equal(("pass", "default"), (email.Spf, email.Mode));
    }

    [Fact]
    public void Parse_RawMode_ReadsTheWholeMessage()
    {
        var parsed = SendGridInboundParse.Parse("multipart/form-data; boundary=----------------------------7c5e7b5f2f0d",
            File.ReadAllBytes(MimeTests.Fixture("sendgrid-raw.multipart")));

        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        var email = parsed.Value!;
        Assert.Equal(("Sam Lée", "sam@riverton.org"), (email.FromName, email.FromAddress));
        Assert.Equal("Ré: [#1001] Facturation en panne — urgent", email.Subject);
        Assert.Equal("20261121081000.4711@mail.riverton.org", email.MessageId);
        // In-Reply-To first, then References newest first, without repeats.
        Assert.Equal(["1001.ack@supporthub.example.com", "first@mail.riverton.org"], email.InReplyTo);
        // The signature after "-- " is not part of the new text.
        Assert.Equal("Bonjour,\n\nLe module de facturation ne démarre plus sur Windows Server 2022, version 7.1.3. Message: « erreur 500 ».", email.Text);
        Assert.Equal([new AttachmentInfo("journal d'erreurs été.txt", "text/plain", 45)], email.Attachments);
        Assert.Equal("raw", email.Mode);
    }

    [Fact]
    public void Parse_HtmlOnly_DerivesTextWithoutScriptsStylesOrQuotes()
    {
        var body = Form(("from", "sam@riverton.org"), ("subject", "Hi"),
            ("html", "<html><head><style>p{x:y}</style></head><body><script>alert(1)</script><p>Line one &amp; more</p><p>Line two</p><blockquote>old text</blockquote></body></html>"));

        var email = SendGridInboundParse.Parse("multipart/form-data; boundary=B", body).Value!;

        Assert.Equal("Line one & more\n\nLine two", email.Text);
    }

    [Fact]
    public void Parse_NoMessageId_SynthesisesTheSameIdForTheSameMail()
    {
        var body = Form(("from", "dana@acme.gov"), ("subject", "Hi"), ("text", "Something broke."));

        var first = SendGridInboundParse.Parse("multipart/form-data; boundary=B", body).Value!;
        var again = SendGridInboundParse.Parse("multipart/form-data; boundary=B", body).Value!;

        Assert.EndsWith("@supporthub.invalid", first.MessageId, StringComparison.Ordinal);
        Assert.Equal(first.MessageId, again.MessageId);
    }

    [Theory]
    [InlineData("from", "not an address", IntakeProblemKind.Invalid)]
    [InlineData("from", "", IntakeProblemKind.Invalid)]
    [InlineData("charsets", "{broken", IntakeProblemKind.Malformed)]
    public void Parse_BadField_NamesIt(string field, string value, IntakeProblemKind kind)
    {
        var fields = new List<(string, string)> { ("subject", "Hi"), ("text", "x") };
        fields.Add((field, value));
        if (field != "from")
        {
            fields.Add(("from", "dana@acme.gov"));
        }

        var parsed = SendGridInboundParse.Parse("multipart/form-data; boundary=B", Form([.. fields]));

        var problem = Assert.Single(parsed.Problems);
        Assert.Equal((field, kind), (problem.Field, problem.Kind));
    }

    [Theory]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=Other")]
    public void Parse_NoUsableBoundary_IsMalformed(string contentType)
    {
        var parsed = SendGridInboundParse.Parse(contentType, Form(("from", "dana@acme.gov")));

        Assert.Equal(IntakeProblemKind.Malformed, Assert.Single(parsed.Problems).Kind);
    }

    internal static byte[] Form(params (string Name, string Value)[] fields)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            builder.Append("--B\r\nContent-Disposition: form-data; name=\"").Append(name).Append("\"\r\n\r\n").Append(value).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(builder.Append("--B--\r\n").ToString());
    }
}
