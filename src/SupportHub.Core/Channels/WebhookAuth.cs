using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using SupportHub.Intake;

namespace SupportHub.Channels;

/// <summary>
/// How intake webhooks prove who sent them (CONTRACT.md): a shared secret compared in constant time
/// (email, SMS), or <c>X-SupportHub-Signature: sha256=&lt;hex HMAC-SHA256(secret, timestamp + "." + raw body)&gt;</c>
/// with <c>X-SupportHub-Timestamp</c> (Unix seconds) within <see cref="Tolerance"/> of the hub's clock
/// (chat, phone), which stops a captured request from being replayed later.
/// </summary>
public static class WebhookAuth
{
    public const string TimestampHeader = "X-SupportHub-Timestamp";
    public const string SignatureHeader = "X-SupportHub-Signature";

    public static Duration Tolerance { get; } = Duration.FromMinutes(5);

    /// <summary>Whether <paramref name="given"/> is the secret. Both sides are hashed first, so neither
    /// the comparison's time nor an early length check tells an attacker anything.</summary>
    public static bool SecretMatches(string? given, string expected)
    {
        ArgumentException.ThrowIfNullOrEmpty(expected);
        if (given is null)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    /// <summary>The signature header's value for a body, as a sender computes it.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(Mac(secret, timestamp, body));

    /// <summary>Null when the request is signed with <paramref name="secret"/> and fresh; otherwise what is wrong, naming the header.</summary>
    public static IntakeProblem? Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, Instant now)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrWhiteSpace(timestamp))
        {
            return new IntakeProblem(TimestampHeader, "Missing.");
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > Instant.MaxValue.ToUnixTimeSeconds())
        {
            return new IntakeProblem(TimestampHeader, "Must be Unix seconds.");
        }
        var skew = now - Instant.FromUnixTimeSeconds(seconds);
        if (Duration.Max(skew, -skew) > Tolerance)
        {
            return new IntakeProblem(TimestampHeader, "Too far from the hub's clock (more than 5 minutes): sign each request when you send it.");
        }
        if (string.IsNullOrWhiteSpace(signature))
        {
            return new IntakeProblem(SignatureHeader, "Missing.");
        }
        const string prefix = "sha256=";
        var hex = signature.Trim();
        byte[] given;
        try
        {
            given = hex.StartsWith(prefix, StringComparison.Ordinal) && hex.Length == prefix.Length + 64
                ? Convert.FromHexString(hex.AsSpan(prefix.Length))
                : [];
        }
        catch (FormatException)
        {
            given = [];
        }
        if (given.Length == 0)
        {
            return new IntakeProblem(SignatureHeader, "Must be sha256= followed by 64 hex digits.");
        }
        return CryptographicOperations.FixedTimeEquals(given, Mac(secret, timestamp, body))
            ? null
            : new IntakeProblem(SignatureHeader, "Does not match the body and timestamp.");
    }

    // HMAC-SHA256(secret, "{timestamp}." + body) in one call (one native HMAC, no context object to create,
    // reset and free per request): the signed bytes are laid out in a pooled buffer first.
    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetByteCount(timestamp) + 1;
        var signed = System.Buffers.ArrayPool<byte>.Shared.Rent(prefix + body.Length);
        try
        {
            Encoding.UTF8.GetBytes(timestamp, signed);
            signed[prefix - 1] = (byte)'.';
            body.CopyTo(signed.AsSpan(prefix));
            return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed.AsSpan(0, prefix + body.Length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(signed);
        }
    }
}
