using System.Text;
using NodaTime;
using SupportHub.Channels;

namespace SupportHub.Core.Tests.Channels;

public sealed class WebhookAuthTests
{
    private const string Secret = "chat-secret-0123456789";
    private static readonly Instant Now = Instant.FromUnixTimeSeconds(1_795_000_000);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"messageId\":\"m-1\"}");

    [Fact]
    public void Verify_SignedNow_Passes() =>
        Assert.Null(WebhookAuth.Verify(Secret, "1795000000", WebhookAuth.Sign(Secret, "1795000000", Body), Body, Now));

    [Fact]
    public void Sign_IsHmacOfTimestampDotBody() =>
        // Computed independently: printf '1795000000.{"messageId":"m-1"}' | openssl dgst -sha256 -hmac chat-secret-0123456789
        Assert.Equal("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("1795000000.{\"messageId\":\"m-1\"}"))), WebhookAuth.Sign(Secret, "1795000000", Body));

    [Theory]
    // Within five minutes either way is fine; beyond, a replay is refused.
    [InlineData(300, null)]
    [InlineData(-300, null)]
    [InlineData(301, WebhookAuth.TimestampHeader)]
    [InlineData(-301, WebhookAuth.TimestampHeader)]
    public void Verify_Skew(int seconds, string? field)
    {
        var timestamp = (Now.ToUnixTimeSeconds() + seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(field, WebhookAuth.Verify(Secret, timestamp, WebhookAuth.Sign(Secret, timestamp, Body), Body, Now)?.Field);
    }

    [Theory]
    [InlineData(null, "sig", WebhookAuth.TimestampHeader)]
    [InlineData("yesterday", "sig", WebhookAuth.TimestampHeader)]
    [InlineData("1795000000", null, WebhookAuth.SignatureHeader)]
    [InlineData("1795000000", "sha1=abc", WebhookAuth.SignatureHeader)]
    [InlineData("1795000000", "sha256=0000000000000000000000000000000000000000000000000000000000000000", WebhookAuth.SignatureHeader)]
    public void Verify_Refused(string? timestamp, string? signature, string field) =>
        Assert.Equal(field, WebhookAuth.Verify(Secret, timestamp, signature, Body, Now)?.Field);

    [Fact]
    public void Verify_OtherSecretOrOtherBody_Refused()
    {
        var signature = WebhookAuth.Sign("another-secret-0123456", "1795000000", Body);

        Assert.NotNull(WebhookAuth.Verify(Secret, "1795000000", signature, Body, Now));
        Assert.NotNull(WebhookAuth.Verify(Secret, "1795000000", WebhookAuth.Sign(Secret, "1795000000", Body), "{}"u8.ToArray(), Now));
    }

    [Theory]
    [InlineData("chat-secret-0123456789", true)]
    [InlineData("chat-secret-012345678", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void SecretMatches(string? given, bool expected) => Assert.Equal(expected, WebhookAuth.SecretMatches(given, Secret));
}
