using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupportHub.Workflows;

namespace SupportHub.Functions.CustomHandler;

// The custom-handler invocation protocol (MicrosoftDocs functions-custom-handlers.md): for a
// Service Bus or timer function, the Functions host posts
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
// HTTP functions never arrive here as invocations: host.json sets enableForwardingHttpRequest, and
// for a function with exactly one httpTrigger in and one http out (the only HTTP shape
// FunctionMetadata writes) the host then forwards the original request to the same path and
// returns the app's own answer. The host would post an invocation only for an HTTP function with
// other bindings, which this app never declares; so only Service Bus and timer functions get an
// endpoint here.
// The endpoints exist only when the app runs as a custom handler (FUNCTIONS_CUSTOMHANDLER_PORT set):
// nothing else may enqueue work behind intake's authentication.

/// <summary>Maps <c>POST /{FunctionName}</c> for every catalogued Service Bus and timer function.</summary>
public static partial class InvocationEndpoints
{
    public const string HttpBinding = "req";
    public const string MessageBinding = "message";
    public const string TimerBinding = "timer";

    /// <summary>Set by the Functions host when it starts the handler.</summary>
    public const string PortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static IServiceCollection AddCustomHandler(this IServiceCollection services)
    {
        services.AddScoped<Housekeeping>();
        return services;
    }

    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder endpoints)
    {
        foreach (var function in FunctionCatalog.Invoked)
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
            }

            return Answer(200, logs);
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

    private static JsonElement Binding(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) ? value : default;

    private static IResult Answer(int status, IReadOnlyList<string> logs)
    {
        var body = new JsonObject
        {
            ["Outputs"] = new JsonObject(),
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
