using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupportHub.Workflows;

namespace SupportHub.Functions.CustomHandler;

// The custom-handler invocation protocol (MicrosoftDocs functions-custom-handlers.md): for a
// function it does not forward, the Functions host posts
//   POST /{FunctionName}   {"Data": {binding: value}, "Metadata": {...}}
// and reads back {"Outputs": {...}, "Logs": [...], "ReturnValue": ...}. Any non-2xx answer fails
// the invocation: a Service Bus message is abandoned and redelivered, and dead-lettered after the
// queue's maxDeliveryCount; so a handler failure answers 500 and is never swallowed.
//
//   * Service Bus: Data.message is the body, JSON-encoded once more than it was sent (a JSON object
//     body arrives as a string holding the object, a string body as a string holding a string), so
//     strings are unwrapped while they hold JSON; Metadata.MessageId and Metadata.DeliveryCount
//     (a number, or a string holding one) identify the delivery. Dispatched to the same
//     IQueueHandler the embedded QueuePump calls.
//   * Timer: Data.timer {"Schedule", "ScheduleStatus", "IsPastDue"}: runs Housekeeping.
//   * HTTP (only when the host does not forward, e.g. a function given extra bindings): Data.req
//     {"Url","Method","Headers":{"Name":["v"]},"Body"} is replayed against the app's own route on
//     loopback and the answer returned as Outputs.res {"statusCode","headers","body"}; a JSON body
//     is returned as JSON, since the host may turn a bare string that looks like base64 into bytes.
// The endpoints exist only when the app runs as a custom handler (FUNCTIONS_CUSTOMHANDLER_PORT set):
// nothing else may enqueue work behind intake's authentication.

/// <summary>Maps <c>POST /{FunctionName}</c> for every catalogued function.</summary>
public static partial class InvocationEndpoints
{
    public const string HttpBinding = "req";
    public const string MessageBinding = "message";
    public const string TimerBinding = "timer";

