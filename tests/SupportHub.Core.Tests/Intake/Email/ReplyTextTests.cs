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
    public void NewText_TrimsQuotesAndSignatures(string text, string expected) =>
        Assert.Equal(expected, ReplyText.NewText(text));
}
