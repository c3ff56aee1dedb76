using System.Text.Json;
using NodaTime;
using SupportHub.Channels;
using SupportHub.Intake;
using SupportHub.Storage;
using SupportHub.Workflows;

namespace SupportHub.Functions.Intake;

// What every intake route does the same way: read the body within a limit, answer problems as
// application/problem+json naming the field, and hand an accepted message to ticket intake and the
// tickets-inbound queue. Nothing here decides anything about tickets.

/// <summary>Shared steps of the intake routes.</summary>
internal static class IntakeHttp
{
    /// <summary>A problem+json answer naming the field at fault.</summary>
    public static IResult Problem(int status, string field, string detail) =>
        Problems(status, [new IntakeProblem(field, detail)]);

    /// <summary>400 when something could not be read, else 422; every problem is listed under <c>errors</c>.</summary>
    public static IResult Problems(IReadOnlyList<IntakeProblem> problems) =>
        Problems(problems.Any(p => p.Kind == IntakeProblemKind.Malformed) ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity, problems);

    private static IResult Problems(int status, IReadOnlyList<IntakeProblem> problems)
    {
        var first = problems[0];
        return TypedResults.Problem(
            detail: $"{first.Field}: {first.Detail}",
            statusCode: status,
            title: status switch
            {
                StatusCodes.Status400BadRequest => "The request could not be read.",
                StatusCodes.Status401Unauthorized => "The request is not authenticated.",
                StatusCodes.Status404NotFound => "Not found.",
                StatusCodes.Status413PayloadTooLarge => "The request is too large.",
                StatusCodes.Status415UnsupportedMediaType => "The content type is not accepted here.",
                _ => "A field is invalid.",
            },
            extensions: new Dictionary<string, object?>
            {
                ["field"] = first.Field,
                ["errors"] = problems.Select(p => new Dictionary<string, string> { ["field"] = p.Field, ["detail"] = p.Detail }).ToList(),
            });
    }

    public static IResult Unauthorized(string field, string detail) => Problem(StatusCodes.Status401Unauthorized, field, detail);

    /// <summary>The request's media type, lower-case, without parameters; empty when none.</summary>
    public static string MediaType(HttpRequest request) =>
        (request.ContentType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant();

    public static IResult UnsupportedMediaType(params string[] accepted) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "content-type", $"Send {string.Join(" or ", accepted)}.");

    /// <summary>The whole body, or a 413 when it is longer than <paramref name="limit"/> (declared or actual).</summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        IResult TooLarge() => Problem(StatusCodes.Status413PayloadTooLarge, "body", $"At most {limit} bytes.");
        if (request.ContentLength > limit)
        {
            return (null, TooLarge());
        }
        // Kestrel's own cap (30 MB) would cut a configured larger limit short with a bare 413.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } cap)
        {
            cap.MaxRequestBodySize = limit + 1L;
        }
        if (request.ContentLength is { } declared)
        {
            // The usual case: read straight into a buffer of the declared size (Kestrel ends the body there).
            var body = new byte[declared];
            var filled = 0;
            int got;
            while (filled < body.Length && (got = await request.Body.ReadAsync(body.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += got;
            }
            return (filled == body.Length ? body : body[..filled], null);
        }
        // Chunked: collect in a growing buffer, with a pooled chunk (no 80 KB zeroed array per request).
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, TooLarge());
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return (buffer.ToArray(), null);
    }

    /// <summary>
    /// Ticket intake decides (fast store lookups: this is what lets the route answer with the ticket
    /// reference), then the message goes to <c>tickets-inbound</c> with the source message as its
    /// MessageId. A redelivered source message is a duplicate: same reference, same command, sent again
    /// with the same id (the queue drops it, or the handler finds it done).
    /// </summary>
    public static async Task<IResult> AcceptAsync(ChannelMessage message, TicketIntake intake, CancellationToken cancellationToken)
    {
        // The recorder writes the message with intake's index rows: in the embedded hub, one commit.
        var outcome = await intake.AcceptAsync(message.Message, decided => new QueuedMessage(QueueNames.TicketsInbound,
            new OutgoingMessage(
                QueueMessageIds.ForSource(message.Message.Channel, message.Message.SourceId),
                TicketsInboundMessage.Serialize(decided, ConversationMessage.Of(decided.Ticket, message)))
            {
                Urgent = decided.Emergency,
            }),
            cancellationToken);
        return new Accepted(outcome.Ticket);
    }

    /// <summary>
    /// A delivery report (a bounce): it joins the ticket of the message that bounced, answered like any
    /// accepted message; when no ticket sent that message, nothing is written and the answer is
    /// 202 <c>{"ticket":null,"status":"ignored","reason":"…"}</c> (SendGrid must not retry it, and no
    /// ticket is ever opened for a bounce).
    /// </summary>
    public static async Task<(IResult Result, string? Ignored)> AcceptDeliveryReportAsync(
        ChannelMessage message, SupportHub.Intake.Email.DeliveryReport report, TicketIntake intake, CancellationToken cancellationToken)
    {
        var outcome = await intake.AcceptDeliveryReportAsync(message.Message, report, decided => new QueuedMessage(QueueNames.TicketsInbound,
            new OutgoingMessage(
                QueueMessageIds.ForSource(message.Message.Channel, message.Message.SourceId),
                TicketsInboundMessage.Serialize(decided, ConversationMessage.Of(decided.Ticket, message)))),
            cancellationToken);
        if (outcome is not null)
        {
            return (new Accepted(outcome.Ticket), null);
        }
        var reason = report.OriginalMessageId is null
            ? "a delivery report that names no original Message-ID"
            : "a delivery report about a message no ticket sent";
        return (TypedResults.Json(new { ticket = (string?)null, status = "ignored", reason }, statusCode: StatusCodes.Status202Accepted), reason);
    }

    /// <summary>202 <c>{"ticket":"…","status":"queued"}</c>, written straight to the response (the busiest answer the hub gives).</summary>
    private sealed class Accepted(string ticket) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status202Accepted;
            response.ContentType = "application/json";
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("ticket", ticket);
                writer.WriteString("status", "queued");
                writer.WriteEndObject();
            }
            response.ContentLength = buffer.WrittenCount;
            return response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
        }
    }

    /// <summary>
    /// A signed webhook (chat, phone): the media type, the size limit, the timestamp and HMAC signature
    /// with the channel's own secret — in that order, so nothing is parsed before it is authenticated —
    /// then <paramref name="parse"/> and, when it finds no problem, intake.
    /// </summary>
    public static async Task<IResult> SignedWebhookAsync(
        HttpRequest request, string secret, string[] mediaTypes, int maxBytes, IClock clock,
        Func<byte[], string, Instant, IntakeParse<ChannelMessage>> parse,
        TicketIntake intake, CancellationToken cancellationToken)
    {
        var mediaType = MediaType(request);
        if (!mediaTypes.Contains(mediaType))
        {
            return UnsupportedMediaType(mediaTypes);
        }
        var (body, tooLarge) = await ReadBodyAsync(request, maxBytes, cancellationToken);
        if (tooLarge is not null)
        {
            return tooLarge;
        }
        var now = clock.GetCurrentInstant();
        if (WebhookAuth.Verify(secret, request.Headers[WebhookAuth.TimestampHeader], request.Headers[WebhookAuth.SignatureHeader], body, now) is { } denied)
        {
            return Unauthorized(denied.Field, denied.Detail);
        }
        var parsed = parse(body!, mediaType, now);
        return parsed.Ok
            ? await AcceptAsync(parsed.Value!, intake, cancellationToken)
            : Problems(parsed.Problems);
    }
}
