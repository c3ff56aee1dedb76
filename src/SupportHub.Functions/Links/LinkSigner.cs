using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using SupportHub.Notifications;

namespace SupportHub.Functions.Links;

// A signed link is the only credential of the person who clicks it (CONTRACT.md: GET/POST
// /api/links/{token}). The token is base64url(payload) "." base64url(HMAC-SHA256(key, payload)),
// the payload a small JSON object naming the ticket, the action, who it was sent to, when it
// expires and a nonce. The nonce is derived from the notification id and the action, so rendering
// the same notification twice (a redelivery) gives the same link, and it names the link's single
// use (the `links` row and the workflow command id `link:{nonce}`).

/// <summary>What a verified link lets its holder do.</summary>
/// <param name="By">Who the link was sent to: a person id (staff) or an email address (customer).</param>
/// <param name="Nonce">Unique per notification and action; the link's single-use key.</param>
public sealed record LinkClaim(string Ticket, LinkAction Action, string By, Instant Expires, string Nonce);

public enum LinkCheckOutcome
{
    Valid,

    /// <summary>Not a token this hub could have made (wrong shape, not base64url, not our payload).</summary>
    Malformed,

    /// <summary>Well formed, but the signature does not match: tampered with or signed with another key.</summary>
    Forged,

    /// <summary>Genuine but past its expiry.</summary>
    Expired,
}

/// <param name="Claim">Set for <see cref="LinkCheckOutcome.Valid"/> and <see cref="LinkCheckOutcome.Expired"/>.</param>
public sealed record LinkCheck(LinkCheckOutcome Outcome, LinkClaim? Claim);

/// <summary>Signs and verifies link tokens with the hub's link signing key.</summary>
public sealed class LinkSigner
{
    public const string RoutePrefix = "/api/links/";

    // A token longer than this is not one of ours; refusing early bounds the work a stranger can cause.
    private const int MaxTokenLength = 2048;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly byte[] _key;
    private readonly string _baseUrl;

    public LinkSigner(string signingKey, string publicBaseUrl)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingKey);
        ArgumentException.ThrowIfNullOrEmpty(publicBaseUrl);
        _key = Encoding.UTF8.GetBytes(signingKey);
        _baseUrl = publicBaseUrl.TrimEnd('/');
    }

    /// <summary>The claim a notification's link carries: the notification's ticket and recipient, the intent's action and expiry.</summary>
    public static LinkClaim ClaimFor(Notification notification, LinkIntent intent)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(intent);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{notification.Id}\n{intent.Action}"));
        return new LinkClaim(notification.Ticket, intent.Action, notification.To.To, intent.Expires, Base64Url(digest.AsSpan(0, 16)));
    }

    public string Url(LinkClaim claim) => _baseUrl + RoutePrefix + Sign(claim);

    public string Sign(LinkClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new Payload(claim.Ticket, ActionName(claim.Action), claim.By, claim.Expires.ToUnixTimeSeconds(), claim.Nonce), Json);
        return Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>Checks shape, then signature (in constant time), then expiry at <paramref name="now"/>.</summary>
    public LinkCheck Check(string? token, Instant now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength
            || token.Split('.') is not [var encodedPayload, var encodedSignature]
            || FromBase64Url(encodedPayload) is not { Length: > 0 } payload
            || FromBase64Url(encodedSignature) is not { } signature)
        {
            return new LinkCheck(LinkCheckOutcome.Malformed, null);
        }

        // Compared in constant time, before the payload is trusted for anything.
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), signature))
        {
            return new LinkCheck(LinkCheckOutcome.Forged, null);
        }

        if (Read(payload) is not { } claim)
        {
            return new LinkCheck(LinkCheckOutcome.Malformed, null);
        }

        return now >= claim.Expires ? new LinkCheck(LinkCheckOutcome.Expired, claim) : new LinkCheck(LinkCheckOutcome.Valid, claim);
    }

    public static string ActionName(LinkAction action) => action switch
    {
        LinkAction.Acknowledge => "acknowledge",
        LinkAction.Approve => "approve",
        LinkAction.Decline => "decline",
        LinkAction.RateGood => "rate-good",
        _ => "rate-bad",
    };

    private static LinkClaim? Read(byte[] payload)
    {
        Payload? read;
        try
        {
            read = JsonSerializer.Deserialize<Payload>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }

        var action = Enum.GetValues<LinkAction>().Cast<LinkAction?>().FirstOrDefault(a => ActionName(a!.Value) == read?.A);
        return read is { T.Length: > 0, By.Length: > 0, N.Length: > 0 } && action is { } known
            ? new LinkClaim(read.T, known, read.By, Instant.FromUnixTimeSeconds(read.Exp), read.N)
            : null;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return null;
        }

        var padded = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Short names keep the token (and so the URL) short.
    private sealed record Payload(string? T, string? A, string? By, long Exp, string? N);
}
