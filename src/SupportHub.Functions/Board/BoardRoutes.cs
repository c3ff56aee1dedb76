using System.Reflection;
using SupportHub.Functions.Tickets;

namespace SupportHub.Functions.Board;

// The SLA board:
//   GET /board          the page: static HTML, no data and no key in it (anyone may fetch it)
//   GET /board.js       its script; GET /board.css its style sheet
//   GET /board.json     the snapshot the page polls (API key in x-functions-key, like every agent route)
// The page asks for the API key once, keeps it in the tab's sessionStorage (gone when the tab
// closes, never shared with other tabs or sent anywhere but this origin) and sends it as the
// x-functions-key header; it never appears in the HTML, a URL or a log line. A 401 forgets it and
// asks again. The key input has no `name` and the page's Content-Security-Policy has
// form-action 'none', so even with the script blocked the key cannot end up in a query string.
// The CSP allows scripts, styles and fetches from this origin only: no inline script, no CDN.

/// <summary>Maps the board's routes.</summary>
public static class BoardRoutes
{
    private const string Csp =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static IServiceCollection AddBoard(this IServiceCollection services)
    {
        services.AddSingleton<BoardReader>();
        return services;
    }

    public static IEndpointRouteBuilder MapBoard(this IEndpointRouteBuilder endpoints)
    {
        // Each name is the route's function in Azure (FunctionCatalog).
        endpoints.MapGet("/board", () => Asset("board.html", "text/html; charset=utf-8")).ExcludeFromDescription().WithName("Board");
        endpoints.MapGet("/board.js", () => Asset("board.js", "text/javascript; charset=utf-8")).ExcludeFromDescription().WithName("BoardScript");
        endpoints.MapGet("/board.css", () => Asset("board.css", "text/css; charset=utf-8")).ExcludeFromDescription().WithName("BoardStyle");
        endpoints.MapGet("/board.json", async (BoardReader reader, HttpResponse response, CancellationToken cancellationToken) =>
        {
            response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(await reader.ReadAsync(cancellationToken));
        }).AddEndpointFilter<AgentApiKey>().ExcludeFromDescription().WithName("BoardData");
        return endpoints;
    }

    private static StaticAsset Asset(string name, string contentType) => new(Assets.Value[name], contentType);

    // The page's files are embedded in the assembly (Board/Assets, no build step): read once.
    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> Assets = new(() =>
    {
        var assembly = typeof(BoardRoutes).Assembly;
        return new[] { "board.html", "board.js", "board.css" }.ToDictionary(n => n, n => Read(assembly, "board/" + n));
    });

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from {assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed class StaticAsset(byte[] content, string contentType) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var response = httpContext.Response;
            response.ContentType = contentType;
            response.ContentLength = content.Length;
            // The files change only with a deployment; revalidating each load keeps a new version visible.
            response.Headers.CacheControl = "no-cache";
            response.Headers.ContentSecurityPolicy = Csp;
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers["X-Robots-Tag"] = "noindex, nofollow";
            await response.Body.WriteAsync(content, httpContext.RequestAborted);
        }
    }
}
