using SupportHub.Intake.Email;

namespace SupportHub.Core.Tests.Intake.Email;

public sealed class AutomaticMailTests
{
    [Theory]
    // RFC 3834 §5: any Auto-Submitted value but "no", parameters ignored.
    [InlineData("Auto-Submitted: auto-replied", "dana@acme.gov", null, "Auto-Submitted: auto-replied")]
    [InlineData("Auto-Submitted: Auto-Generated; owner-email=\"x@y\"", "dana@acme.gov", null, "Auto-Submitted: auto-generated")]
    [InlineData("Auto-Submitted: no", "dana@acme.gov", null, null)]
    // Precedence bulk, junk, list; "first-class" or "normal" is a person's mail.
    [InlineData("Precedence: bulk", "dana@acme.gov", null, "Precedence: bulk")]
    [InlineData("Precedence: JUNK", "dana@acme.gov", null, "Precedence: junk")]
    [InlineData("Precedence: list", "dana@acme.gov", null, "Precedence: list")]
    [InlineData("Precedence: first-class", "dana@acme.gov", null, null)]
    [InlineData("List-Id: <users.lists.acme.gov>", "dana@acme.gov", null, "List-Id: <users.lists.acme.gov>")]
    // The null sender, in the envelope or as Return-Path.
    [InlineData("", "dana@acme.gov", "", "empty Return-Path")]
    [InlineData("Return-Path: <>", "dana@acme.gov", null, "empty Return-Path")]
    [InlineData("", "dana@acme.gov", "dana@acme.gov", null)]
    // The mail system's own senders, by local part.
    [InlineData("", "MAILER-DAEMON@mx.acme.gov", "x@mx.acme.gov", "sent by MAILER-DAEMON")]
    [InlineData("", "Postmaster@acme.gov", null, "sent by Postmaster")]
    [InlineData("", "postmaster.team@acme.gov", null, null)]
    // Exchange: All or AutoReply, alone or in a list; DR or OOF alone do not forbid an answer to a person.
    [InlineData("X-Auto-Response-Suppress: All", "dana@acme.gov", null, "X-Auto-Response-Suppress: All")]
    [InlineData("X-Auto-Response-Suppress: DR, OOF, AutoReply", "dana@acme.gov", null, "X-Auto-Response-Suppress: AutoReply")]
    [InlineData("X-Auto-Response-Suppress: DR, OOF", "dana@acme.gov", null, null)]
    // Nothing at all: a person.
    [InlineData("", "dana@acme.gov", null, null)]
    public void Classify(string header, string from, string? envelopeFrom, string? expected)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (header.Length > 0)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            headers[header[..colon]] = header[(colon + 1)..].Trim();
        }

        Assert.Equal(expected, AutomaticMail.Classify(name => headers.GetValueOrDefault(name), from, envelopeFrom));
    }
}
