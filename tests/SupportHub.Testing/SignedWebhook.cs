using System.Globalization;
using System.Net.Http.Headers;
using SupportHub.Channels;

namespace SupportHub.Testing;

/// <summary>An intake webhook as a chat or phone provider sends it (CONTRACT.md): the raw body, signed
/// with HMAC-SHA256 over <c>timestamp + "." + body</c> in <c>X-SupportHub-Signature: sha256=&lt;hex&gt;</c>,
/// the timestamp (Unix seconds) in <c>X-SupportHub-Timestamp</c>.</summary>
public static class SignedWebhook
{
    public static HttpRequestMessage Post(string path, byte[] body, string contentType, string secret, long unixSeconds)
    {
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add(WebhookAuth.TimestampHeader, timestamp);
        request.Headers.Add(WebhookAuth.SignatureHeader, WebhookAuth.Sign(secret, timestamp, body));
        return request;
    }
}
