using System.Text;
using SupportHub.Channels.Email;
using SupportHub.Functions.Intake;
using SupportHub.Intake;

namespace SupportHub.Functions.Tests.Intake;

// SendGrid's multipart body read by ASP.NET Core's MultipartReader, then mapped by the email channel:
// the recorded requests (tests/SupportHub.Core.Tests/Channels/Fixtures) end to end, without the hub.

public sealed class InboundParseFormReaderTests
{
    [Fact]
    public async Task Read_DefaultModeFixture_DecodesFieldsInTheirCharsetsAndTrimsTheQuote()
    {
        var email = await ParseAsync("multipart/form-data; boundary=xYzZY", "sendgrid-default.multipart");

        Assert.Equal(("Dana Ortiz", "dana@acme.gov"), (email.FromName, email.FromAddress));
        Assert.Equal("[Sev2] Payment page error", email.Subject);
        Assert.Equal("CAH7Xk4qZ9b_pay-1@mail.acme.gov", email.MessageId);
        Assert.Empty(email.InReplyTo);
        Assert.Equal(
            "Hello,\n\nOur payment page shows an error since this morning: \"Café payments unavailable\".\nProduct: Payments Portal\nVersion: 4.2.1\n\nThanks,\nDana",
            email.Text);
        Assert.EndsWith("wrote:\n> Anything else we can help with?", email.FullText, StringComparison.Ordinal);
        var attachment = Assert.Single(email.Attachments);
        Assert.Equal(new AttachmentInfo("error-report.pdf", "application/pdf", 9 + 1024), attachment);
        Assert.Equal(("pass", "default", "dana@acme.gov"), (email.Spf, email.Mode, email.EnvelopeFrom));
    }

    [Fact]
    public async Task Read_RawModeFixture_ReadsTheWholeMessage()
    {
        var email = await ParseAsync("multipart/form-data; boundary=----------------------------7c5e7b5f2f0d", "sendgrid-raw.multipart");

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
    public async Task Read_FileNamedWithRfc5987_TakesTheDecodedName()
    {
        var body = "--B\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\ndana@acme.gov\r\n"
            + "--B\r\nContent-Disposition: form-data; name=\"attachment1\"; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--B--\r\n";

        var form = await InboundParseFormReader.ReadAsync("multipart/form-data; boundary=B", Encoding.UTF8.GetBytes(body), CancellationToken.None);

        Assert.Equal(new InboundParseFile("attachment1", "résumé.pdf", "application/pdf", 4), Assert.Single(form.Value!.Files));
    }

    [Theory]
    // No boundary, a boundary the body never uses, a body cut before its closing delimiter, a part without a name.
    [InlineData("multipart/form-data", "--B\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nx\r\n--B--\r\n", "content-type")]
    [InlineData("multipart/form-data; boundary=Other", "--B\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nx\r\n--B--\r\n", "body")]
    [InlineData("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nx", "body")]
    [InlineData("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--\r\n", "body")]
    public async Task Read_Unreadable_IsMalformedNamingTheField(string contentType, string body, string field)
    {
        var form = await InboundParseFormReader.ReadAsync(contentType, Encoding.UTF8.GetBytes(body), CancellationToken.None);

        var problem = Assert.Single(form.Problems);
        Assert.Equal((field, IntakeProblemKind.Malformed), (problem.Field, problem.Kind));
    }

    private static async Task<InboundEmail> ParseAsync(string contentType, string fixture)
    {
        var form = await InboundParseFormReader.ReadAsync(contentType, await File.ReadAllBytesAsync(IntakeHub.IntakeFixture(fixture)), CancellationToken.None);
        Assert.True(form.Ok, string.Join("; ", form.Problems));
        var parsed = SendGridInboundParse.Parse(form.Value!);
        Assert.True(parsed.Ok, string.Join("; ", parsed.Problems));
        return parsed.Value!;
    }
}
