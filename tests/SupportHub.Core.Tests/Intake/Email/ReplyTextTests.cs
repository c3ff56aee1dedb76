using SupportHub.Intake.Email;

namespace SupportHub.Core.Tests.Intake.Email;

public sealed class ReplyTextTests
{
    [Theory]
    // Gmail's attribution, wrapped over two lines.
    [InlineData("Fixed now.\n\nOn Fri, Nov 20, 2026 at 9:00 AM Support <\nsupport@example.com> wrote:\n> old", "Fixed now.")]
    // Outlook's separator.
    [InlineData("Still broken.\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nSent: Friday", "Still broken.")]
    // Outlook's underscore line followed by From:.
    [InlineData("Yes please.\n________________________________\nFrom: Support <support@example.com>", "Yes please.")]
    // The signature delimiter, with and without its trailing space.
    [InlineData("See attached.\n-- \nDana Ortiz\nAcme City", "See attached.")]
    [InlineData("See attached.\n--\nDana", "See attached.")]
    // Inline answers between quoted lines survive; the quoted lines go.
    [InlineData("> Which version?\n4.2.1\n> Which OS?\nWindows 11", "4.2.1\nWindows 11")]
    // A message that is only a quote keeps everything rather than nothing.
    [InlineData("> forwarded text", "> forwarded text")]
    // An ordinary sentence starting with "On" is not an attribution.
    [InlineData("On Monday the export failed.\nIt still fails.", "On Monday the export failed.\nIt still fails.")]
    // A "From:" line in what the sender wrote is not a header block without Sent/To/Subject after it.
    [InlineData("From: the logs I see a timeout.\nIt repeats hourly.", "From: the logs I see a timeout.\nIt repeats hourly.")]
    // A header block whose labels are bold in a text part made from HTML.
    [InlineData("Done.\n\n*From:* Support\n*Sent:* Friday\n*To:* Dana\n*Subject:* x\n\nold", "Done.")]
    // A bottom-posted answer after a quote ending in a signature: the quote goes, the answer and not the signature stay.
    [InlineData("On Fri, Support wrote:\n> q1\n> q2\n\nAnswer.\n-- \nPat", "Answer.")]
    // An attribution whose quote runs to the end (or only to a signature) ends the new text.
    [InlineData("Yes.\nOn Fri, Support wrote:\n> q\n\n-- \nPat", "Yes.")]
    // A forward separator before anything ended the text (a signature above it does not): the forward is kept whole.
    [InlineData("FYI\n-- \nDana\n---------- Forwarded message ---------\nFrom: A <a@x.y>\nDate: Fri\nSubject: s\nTo: <b@x.y>\n\nbody",
        "FYI\n-- \nDana\n---------- Forwarded message ---------\nFrom: A <a@x.y>\nDate: Fri\nSubject: s\nTo: <b@x.y>\n\nbody")]
    // A forward quoted under a reply's attribution is part of the old conversation.
    [InlineData("Thanks!\n\nOn Fri, Dana wrote:\n> ---------- Forwarded message ---------\n> body", "Thanks!")]
    [InlineData("FYI\n\nBegin forwarded message:\n\nFrom: A <a@x.y>\nSubject: s\nDate: Fri\n\nbody",
        "FYI\n\nBegin forwarded message:\n\nFrom: A <a@x.y>\nSubject: s\nDate: Fri\n\nbody")]
    public void NewText_TrimsQuotesAndSignatures(string text, string expected) =>
        Assert.Equal(expected, ReplyText.NewText(text));

    [Theory]
    // The forwarding prefixes of the clients people use, in their languages; a reply to a forward is a reply.
    [InlineData("Fwd: invoice", true)]
    [InlineData("FW: invoice", true)]
    [InlineData("WG: Rechnung", true)]
    [InlineData("TR : facture", true)]
    [InlineData("RV: factura", true)]
    [InlineData("Re: Fwd: invoice", false)]
    [InlineData("Invoice follow-up", false)]
    public void IsForward_BySubject(string subject, bool forward) =>
        Assert.Equal(forward, ReplyText.IsForward(subject));

    [Fact]
    public void NewText_ForwardBySubject_KeepsTheHeaderBlockAndQuote()
    {
        const string text = "see below\n\nFrom: Vendor\nSent: Friday\nTo: Dana\nSubject: batch\n\n> failed";

        Assert.Equal(text, ReplyText.NewText(text, "Fw: batch"));
    }

    [Fact]
    public void Read_HtmlOnlyWithOutlookWebQuote_DropsFromAppendOnSendToTheEnd()
    {
        var body = ReplyText.Read(null,
            "<div>Thanks, that fixed it.</div><div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> Support</div><div>old text</div>", "RE: x");

        Assert.Equal("Thanks, that fixed it.", body.New);
        Assert.Contains("old text", body.Full, StringComparison.Ordinal);
    }
}
