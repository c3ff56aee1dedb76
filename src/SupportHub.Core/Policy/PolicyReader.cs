using System.Text.Json;
using SupportHub.Calendars;

namespace SupportHub.Policy;

/// <summary>
/// Reads values out of a policy document and records a <see cref="PolicyProblem"/> for each one that
/// is missing, of the wrong JSON type or malformed, returning null for it so the caller carries on and
/// finds the next problem. A method given something that is not an object (already reported by the
/// method that found it) returns nothing and reports nothing, so one mistake yields one problem.
/// </summary>
internal sealed class PolicyReader
{
    private readonly List<PolicyProblem> problems = [];

    private readonly List<PolicyProblem> warnings = [];

    /// <summary>Errors: the hub cannot run the policy.</summary>
    public IReadOnlyList<PolicyProblem> Problems => problems;

    /// <summary>Warnings: the hub runs the policy, but something may not reach someone.</summary>
    public IReadOnlyList<PolicyProblem> Warnings => warnings;

    public void Add(string path, string message) => problems.Add(new PolicyProblem(path, message));

    public void Warn(string path, string message) => warnings.Add(new PolicyProblem(path, message));

    public static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    public static string Item(string path, int index) => $"{path}[{index}]";

    /// <summary>
    /// True when <paramref name="element"/> is an object; reports its unknown fields (with the closest
    /// known name of <paramref name="shape"/>, see <see cref="PolicyFields"/>) and repeated ones.
    /// </summary>
    public bool CheckObject(JsonElement element, string path, string shape)
    {
        if (!Expect(element, JsonValueKind.Object, path))
        {
            return false;
        }
        var known = PolicyFields.Objects[shape];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var fieldPath = Child(path, property.Name);
            if (!seen.Add(property.Name))
            {
                Add(fieldPath, "appears more than once in the same object");
            }
            else if (!known.Contains(property.Name))
            {
                var suggestion = NameSuggestion.Closest(property.Name, known);
                Add(fieldPath, suggestion is null
                    ? $"unknown field (known fields here: {string.Join(", ", known)})"
                    : $"unknown field; did you mean \"{suggestion}\"?");
            }
        }
        return true;
    }

    /// <summary>The field's value, or null when absent (reported when <paramref name="required"/>) or when <paramref name="owner"/> is no object.</summary>
    public JsonElement? Field(JsonElement owner, string path, string name, bool required)
    {
        if (owner.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (owner.TryGetProperty(name, out var value))
        {
            return value;
        }
        if (required)
        {
            Add(Child(path, name), "is required");
        }
        return null;
    }

    public string? String(JsonElement owner, string path, string name, bool required) =>
        Field(owner, path, name, required) is { } value ? StringValue(value, Child(path, name)) : null;

    public string? StringValue(JsonElement value, string path)
    {
        if (!Expect(value, JsonValueKind.String, path))
        {
            return null;
        }
        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            Add(path, "must not be empty");
            return null;
        }
        return text;
    }

    public bool? Bool(JsonElement owner, string path, string name)
    {
        if (Field(owner, path, name, required: false) is not { } value)
        {
            return null;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        Add(Child(path, name), $"must be true or false, not {Describe(value)}");
        return null;
    }

    public int? Int(JsonElement owner, string path, string name, bool required) =>
        Field(owner, path, name, required) is { } value ? IntValue(value, Child(path, name)) : null;

    public int? IntValue(JsonElement value, string path)
    {
        if (!Expect(value, JsonValueKind.Number, path))
        {
            return null;
        }
        if (!value.TryGetInt32(out var number))
        {
            Add(path, $"must be a whole number, not {value.GetRawText()}");
            return null;
        }
        return number;
    }

    public decimal? Decimal(JsonElement owner, string path, string name, bool required)
    {
        if (Field(owner, path, name, required) is not { } value || !Expect(value, JsonValueKind.Number, Child(path, name)))
        {
            return null;
        }
        if (!value.TryGetDecimal(out var number))
        {
            Add(Child(path, name), $"{value.GetRawText()} is out of range");
            return null;
        }
        return number;
    }

    /// <summary>The array's items with their paths; empty when absent or not an array (reported).</summary>
    public IReadOnlyList<(JsonElement Value, string Path)> Array(JsonElement owner, string path, string name, bool required)
    {
        var arrayPath = Child(path, name);
        if (Field(owner, path, name, required) is not { } value || !Expect(value, JsonValueKind.Array, arrayPath))
        {
            return [];
        }
        return [.. value.EnumerateArray().Select((item, index) => (item, Item(arrayPath, index)))];
    }

    /// <summary>
    /// The entries of an object used as a map (calendars, tiers, people…) with their paths; repeated
    /// keys are reported and only their first entry kept.
    /// </summary>
    public IReadOnlyList<(string Key, JsonElement Value, string Path)> Map(JsonElement owner, string path, string name, bool required)
    {
        var mapPath = Child(path, name);
        if (Field(owner, path, name, required) is not { } value || !Expect(value, JsonValueKind.Object, mapPath))
        {
            return [];
        }
        var entries = new List<(string, JsonElement, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var entryPath = Child(mapPath, property.Name);
            if (!seen.Add(property.Name))
            {
                Add(entryPath, "appears more than once in the same object");
                continue;
            }
            entries.Add((property.Name, property.Value, entryPath));
        }
        return entries;
    }

    /// <summary>A duration in a unit <paramref name="rule"/> allows, more than zero.</summary>
    public PolicyDuration? Duration(JsonElement owner, string path, string name, bool required, DurationRule rule)
    {
        var fieldPath = Child(path, name);
        if (String(owner, path, name, required) is not { } text)
        {
            return null;
        }
        if (PolicyDuration.TryParse(text) is not { } duration)
        {
            Add(fieldPath, $"\"{text}\" is not a duration ({rule.Hint})");
            return null;
        }
        if (!rule.Allows(duration.Unit))
        {
            Add(fieldPath, $"\"{text}\" {rule.Refusal(duration.Unit)}");
            return null;
        }
        if (duration.Amount == 0)
        {
            Add(fieldPath, $"\"{text}\" must be more than zero");
            return null;
        }
        return duration;
    }

    /// <summary>True when the value has the kind; otherwise reports "must be a string, not a number".</summary>
    public bool Expect(JsonElement value, JsonValueKind kind, string path)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }
        var wanted = kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => kind.ToString(),
        };
        Add(path, $"must be {wanted}, not {Describe(value)}");
        return false;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };
}

