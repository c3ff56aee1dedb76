using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using NodaTime;

namespace SupportHub.Azure.ServiceBus;

// Shared access signature for Service Bus (learn.microsoft.com, "Service Bus access control with
// Shared Access Signatures"):
//   string-to-sign = urlencode(resourceUri) + "\n" + expiry (Unix seconds)
//   signature      = base64(HMAC-SHA256(key as UTF-8 bytes, string-to-sign))
//   Authorization: SharedAccessSignature sr={urlencode(resourceUri)}&sig={urlencode(signature)}&se={expiry}&skn={keyName}
// The resource is the namespace (https://{ns}/), so one token covers every queue. For local tools
// only: the deployed namespace has local (SAS) authentication disabled and the app uses Entra ID.

/// <summary>Signs each try of a Service Bus request with a SAS token valid for <see cref="Lifetime"/>.</summary>
internal sealed class ServiceBusSasPolicy(string resourceUri, AzureNamedKeyCredential credential, IClock clock) : HttpPipelineSynchronousPolicy
{
    public static readonly Duration Lifetime = Duration.FromHours(1);

    public override void OnSendingRequest(HttpMessage message)
    {
        var (keyName, key) = credential;
        var expiry = (clock.GetCurrentInstant() + Lifetime).ToUnixTimeSeconds();
        message.Request.Headers.SetValue(HttpHeader.Names.Authorization, Token(resourceUri, keyName, key, expiry));
    }

    internal static string Token(string resourceUri, string keyName, string key, long expiry)
    {
        var encodedUri = WebUtility.UrlEncode(resourceUri);
        var se = expiry.ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encodedUri + "\n" + se)));
        return $"SharedAccessSignature sr={encodedUri}&sig={WebUtility.UrlEncode(signature)}&se={se}&skn={keyName}";
    }
}
