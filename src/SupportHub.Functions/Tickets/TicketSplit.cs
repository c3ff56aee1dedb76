using System.Text.Json;
using NodaTime;
using SupportHub.Channels;
using SupportHub.Functions.Hosting;
using SupportHub.Functions.Intake;
using SupportHub.Intake;
using SupportHub.Storage;

namespace SupportHub.Functions.Tickets;

/// <summary>
/// <c>POST /api/tickets/{ticket}/split</c> (API key <c>x-functions-key</c>): undoes a cross-channel
/// link. With a body <c>{"ticket": "1002"}</c> only the link to that ticket goes; with no body, all
/// of the ticket's links. Answers <c>{"ticket", "unlinked": [...]}</c>; 404 when the ticket has no
/// such link. The key is checked here, not by <see cref="AgentApiKey"/>: a refusal is one of intake's
/// problem documents, naming the header as the field at fault.
/// </summary>
internal static class TicketSplit
{
    public const string ApiKeyHeader = "x-functions-key";

    public static async Task<IResult> HandleAsync(
        string reference, HttpRequest request, HubSecrets secrets, IClock clock, IEntityStore store, CancellationToken cancellationToken)
    {
        if (!WebhookAuth.SecretMatches(request.Headers[ApiKeyHeader].FirstOrDefault(), secrets.ApiKey))
        {
            return IntakeHttp.Unauthorized(ApiKeyHeader, "Give the API key in the x-functions-key header.");
        }
        string? other = null;
        // The body is optional: none (or an empty one) means every link of the ticket.
        if (request.ContentLength > 0 || (request.ContentLength is null && request.ContentType is not null))
        {
            if (IntakeHttp.MediaType(request) != "application/json")
            {
                return IntakeHttp.UnsupportedMediaType("application/json");
            }
            var (body, tooLarge) = await IntakeHttp.ReadBodyAsync(request, 4096, cancellationToken);
            if (tooLarge is not null)
            {
                return tooLarge;
            }
            if (body!.Length > 0)
            {
                var parsed = JsonBody.Parse(body);
                if (!parsed.Ok)
                {
                    return IntakeHttp.Problems(parsed.Problems);
                }
                using var document = parsed.Value!;
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return IntakeHttp.Problem(StatusCodes.Status400BadRequest, "body", "Must be a JSON object.");
                }
                if (document.RootElement.TryGetProperty("ticket", out var ticket))
                {
                    other = ticket.ValueKind == JsonValueKind.String ? ticket.GetString()!.TrimStart('#') : null;
                    if (other is null || other.Length == 0 || !other.All(char.IsAsciiDigit))
                    {
                        return IntakeHttp.Problem(StatusCodes.Status422UnprocessableEntity, "ticket", "Must be a ticket reference such as \"1002\".");
                    }
                }
            }
        }
        var unlinked = await new TicketLinks(store).SplitAsync(reference, other, clock.GetCurrentInstant(), cancellationToken);
        if (unlinked.Count == 0)
        {
            return IntakeHttp.Problem(StatusCodes.Status404NotFound, other is null ? "ref" : "ticket",
                other is null ? $"Ticket {reference} has no links." : $"Ticket {reference} is not linked to {other}.");
        }
        return TypedResults.Ok(new Dictionary<string, object> { ["ticket"] = reference, ["unlinked"] = unlinked });
    }
}