/// <summary>Which duration units one place of the policy accepts, and why the others are refused.</summary>
internal sealed record DurationRule(IReadOnlySet<DurationUnit> Units, string Reason, string Hint = PolicyDuration.Hint)
{
    /// <summary>Targets, no-progress timers, lifecycle windows: anything but weeks (they have a calendar).</summary>
    public static readonly DurationRule Calendared = new(
        new HashSet<DurationUnit>
        {
            DurationUnit.Minutes, DurationUnit.Hours, DurationUnit.Days,
            DurationUnit.BusinessMinutes, DurationUnit.BusinessHours, DurationUnit.BusinessDays,
        },
        "weeks are only for rotation shifts; write 7d");

    /// <summary>Rotation shifts repeat in local time, so business units make no sense and minutes are too fine.</summary>
    public static readonly DurationRule Shift = new(
        new HashSet<DurationUnit> { DurationUnit.Hours, DurationUnit.Days, DurationUnit.Weeks },
        "a rotation shift is in hours, days or weeks (h, d or w)",
        "use 12h, 1d or 1w");

    /// <summary>A page waits for an acknowledgement in real time, whether or not support is open.</summary>
    public static readonly DurationRule AckWithin = new(
        new HashSet<DurationUnit> { DurationUnit.Minutes, DurationUnit.Hours },
        "an acknowledgement window is in minutes or hours of real time (m or h)",
        "use 15m or 1h");

    /// <summary>The approval window runs while support is closed, so business time would never pass.</summary>
    public static readonly DurationRule ApprovalTimeout = new(
        new HashSet<DurationUnit> { DurationUnit.Minutes, DurationUnit.Hours, DurationUnit.Days },
        "the approval window runs while support is closed, so it is in real time (m, h or d)",
        "use 30m, 2h or 1d");

    public bool Allows(DurationUnit unit) => Units.Contains(unit);

    public string Refusal(DurationUnit unit) => unit == DurationUnit.Weeks && Units.Contains(DurationUnit.Days)
        ? "uses weeks, which only rotation shifts may (write 7d)"
        : $"is not allowed here: {Reason}";
}
