using System.Net;
using System.Text;

namespace SupportHub.Functions.Pages;

// The few pages people see (signed links, the dev outbox) are plain HTML: a language, a title that
// says what the page is, one <main> with an <h1>, real buttons and links, no script. They are never
// cached or indexed, and send no Referer: a link page's URL holds its token.

/// <summary>A plain, accessible HTML page as an <see cref="IResult"/>.</summary>
public sealed class HtmlPage(int statusCode, string title, string body) : IResult
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
        + "button{font-size:1.1rem;padding:.5rem 1.25rem}table{border-collapse:collapse;width:100%}"
        + "th,td{border:1px solid #888;padding:.4rem;text-align:left;vertical-align:top}"
        + "td.text{white-space:pre-wrap}";

    public int StatusCode => statusCode;

    public string Title => title;

    /// <summary>HTML-encodes <paramref name="text"/> for use in an element or attribute.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Robots-Tag"] = "noindex, nofollow";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        var html = new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(title)).Append(" – SupportHub</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(Encode(title)).Append("</h1>\n")
            .Append(body)
            .Append("\n</main>\n</body>\n</html>\n");
        await response.WriteAsync(html.ToString(), httpContext.RequestAborted);
    }
}
