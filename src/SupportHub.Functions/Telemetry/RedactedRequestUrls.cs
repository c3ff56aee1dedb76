using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;

namespace SupportHub.Functions.Telemetry;

// Request telemetry records the URL. Some of the hub's URLs carry secrets: SendGrid posts to
// /api/intake/email?key=…, Event Grid to /api/events/sms?code=…, and a signed link's token is the
// last segment of /api/links/{token} (its query is dropped too). Those URLs lose their query string
// and the token before anything leaves the process; every other URL is kept as the SDK records it.

/// <summary>Strips secrets from the URLs of request telemetry.</summary>
public sealed class RedactedRequestUrls : ITelemetryInitializer
{
    public const string TokenPlaceholder = "{token}";

    private static readonly string[] QueryCarriesSecret = ["/api/intake/email", "/api/events/sms"];
    private const string Links = "/api/links/";

    public void Initialize(ITelemetry telemetry)
    {
        if (telemetry is not RequestTelemetry request)
        {
            return;
        }

        if (request.Url is { } url && Redact(url) is { } redacted)
        {
            request.Url = redacted;
        }

        // The SDK names a request by its route template where it has one; a raw path would hold the token.
        if (request.Name is { } name && name.Contains(Links, StringComparison.OrdinalIgnoreCase))
        {
            var at = name.IndexOf(Links, StringComparison.OrdinalIgnoreCase) + Links.Length;
            request.Name = name[..at] + TokenPlaceholder;
        }
    }

    /// <summary>The URL without its secrets, or null when it carries none.</summary>
    public static Uri? Redact(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var path = url.IsAbsoluteUri ? url.AbsolutePath : url.OriginalString.Split('?', 2)[0];
        string? kept = null;
        if (QueryCarriesSecret.Any(p => string.Equals(path.TrimEnd('/'), p, StringComparison.OrdinalIgnoreCase)))
        {
            kept = path;
        }
        else if (path.StartsWith(Links, StringComparison.OrdinalIgnoreCase))
        {
            kept = Links + TokenPlaceholder;
        }

        if (kept is null)
        {
            return null;
        }

        return url.IsAbsoluteUri
            ? new UriBuilder(url) { Path = kept, Query = "", Fragment = "" }.Uri
            : new Uri(kept, UriKind.Relative);
    }
}
