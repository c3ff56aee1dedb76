using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using SupportHub.Intake;

namespace SupportHub.Cli.Simulate;

/// <summary>One event of a scenario: when, which kind, and its body as written.</summary>
/// <param name="Body">Points into the scenario's parsed document, which lives as long as the events.</param>
internal sealed record ScenarioEvent(int Index, Instant At, string Kind, JsonElement Body)
{
    /// <summary>Where it stands in the file (<c>events[3]</c>), for messages.</summary>
    public string Path => $"events[{Index}]";
}

/// <summary>A simulation scenario (CONTRACT.md "Simulation scenarios"), checked completely before anything runs.</summary>
internal sealed record Scenario(string? PolicyPath, Instant? Until, IReadOnlyList<ScenarioEvent> Events)
{
    public static readonly string[] Kinds = ["email", "chat", "phone", "ack", "approve", "decline", "reply", "status", "severity", "csat"];

    /// <summary>Fields each kind requires; the runner reads the optional ones itself.</summary>
    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["email"] = ["from"],
        ["chat"] = ["messageId", "from"],
        ["phone"] = ["callId", "from"],
        ["ack"] = ["ticket", "by"],
        ["approve"] = ["ticket", "by"],
        ["decline"] = ["ticket", "by"],
        ["reply"] = ["ticket", "by"],
        ["status"] = ["ticket", "to"],
        ["severity"] = ["ticket"],
        ["csat"] = ["ticket", "rating"],
    };

    /// <summary>The scenario, or null with every problem as <c>path: message</c>.</summary>
    public static Scenario? Parse(string json, List<string> problems)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            problems.Add($"$: not valid JSON ({e.Message})");
            return null;
        }
        // Reading the events' strings would throw on one whose escapes spell no text.
        if (JsonBody.FirstUnpairedSurrogate(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) is { } found)
        {
            document.Dispose();
            problems.Add($"{(found.Path.Length == 0 ? "$" : found.Path)}: {JsonBody.UnpairedSurrogateMessage(found.InPropertyName)}");
            return null;
        }
        // A scenario that parses keeps its document: the events' bodies point into it (one buffer,
        // where a copy per event made hundreds of thousands of small documents for a month's run).
        var scenario = Read(document.RootElement, problems);
        if (scenario is null)
        {
            document.Dispose();
        }
        return scenario;
    }

    private static Scenario? Read(JsonElement root, List<string> problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add("$: a scenario is a JSON object with \"events\"");
            return null;
        }
        string? policy = null;
        if (root.TryGetProperty("policy", out var p))
        {
            if (p.ValueKind == JsonValueKind.String && p.GetString()!.Length > 0)
            {
                policy = p.GetString();
            }
            else
            {
                problems.Add("policy: must be a path to the policy file, relative to the scenario");
            }
        }
        Instant? until = null;
        if (root.TryGetProperty("until", out var u))
        {
            until = ParseInstant(u, "until", problems);
        }
        var events = new List<ScenarioEvent>();
        if (!root.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            problems.Add("events: required, an array of events");
        }
        else
        {
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (ParseEvent(item, index, problems) is { } e)
                {
                    events.Add(e);
                }
                index++;
            }
        }
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("policy" or "until" or "events" or "$schema"))
            {
                problems.Add($"{property.Name}: not a scenario field (use policy, until, events)");
            }
        }
        if (until is { } end)
        {
            problems.AddRange(events.Where(e => e.At > end).Select(e => $"{e.Path}.at: after \"until\""));
        }
        // Events may be written in any order; they happen in time order, ties in file order.
        return problems.Count == 0 ? new Scenario(policy, until, [.. events.OrderBy(e => e.At).ThenBy(e => e.Index)]) : null;
    }

    private static ScenarioEvent? ParseEvent(JsonElement item, int index, List<string> problems)
    {
        var path = $"events[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: an event is an object with \"at\" and one of {string.Join(", ", Kinds)}");
            return null;
        }
        Instant? at = null;
        if (item.TryGetProperty("at", out var a))
        {
            at = ParseInstant(a, path + ".at", problems);
        }
        else
        {
            problems.Add($"{path}.at: required (ISO 8601 with an offset)");
        }
        var kinds = item.EnumerateObject().Where(p => p.Name != "at").ToList();
        foreach (var unknown in kinds.Where(k => !Kinds.Contains(k.Name)))
        {
            problems.Add($"{path}.{unknown.Name}: not an event kind (use {string.Join(", ", Kinds)})");
        }
        var known = kinds.Where(k => Kinds.Contains(k.Name)).ToList();
        if (known.Count != 1)
        {
            if (known.Count == 0 && kinds.Count == 0)
            {
                problems.Add($"{path}: names no event kind (use one of {string.Join(", ", Kinds)})");
            }
            else if (known.Count > 1)
            {
                problems.Add($"{path}: names {known.Count} event kinds; one event does one thing");
            }
            return null;
        }
        var kind = known[0];
        if (kind.Value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.{kind.Name}: must be an object");
            return null;
        }
        var ok = true;
        foreach (var field in Required[kind.Name])
        {
            if (!kind.Value.TryGetProperty(field, out var value) || value.ValueKind is JsonValueKind.Null
                || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0))
            {
                problems.Add($"{path}.{kind.Name}.{field}: required");
                ok = false;
            }
        }
        return ok && at is { } instant ? new ScenarioEvent(index, instant, kind.Name, kind.Value) : null;
    }

    private static Instant? ParseInstant(JsonElement value, string path, List<string> problems)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text ?? "");
        if (parsed.Success)
        {
            return parsed.Value.ToInstant();
        }
        problems.Add($"{path}: {(text is null ? "must be a string" : $"\"{text}\" is not an ISO 8601 date-time with an offset (e.g. 2026-11-21T02:00:00-06:00)")}");
        return null;
    }
}