    /// <summary>Set by the Functions host when it starts the handler.</summary>
    public const string PortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static IServiceCollection AddCustomHandler(this IServiceCollection services)
    {
        services.AddSingleton(sp => LoopbackClient.ForServer(sp.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()));
        services.AddScoped<Housekeeping>();
        return services;
    }

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder endpoints)
    {
        foreach (var function in FunctionCatalog.All)
        {
            endpoints.MapPost("/" + function.Name, (Delegate)((HttpContext context) => InvokeAsync(function, context)))
                .ExcludeFromDescription()
                .DisableAntiforgery();
        }

        return endpoints;
    }

    internal static async Task<IResult> InvokeAsync(FunctionDefinition function, HttpContext context)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InvocationEndpoints));
        var cancellationToken = context.RequestAborted;
        var logs = new List<string>();
        JsonElement data;
        JsonElement metadata;
        try
        {
            using var invocation = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
            var root = invocation.RootElement;
            data = root.TryGetProperty("Data", out var d) ? d.Clone() : default;
            metadata = root.TryGetProperty("Metadata", out var m) ? m.Clone() : default;
        }
        catch (JsonException e)
        {
            return Answer(400, [$"{function.Name}: the invocation is not JSON: {e.Message}"]);
        }

        try
        {
            JsonNode? outputs = null;
            switch (function.Trigger)
            {
                case ServiceBusTrigger serviceBus:
                    var message = ReadMessage(serviceBus.Queue, Binding(data, MessageBinding), metadata);
                    await DispatchAsync(services, message, cancellationToken);
                    logs.Add($"{function.Name}: handled message {message.MessageId} (delivery {message.DeliveryCount}).");
                    break;
                case TimerTrigger:
                    var pastDue = Binding(data, TimerBinding) is { ValueKind: JsonValueKind.Object } timer
                        && timer.TryGetProperty("IsPastDue", out var p) && p.ValueKind == JsonValueKind.True;
                    await services.GetRequiredService<Housekeeping>().RunAsync(pastDue, cancellationToken);
                    logs.Add($"{function.Name}: ran{(pastDue ? " (past due)" : string.Empty)}.");
                    break;
                case HttpTrigger:
                    outputs = new JsonObject { ["res"] = await ReplayAsync(services.GetRequiredService<LoopbackClient>(), Binding(data, HttpBinding), cancellationToken) };
                    break;
            }

            return Answer(200, logs, outputs);
        }
        catch (InvalidInvocationException e)
        {
            LogRejected(logger, function.Name, e.Message);
            return Answer(400, [$"{function.Name}: {e.Message}"]);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested || e is not OperationCanceledException)
        {
            // The host abandons the message (or fails the run); the queue retries and dead-letters.
            LogFailed(logger, e, function.Name, e.Message);
            return Answer(500, [$"{function.Name} failed: {e.Message}"]);
        }
    }

    /// <summary>The message the host delivered, its body unwrapped from the host's extra JSON encoding.</summary>
    internal static QueueDelivery ReadMessage(string queue, JsonElement body, JsonElement metadata)
    {
        if (body.ValueKind == JsonValueKind.Undefined)
        {
            throw new InvalidInvocationException($"Data.{MessageBinding} is missing.");
        }

        if (metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("MessageId", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
        {
            throw new InvalidInvocationException("Metadata.MessageId is missing.");
        }

        var deliveryCount = metadata.TryGetProperty("DeliveryCount", out var count) ? count.ValueKind switch
        {
            JsonValueKind.Number when count.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(count.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => throw new InvalidInvocationException($"Metadata.DeliveryCount is not a number: {count.GetRawText()}."),
        } : 1;

        return new QueueDelivery(queue, id.GetString()!, UnwrapBody(body), deliveryCount);
    }

    /// <summary>The body as its sender wrote it: strings holding JSON are unwrapped (at most a few
    /// times: the host encodes once, a sender may have encoded once more); a string holding anything
    /// else is the body itself.</summary>
    internal static string UnwrapBody(JsonElement body)
    {
        var current = body;
        for (var depth = 0; depth < 4 && current.ValueKind == JsonValueKind.String; depth++)
        {
            var text = current.GetString()!;
            try
            {
                using var inner = JsonDocument.Parse(text);
                current = inner.RootElement.Clone();
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString()! : current.GetRawText();
    }

    private static async Task DispatchAsync(IServiceProvider services, QueueDelivery message, CancellationToken cancellationToken)
    {
        var registration = services.GetServices<QueueHandlerRegistration>().FirstOrDefault(r => r.Queue == message.Queue)
            ?? throw new InvalidOperationException($"No handler is registered for queue '{message.Queue}'.");
        await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var handler = (IQueueHandler)scope.ServiceProvider.GetRequiredService(registration.HandlerType);
        await handler.HandleAsync(message, cancellationToken);
    }

    private static async Task<JsonObject> ReplayAsync(LoopbackClient loopback, JsonElement req, CancellationToken cancellationToken)
    {
        if (req.ValueKind != JsonValueKind.Object || !req.TryGetProperty("Url", out var url) || !Uri.TryCreate(url.GetString(), UriKind.Absolute, out var original))
        {
            throw new InvalidInvocationException($"Data.{HttpBinding}.Url is missing or not an absolute URL.");
        }

        var method = req.TryGetProperty("Method", out var m) && m.GetString() is { Length: > 0 } verb ? verb : "GET";
        using var request = new HttpRequestMessage(new HttpMethod(method), original.PathAndQuery);
        var headers = req.TryGetProperty("Headers", out var h) && h.ValueKind == JsonValueKind.Object ? h : default;
        var contentType = HeaderValue(headers, "Content-Type");
        if (req.TryGetProperty("Body", out var body) && body.ValueKind != JsonValueKind.Null)
        {
            var text = body.ValueKind == JsonValueKind.String ? body.GetString()! : body.GetRawText();
            // Multipart and binary bodies arrive base64-encoded.
            var bytes = contentType is not null && (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
                ? Convert.FromBase64String(text)
                : Encoding.UTF8.GetBytes(text);
            request.Content = new ByteArrayContent(bytes);
        }

        if (headers.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headers.EnumerateObject())
            {
                var values = header.Value.ValueKind == JsonValueKind.Array
                    ? header.Value.EnumerateArray().Select(v => v.GetString() ?? string.Empty).ToArray()
                    : [header.Value.GetString() ?? string.Empty];
                if (!request.Headers.TryAddWithoutValidation(header.Name, values) && request.Content is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation(header.Name, values);
                }
            }
        }

        using var response = await loopback.Client.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        var responseHeaders = new JsonObject();
        // The host writes the body itself: the replayed response's framing headers do not apply.
        foreach (var header in response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not ("Transfer-Encoding" or "Content-Length" or "Connection")))
        {
            responseHeaders[header.Key] = string.Join(", ", header.Value);
        }

        return new JsonObject
        {
            ["statusCode"] = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
            ["headers"] = responseHeaders,
            ["body"] = IsJson(response.Content.Headers.ContentType) && answer.Length > 0 ? JsonNode.Parse(answer) : answer,
        };
    }

    private static bool IsJson(MediaTypeHeaderValue? type) =>
        type?.MediaType is { } media && (media == "application/json" || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string? HeaderValue(JsonElement headers, string name)
    {
        if (headers.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var header in headers.EnumerateObject())
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value.ValueKind == JsonValueKind.Array ? header.Value.EnumerateArray().FirstOrDefault().GetString() : header.Value.GetString();
            }
        }

        return null;
    }

    private static JsonElement Binding(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) ? value : default;

    private static IResult Answer(int status, IReadOnlyList<string> logs, JsonNode? outputs = null)
    {
        var body = new JsonObject
        {
            ["Outputs"] = outputs ?? new JsonObject(),
            ["Logs"] = new JsonArray(logs.Select(l => (JsonNode)l).ToArray()),
            ["ReturnValue"] = null,
        };
        return Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation of {Function} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string function, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation of {Function} failed; answering 500 so the host retries: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function, string reason);

    /// <summary>The host posted something that is not a valid invocation of the function: 400.</summary>
    internal sealed class InvalidInvocationException(string message) : Exception(message);
}

/// <summary>An HttpClient aimed at the handler's own listening address, for replaying HTTP invocations.</summary>
public sealed class LoopbackClient(HttpClient client)
{
    public HttpClient Client => client;

    public static LoopbackClient ForServer(Microsoft.AspNetCore.Hosting.Server.IServer server)
    {
        var address = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no listening address to replay HTTP invocations on.");
        var uri = new UriBuilder(address.Replace("*", "127.0.0.1", StringComparison.Ordinal).Replace("+", "127.0.0.1", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "localhost")
        {
            uri.Host = "127.0.0.1";
        }

        return new LoopbackClient(new HttpClient { BaseAddress = uri.Uri });
    }
}
