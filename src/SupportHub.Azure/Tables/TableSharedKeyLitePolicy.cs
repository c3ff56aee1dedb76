using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using NodaTime;

namespace SupportHub.Azure.Tables;

// SharedKeyLite for the Table service (learn.microsoft.com, "Authorize with Shared Key"):
//   StringToSign = x-ms-date + "\n" + CanonicalizedResource
//   CanonicalizedResource = "/" + account + the URI's encoded path (+ "?comp=..." when present)
// Against Azurite's path-style URL the path already starts with the account, so the resource reads
// /devstoreaccount1/devstoreaccount1/table. Signed per try: a retry gets a fresh date.

/// <summary>Signs each try of a Table Storage request with the account key (Azurite, tools).</summary>
internal sealed class TableSharedKeyLitePolicy(AzureNamedKeyCredential credential, IClock clock) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var date = clock.GetCurrentInstant().ToDateTimeOffset().ToString("R", CultureInfo.InvariantCulture);
        message.Request.Headers.SetValue("x-ms-date", date);
        var (account, key) = credential;
        var signature = Sign(key, StringToSign(account, date, message.Request.Uri.ToUri()));
        message.Request.Headers.SetValue(HttpHeader.Names.Authorization, $"SharedKeyLite {account}:{signature}");
    }

    internal static string StringToSign(string account, string date, Uri uri)
    {
        var resource = "/" + account + uri.AbsolutePath;
        var comp = QueryValue(uri, "comp");
        return date + "\n" + resource + (comp is null ? string.Empty : "?comp=" + comp);
    }

    internal static string Sign(string base64Key, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(base64Key), Encoding.UTF8.GetBytes(stringToSign)));

    private static string? QueryValue(Uri uri, string name)
    {
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var key = at < 0 ? pair : pair[..at];
            if (string.Equals(key, name, StringComparison.Ordinal))
            {
                return at < 0 ? string.Empty : Uri.UnescapeDataString(pair[(at + 1)..]);
            }
        }

        return null;
    }
}
