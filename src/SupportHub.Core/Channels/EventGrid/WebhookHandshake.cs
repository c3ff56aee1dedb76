using System.Globalization;
using System.Text.RegularExpressions;
using SupportHub.Intake;

namespace SupportHub.Channels.EventGrid;

/// <summary>The consent a webhook gives a sender: the two response headers of the handshake.</summary>
/// <param name="AllowedOrigin"><c>WebHook-Allowed-Origin</c>: the origin that asked.</param>
/// <param name="AllowedRate"><c>WebHook-Allowed-Rate</c>: requests per minute, or <c>*</c> for no limit.</param>
public sealed record WebhookConsent(string AllowedOrigin, string AllowedRate);

/// <summary>
/// The CloudEvents abuse-protection handshake (HTTP 1.1 Web Hooks for Event Delivery, §4): before
/// delivering CloudEvents, a sender such as Event Grid sends <c>OPTIONS</c> to the exact URL it was
/// given, with <c>WebHook-Request-Origin</c> (a DNS name: <c>eventgrid.azure.net</c>) and maybe
/// <c>WebHook-Request-Rate</c> (requests per minute). The target consents by answering with
/// <c>WebHook-Allowed-Origin</c> (that origin, or <c>*</c>) and <c>WebHook-Allowed-Rate</c> (a number, or
/// <c>*</c>; required when a rate was asked for). The route authenticates the request first, so
/// consent is only ever given to a sender holding the secret in the subscription's URL.
/// <para>
/// The answer names the origin that asked (not <c>*</c>): it is what the spec's example does and
/// says who was let in. The rate is <c>*</c> whatever was asked: the hub does not throttle deliveries
/// (it never answers 429), so a number would promise a limit that is not there. An origin that is not a
/// DNS name, or a rate that is not a positive whole number, is refused (400 naming the header): the
/// origin is echoed into a response header, where it must be plain text.
/// </para>
/// </summary>
public static partial class WebhookHandshake
{
    public const string RequestOriginHeader = "WebHook-Request-Origin";
    public const string RequestRateHeader = "WebHook-Request-Rate";
    public const string AllowedOriginHeader = "WebHook-Allowed-Origin";
    public const string AllowedRateHeader = "WebHook-Allowed-Rate";

    // A DNS name: labels of letters, digits and inner hyphens, 1–63 characters, dot-separated, at most
    // 253 characters in all (RFC 1123). Event Grid sends "eventgrid.azure.net".
    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    /// <summary>The consent to give, or the header at fault.</summary>
    /// <param name="origins">Every <c>WebHook-Request-Origin</c> value the request carried.</param>
    /// <param name="rates">Every <c>WebHook-Request-Rate</c> value the request carried.</param>
    public static IntakeParse<WebhookConsent> Answer(IReadOnlyList<string?> origins, IReadOnlyList<string?> rates)
    {
        ArgumentNullException.ThrowIfNull(origins);
        ArgumentNullException.ThrowIfNull(rates);
        var problems = new List<IntakeProblem>();
        var origin = origins.Count == 1 ? origins[0]?.Trim() : null;
        if (origins.Count == 0 || string.IsNullOrEmpty(origins[0]))
        {
            problems.Add(IntakeProblem.Malformed(RequestOriginHeader, "Required: the sender's DNS name (Event Grid sends eventgrid.azure.net)."));
        }
        else if (origin is null || !DnsName().IsMatch(origin))
        {
            problems.Add(IntakeProblem.Malformed(RequestOriginHeader, "Must be one DNS name, such as eventgrid.azure.net."));
        }

        if (rates.Count > 1 || (rates.Count == 1 && !IsRate(rates[0])))
        {
            problems.Add(IntakeProblem.Malformed(RequestRateHeader, "Must be one whole number of requests per minute, greater than zero."));
        }

        return problems.Count > 0
            ? IntakeParse<WebhookConsent>.Failure(problems)
            : IntakeParse<WebhookConsent>.Success(new WebhookConsent(origin!, "*"));
    }

    private static bool IsRate(string? text) =>
        text is not null
        && int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var perMinute)
        && perMinute > 0;
}
