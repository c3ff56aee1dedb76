using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using NodaTime;

namespace SupportHub.Azure.Sms;

// Access-key authentication of Azure Communication Services (learn.microsoft.com, "Sign an HTTP
// request with HMAC"; AZURE-REFERENCE.md):
//   x-ms-content-sha256 = base64(SHA-256(body))
//   x-ms-date           = RFC 1123
//   string-to-sign      = VERB + "\n" + path and query + "\n" + x-ms-date + ";" + host + ";" + content hash
//   Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=base64(HMAC-SHA256(base64decode(key), string-to-sign))
// host is the URI's authority (with the port when not the default). Signed on every try.

/// <summary>Signs each try of an ACS request with the resource's access key.</summary>
internal sealed class AcsHmacPolicy(string accessKey, IClock clock) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        using var body = new MemoryStream();
        request.Content?.WriteTo(body, message.CancellationToken);
        var contentHash = Convert.ToBase64String(SHA256.HashData(body.ToArray()));
        var date = clock.GetCurrentInstant().ToDateTimeOffset().ToString("R", CultureInfo.InvariantCulture);
        var uri = request.Uri.ToUri();

        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue(HttpHeader.Names.Authorization, Authorization(accessKey, request.Method.Method, uri, date, contentHash));
    }

    internal static string StringToSign(string verb, Uri uri, string date, string contentHash) =>
        $"{verb}\n{uri.PathAndQuery}\n{date};{uri.Authority};{contentHash}";

    internal static string Authorization(string accessKey, string verb, Uri uri, string date, string contentHash)
    {
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(accessKey), Encoding.UTF8.GetBytes(StringToSign(verb, uri, date, contentHash))));
        return "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature;
    }
}
