using System.Net;
using System.Text;
using SupportHub.Functions.Pages;
using SupportHub.Notifications;

namespace SupportHub.Functions.Notifications;

// The embedded runtime's notification channel and its page. GET /dev/outbox and /dev/outbox.json:
// what the embedded hub would have sent, newest first, for a developer on this machine. The routes
// exist only in the embedded runtime; they answer only when no Functions host fronts the hub (its
// forwarded requests all come from loopback) and only to loopback callers; anyone else gets 404, as
// if the route did not exist.

/// <summary>The dev outbox: its registration as the notification channel, and its routes.</summary>
public static class DevOutboxPage
{
    /// <summary>The dev outbox as the one notification channel: the embedded runtime's, never the Azure runtime's.</summary>
    public static IServiceCollection AddDevOutbox(this IServiceCollection services)
    {
        services.AddSingleton<DevOutbox>();
        services.AddSingleton<INotificationChannel>(sp => sp.GetRequiredService<DevOutbox>());
        return services;
    }

    public static IEndpointRouteBuilder MapDevOutbox(this IEndpointRouteBuilder endpoints, bool embedded)
    {
        endpoints.MapGet("/dev/outbox", async (HttpContext context, DevOutbox outbox, CancellationToken cancellationToken) =>
            Visible(context, embedded) ? Page(await outbox.ListAsync(cancellationToken)) : Results.NotFound())
            .ExcludeFromDescription();
        endpoints.MapGet("/dev/outbox.json", async (HttpContext context, DevOutbox outbox, CancellationToken cancellationToken) =>
            Visible(context, embedded)
                ? Results.Json(new { notifications = await outbox.ListAsync(cancellationToken) }, SupportHub.Workflows.WorkflowJson.Options)
                : Results.NotFound())
            .ExcludeFromDescription();
        return endpoints;
    }

    private static bool Visible(HttpContext context, bool embedded) =>
        embedded && context.Connection.RemoteIpAddress is { } caller && IPAddress.IsLoopback(caller);

    private static HtmlPage Page(IReadOnlyList<DevOutboxEntry> entries)
    {
        var body = new StringBuilder();
        body.Append("<p>Notifications the embedded hub would have sent, newest first. Nothing here left this machine. ")
            .Append("The same list as JSON: <a href=\"/dev/outbox.json\">/dev/outbox.json</a>.</p>\n");
        if (entries.Count == 0)
        {
            body.Append("<p>No notifications yet.</p>");
            return new HtmlPage(200, "Dev outbox", body.ToString());
        }

        body.Append("<table>\n<caption>").Append(entries.Count).Append(" notification(s)</caption>\n<thead><tr>")
            .Append("<th scope=\"col\">Time</th><th scope=\"col\">Ticket</th><th scope=\"col\">Purpose</th>")
            .Append("<th scope=\"col\">To</th><th scope=\"col\">Via</th><th scope=\"col\">Subject</th>")
            .Append("<th scope=\"col\">Text</th><th scope=\"col\">Links</th></tr></thead>\n<tbody>\n");
        foreach (var e in entries)
        {
            body.Append("<tr id=\"n-").Append(HtmlPage.Encode(e.Id.Replace(':', '-'))).Append("\">")
                .Append("<td><time datetime=\"").Append(HtmlPage.Encode(e.StoredAt.ToString())).Append("\">")
                .Append(HtmlPage.Encode(e.StoredAt.ToString())).Append("</time></td>")
                .Append("<td>#").Append(HtmlPage.Encode(e.Ticket)).Append("</td>")
                .Append("<td>").Append(HtmlPage.Encode(e.Purpose)).Append("</td>")
                .Append("<td>").Append(HtmlPage.Encode(e.ToName)).Append(" (").Append(HtmlPage.Encode(e.To)).Append(")")
                .Append(e.Address is null ? "" : "<br>" + HtmlPage.Encode(e.Address)).Append("</td>")
                .Append("<td>").Append(HtmlPage.Encode(e.Via)).Append("</td>")
                .Append("<td>").Append(HtmlPage.Encode(e.Subject)).Append("</td>")
                .Append("<td class=\"text\">").Append(HtmlPage.Encode(e.Text)).Append("</td><td>");
            if (e.Links.Count == 0)
            {
                body.Append("none");
            }
            else
            {
                body.Append("<ul>");
                foreach (var link in e.Links)
                {
                    body.Append("<li><a href=\"").Append(HtmlPage.Encode(link.Url)).Append("\">")
                        .Append(HtmlPage.Encode(link.Label)).Append(" (ticket #").Append(HtmlPage.Encode(e.Ticket)).Append(")</a></li>");
                }

                body.Append("</ul>");
            }

            body.Append("</td></tr>\n");
        }

        body.Append("</tbody>\n</table>");
        return new HtmlPage(200, "Dev outbox", body.ToString());
    }
}
