using SupportHub.Intake;
using SupportHub.Policy;

namespace SupportHub.Core.Tests.Intake;

public sealed class RequiredFieldsTests
{
    private static readonly IntakePolicy Seed002 = new(["product", "version", "os", "description"]);

    [Theory]
    // Labelled lines answer every field.
    [InlineData("", "Product: Payments\nVersion: 4.2\nOS: anything\nDescription: it fails", "")]
    // Version numbers and OS names are recognised without labels; no label, no product.
    [InlineData("Export fails", "The export fails on Windows 11 since v4.2 was installed.", "product")]
    // A three-part number is a version; a four-part one is an IP address, not a version.
    [InlineData("", "Server 10.0.0.12 rejects logins from our users", "product,version,os")]
    [InlineData("", "After upgrading to 7.1.3 on Ubuntu, nothing works.", "product")]
    // A short text is no description.
    [InlineData("", "help", "product,version,os,description")]
    // Labels are matched case-insensitively, and the subject counts.
    [InlineData("Payments on macOS", "product: Payments\nversion 3 crashes when I pay", "")]
    public void Missing_Cases(string subject, string text, string expected) =>
        Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), RequiredFields.Missing(Seed002, subject, text));

    [Fact]
    public void Missing_PolicyAsksForNothing_IsEmpty() =>
        Assert.Empty(RequiredFields.Missing(null, "", "help"));
}
