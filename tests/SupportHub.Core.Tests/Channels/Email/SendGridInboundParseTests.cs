using System.Text;
using SupportHub.Channels.Email;
using SupportHub.Intake;

namespace SupportHub.Core.Tests.Channels.Email;

// The fields of an Inbound Parse POST mapped to an InboundEmail. Reading the multipart body itself is
// the function app's (InboundParseFormReaderTests there, with the recorded requests).

public sealed class SendGridInboundParseTests
{
    [Fact]
    public void Parse_HtmlOnly_DerivesTextWithoutScriptsStylesOrQuotes()
    {
        var email = Parse(("from", "sam@riverton.org"), ("subject", "Hi"),
            ("html", "<html><head><style>p{x:y}</style></head><body><script>alert(1)</script><p>Line one &amp; more</p><p>Line two</p><blockquote>old text</blockquote></body></html>"));

        Assert.Equal("Line one & more\n\nLine two", email.Text);
        Assert.Equal("Line one & more\n\nLine two\n\n> old text", email.FullText);
    }

    [Fact]
    public void Parse_NoMessageId_SynthesisesTheSameIdForTheSameMail()
    {
        (string, string)[] fields = [("from", "dana@acme.gov"), ("subject", "Hi"), ("text", "Something broke.")];

        var first = Parse(fields);
        var again = Parse(fields);

        Assert.EndsWith("@supporthub.invalid", first.MessageId, StringComparison.Ordinal);
        Assert.Equal(first.MessageId, again.MessageId);
    }

    [Fact]
    public void Parse_FieldInTheCharsetCharsetsNames_IsDecodedInIt()
    {
        var parsed = SendGridInboundParse.Parse(Form(("from", "dana@acme.gov"u8.ToArray()), ("text", [.. "Caf"u8, 0xE9]),
            ("charsets", """{"text":"iso-8859-1"}"""u8.ToArray())));

        Assert.Equal("Café", parsed.Value!.Text);
    }

    [Fact]
    public void Parse_HeadersEnvelopeAndAuthenticationResults_AreKeptForTheRules()
    {
        var email = Parse(
            ("headers", "Authentication-Results: mx.sendgrid.net; dkim=pass header.d=acme.gov\r\nAuthentication-Results: relay.acme.gov; spf=pass\r\n"
                + "Message-ID: <m1@acme.gov>\r\nIn-Reply-To: <a@x>\r\nReferences: <r1@x> <a@x>\r\n"),
            ("from", "Dana Ortiz <dana@acme.gov>"), ("text", "Hi"), ("envelope", """{"to":["support@example.com"],"from":"bounces+1@acme.gov"}"""),
            ("SPF", " pass "), ("dkim", "{@acme.gov : pass}"));

        Assert.Equal(["mx.sendgrid.net; dkim=pass header.d=acme.gov", "relay.acme.gov; spf=pass"], email.AuthenticationResults);
        Assert.Equal("bounces+1@acme.gov", email.EnvelopeFrom);
        Assert.Equal(("pass", "{@acme.gov : pass}"), (email.Spf, email.Dkim));
        Assert.Equal("m1@acme.gov", email.MessageId);
        Assert.Equal(["a@x", "r1@x"], email.InReplyTo);
        Assert.Null(email.Automatic);
        Assert.Null(email.DeliveryReport);
    }

    [Theory]
    // The envelope's null sender is the mark of a bounce or other mail never to be answered.
    [InlineData("""{"to":["support@example.com"],"from":""}""", "", "empty Return-Path")]
    // A broken envelope loses no mail: the sender is just not known.
    [InlineData("""{"to":""", null, null)]
    public void Parse_Envelope(string envelope, string? from, string? automatic)
    {
        var email = Parse(("from", "dana@acme.gov"), ("text", "Hi"), ("envelope", envelope));

        Assert.Equal((from, automatic), (email.EnvelopeFrom, email.Automatic));
    }

