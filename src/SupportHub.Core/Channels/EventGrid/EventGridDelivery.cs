using System.Text.Json;
using SupportHub.Channels.Sms;
using SupportHub.Intake;

namespace SupportHub.Channels.EventGrid;

/// <summary>One event of an Event Grid delivery, as far as the hub cares.</summary>
public abstract record EventGridEvent(string Id)
{
    /// <summary><c>Microsoft.EventGrid.SubscriptionValidationEvent</c>: answer <c>{"validationResponse": code}</c>.</summary>
    public sealed record Validation(string Id, string Code) : EventGridEvent(Id);

    /// <summary><c>Microsoft.Communication.SMSReceived</c>.</summary>
    public sealed record Sms(string Id, SmsReceived Message) : EventGridEvent(Id);

    /// <summary>Any other event type the subscription delivers: acknowledged and ignored.</summary>
    public sealed record Other(string Id, string Type) : EventGridEvent(Id);
}

/// <summary>
/// An Event Grid webhook delivery (Event Grid schema: a JSON array of events with <c>id</c>,
/// <c>eventType</c>, <c>data</c>; a single CloudEvents-style object with <c>type</c> is read the same
/// way). Every event is checked before any is acted on, so a bad delivery changes nothing.
/// </summary>
public static class EventGridDelivery
{
    public const string ValidationEventType = "Microsoft.EventGrid.SubscriptionValidationEvent";
    public const string SmsReceivedEventType = "Microsoft.Communication.SMSReceived";

    public static IntakeParse<IReadOnlyList<EventGridEvent>> Parse(ReadOnlySpan<byte> json)
    {
        var parsed = JsonBody.Parse(json);
        if (!parsed.Ok)
        {
            return IntakeParse<IReadOnlyList<EventGridEvent>>.Failure(parsed.Problems);
        }
        using (var document = parsed.Value!)
        {
            var root = document.RootElement;
            var items = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray().ToList(),
                JsonValueKind.Object => [root],
                _ => null,
            };
            if (items is null || items.Count == 0)
            {
                return IntakeParse<IReadOnlyList<EventGridEvent>>.Failure(IntakeProblem.Malformed("body", "Must be an array of Event Grid events."));
            }
            var problems = new List<IntakeProblem>();
            var events = new List<EventGridEvent>();
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var at = $"[{i}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(IntakeProblem.Malformed(at, "Must be an event object."));
                    continue;
                }
                var id = Text(item, "id");
                var type = Text(item, "eventType") ?? Text(item, "type");
                if (id is null || type is null)
                {
                    problems.Add(new IntakeProblem($"{at}.{(id is null ? "id" : "eventType")}", "Required."));
                    continue;
                }
                var data = item.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : (JsonElement?)null;
                switch (type)
                {
                    case ValidationEventType:
                        if (data is { } v && Text(v, "validationCode") is { Length: > 0 } code)
                        {
                            events.Add(new EventGridEvent.Validation(id, code));
                        }
                        else
                        {
                            problems.Add(new IntakeProblem($"{at}.data.validationCode", "Required."));
                        }
                        break;
                    case SmsReceivedEventType:
                        if (data is not { } sms)
                        {
                            problems.Add(new IntakeProblem($"{at}.data", "Required."));
                            break;
                        }
                        var messageId = Text(sms, "messageId");
                        var from = Text(sms, "from");
                        var message = Text(sms, "message");
                        foreach (var (field, value) in new[] { ("messageId", messageId), ("from", from), ("message", message) })
                        {
                            if (value is null)
                            {
                                problems.Add(new IntakeProblem($"{at}.data.{field}", "Required."));
                            }
                        }
                        if (messageId is not null && from is not null && message is not null)
                        {
                            events.Add(new EventGridEvent.Sms(id, new SmsReceived(messageId, from.Trim(), Text(sms, "to")?.Trim() ?? "", message)));
                        }
                        break;
                    default:
                        events.Add(new EventGridEvent.Other(id, type));
                        break;
                }
            }
            return problems.Count > 0
                ? IntakeParse<IReadOnlyList<EventGridEvent>>.Failure(problems)
                : IntakeParse<IReadOnlyList<EventGridEvent>>.Success(events);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
