using NodaTime;
using SupportHub.Functions.Links;
using SupportHub.Notifications;
using SupportHub.OnCall;
using SupportHub.Policy;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Links;

public sealed class LinkSignerTests
{
    private const string Key = "link-signing-key-0123456789abcdef-0123456789";
    private static readonly Instant Now = FakeClock.Epoch;
    private static readonly LinkClaim Claim = new("1001", LinkAction.Acknowledge, "alice", Now + Duration.FromHours(24), "nonce-1");

    private readonly LinkSigner _signer = new(Key, "https://hub.example.com/");

    [Fact]
    public void Check_WhatWasSigned_IsValidWithTheSameClaim()
    {
        var check = _signer.Check(_signer.Sign(Claim), Now);

        Assert.Equal(new LinkCheck(LinkCheckOutcome.Valid, Claim), check);
    }

    [Fact]
    public void Url_Claim_IsUnderThePublicBaseUrl()
    {
        Assert.StartsWith("https://hub.example.com/api/links/", _signer.Url(Claim), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PayloadChanged_IsForged()
    {
        // The same signature over another person's claim: what a tamperer would try.
        var signature = _signer.Sign(Claim).Split('.')[1];
        var otherPayload = _signer.Sign(Claim with { By = "mallory" }).Split('.')[0];

        Assert.Equal(LinkCheckOutcome.Forged, _signer.Check(otherPayload + "." + signature, Now).Outcome);
    }

    [Fact]
    public void Check_SignatureChanged_IsForged()
    {
        var token = _signer.Sign(Claim);
        var flipped = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        Assert.Equal(LinkCheckOutcome.Forged, _signer.Check(flipped, Now).Outcome);
    }

    [Fact]
    public void Check_SignedWithAnotherKey_IsForged()
    {
        var other = new LinkSigner("another-key-0123456789abcdef-0123456789", "https://hub.example.com");

        Assert.Equal(LinkCheckOutcome.Forged, _signer.Check(other.Sign(Claim), Now).Outcome);
    }

    [Fact]
    public void Check_AtExpiry_IsExpiredButStillNamesTheTicket()
    {
        var check = _signer.Check(_signer.Sign(Claim), Claim.Expires);

        Assert.Equal(LinkCheckOutcome.Expired, check.Outcome);
        Assert.Equal("1001", check.Claim!.Ticket);
    }

    [Theory]
    // Why each is there: empty; no separator; three parts; not base64url; empty payload; overlong.
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b.c")]
    [InlineData("a+b.c/d")]
    [InlineData(".abc")]
    [InlineData(null)]
    public void Check_NotAToken_IsMalformed(string? token)
    {
        Assert.Equal(LinkCheckOutcome.Malformed, _signer.Check(token, Now).Outcome);
    }

    [Fact]
    public void Check_OverlongToken_IsMalformed()
    {
        Assert.Equal(LinkCheckOutcome.Malformed, _signer.Check(new string('a', 5000) + ".abc", Now).Outcome);
    }

    [Fact]
    public void ClaimFor_SameNotificationTwice_GivesTheSameNonce_AndActionsDiffer()
    {
        var notification = new Notification("1001:4:approval-request.email", "1001", NotificationPurpose.ApprovalRequest,
            new Recipient("dana@acme.gov", "Dana Ortiz", "dana@acme.gov", null, null), Channel.Email, "s", "t", []);
        var approve = new LinkIntent(LinkAction.Approve, Claim.Expires);
        var decline = new LinkIntent(LinkAction.Decline, Claim.Expires);

        Assert.Equal(LinkSigner.ClaimFor(notification, approve), LinkSigner.ClaimFor(notification, approve));
        Assert.NotEqual(LinkSigner.ClaimFor(notification, approve).Nonce, LinkSigner.ClaimFor(notification, decline).Nonce);
        Assert.Equal("dana@acme.gov", LinkSigner.ClaimFor(notification, approve).By);
    }
}