    [Fact]
    public void Parse_DefaultModeListMail_IsAutomatic()
    {
        var email = Parse(("headers", "List-Id: Acme users <users.lists.acme.gov>\r\nPrecedence: list\r\n"), ("from", "users@lists.acme.gov"), ("text", "digest"));

        Assert.Equal("Precedence: list", email.Automatic);
    }

    [Fact]
    public void Parse_DefaultModeDeliveryReport_ReadsTheReportFromItsFileParts()
    {
        // Default mode hands a report's machine parts over as attachments; the form reader keeps their bytes.
        var status = "Reporting-MTA: dns; mx.acme.gov\r\n\r\nFinal-Recipient: rfc822; dana@acme.gov\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 unknown\r\n"u8.ToArray();
        var returned = "From: support@example.com\r\nMessage-ID: <1001.1.acknowledgement.email@example.com>\r\n\r\n"u8.ToArray();
        var form = Form(("headers", "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\nMessage-ID: <b@mx.acme.gov>\r\n"),
            ("from", "MAILER-DAEMON@mx.acme.gov"), ("text", "Your message could not be delivered."), ("envelope", """{"to":["support@example.com"],"from":""}"""));
        form = form with
        {
            Files =
            [
                new InboundParseFile("attachment1", "details.txt", "message/delivery-status", status.Length, status),
                new InboundParseFile("attachment2", "message.txt", "text/rfc822-headers", returned.Length, returned),
            ],
        };

        var email = SendGridInboundParse.Parse(form).Value!;

        Assert.Equal(("delivery report", "1001.1.acknowledgement.email@example.com"), (email.Automatic, email.DeliveryReport!.OriginalMessageId));
        Assert.Equal(new SupportHub.Intake.Email.DeliveryRecipient("dana@acme.gov", "failed", "5.1.1", "550 unknown"), Assert.Single(email.DeliveryReport.Recipients));
        Assert.Empty(email.Attachments);
    }

    [Theory]
    [InlineData("from", "not an address", IntakeProblemKind.Invalid)]
    [InlineData("from", "", IntakeProblemKind.Invalid)]
    [InlineData("from", "dana@localhost", IntakeProblemKind.Invalid)]
    [InlineData("charsets", "{broken", IntakeProblemKind.Malformed)]
    public void Parse_BadField_NamesIt(string field, string value, IntakeProblemKind kind)
    {
        var fields = new List<(string, string)> { ("subject", "Hi"), ("text", "x") };
        fields.Add((field, value));
        if (field != "from")
        {
            fields.Add(("from", "dana@acme.gov"));
        }

        var parsed = SendGridInboundParse.Parse(Form([.. fields]));

        var problem = Assert.Single(parsed.Problems);
        Assert.Equal((field, kind), (problem.Field, problem.Kind));
    }

    [Theory]
    // The comment form and a quoted name with a comma are one mailbox; the first of several is the author.
    [InlineData("dana@acme.gov (Dana Ortiz)", "Dana Ortiz", "dana@acme.gov")]
    [InlineData("\"Ortiz, Dana\" <dana@acme.gov>", "Ortiz, Dana", "dana@acme.gov")]
    [InlineData("Dana <dana@acme.gov>, Pat <pat@acme.gov>", "Dana", "dana@acme.gov")]
    [InlineData("<dana@acme.gov>", null, "dana@acme.gov")]
    public void Parse_FromForms(string from, string? name, string address)
    {
        var email = Parse(("from", from), ("text", "x"));

        Assert.Equal((name, address), (email.FromName, email.FromAddress));
    }

    internal static InboundEmail Parse(params (string Name, string Value)[] fields) => Parse(fields.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Value))).ToArray());

    internal static InboundEmail Parse(params (string Name, byte[] Value)[] fields)
    {
        var parsed = SendGridInboundParse.Parse(Form(fields));
        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        return parsed.Value!;
    }

    internal static InboundParseForm Form(params (string Name, string Value)[] fields) =>
        Form(fields.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Value))).ToArray());

    internal static InboundParseForm Form(params (string Name, byte[] Value)[] fields)
    {
        var values = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in fields)
        {
            values.TryAdd(name, value);
        }
        return new InboundParseForm(values, []);
    }
}
