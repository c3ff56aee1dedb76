using System.Text.Json;
using System.Text.RegularExpressions;
using SupportHub.Calendars;
using SupportHub.Policy;

namespace SupportHub.Core.Tests.Policy;

/// <summary>
/// No JSON Schema validator restores here, so these tests hold schema/policy.schema.json to the
/// loader instead: the same fields in the same places, and patterns that accept what the loader accepts.
/// </summary>
public class PolicySchemaTests
{
    private static readonly JsonDocument Schema = JsonDocument.Parse(RepositoryFiles.Read("schema/policy.schema.json"));

    [Fact]
    public void Schema_Objects_HaveExactlyTheLoadersFields()
    {
        var inSchema = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        Walk(Schema.RootElement, "", inSchema);

        var inLoader = PolicyFields.Objects.ToDictionary(kv => kv.Key, kv => new SortedSet<string>(kv.Value, StringComparer.Ordinal));
        Assert.Equal(
            inLoader.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}"),
            inSchema.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}"));
    }

    [Fact]
    public void Schema_Root_IsDraft2020WithDescriptions()
    {
        var root = Schema.RootElement;

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        // Every field an editor completes should say what it means.
        var undescribed = new List<string>();
        Walk(root, "", new SortedDictionary<string, SortedSet<string>>(), (path, node) =>
        {
            // Beside a $ref or in the definition it names.
            if (!node.TryGetProperty("description", out _) && !Resolve(node).TryGetProperty("description", out _))
            {
                undescribed.Add(path);
            }
        });
        Assert.Empty(undescribed);
    }

    [Theory]
    [InlineData("samples/policy.json")]
    [InlineData("samples/policy-mountain.json")]
    [InlineData("samples/policy-gmt5.json")]
    public void Sample_SchemaReference_PointsAtTheSchema(string sample)
    {
        using var document = JsonDocument.Parse(RepositoryFiles.Read(sample), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

        var reference = document.RootElement.GetProperty("$schema").GetString()!;

        Assert.Equal("../schema/policy.schema.json", reference);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(RepositoryFiles.PathOf(sample))!, reference)));
    }

    [Theory]
    // Every unit, the six-digit limit, and the usual ways of getting it wrong.
    [InlineData("30m")]
    [InlineData("4h")]
    [InlineData("15d")]
    [InlineData("90bm")]
    [InlineData("4bh")]
    [InlineData("2bd")]
    [InlineData("1w")]
    [InlineData("999999h")]
    [InlineData("1000000h")]
    [InlineData("4 hours")]
    [InlineData("4H")]
    [InlineData("h")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("1bw")]
    public void DurationPattern_AnyDuration_AgreesWithTheParser(string text)
    {
        Assert.Equal(PolicyDuration.TryParse(text) is not null, Matches("duration", text));
    }

    [Theory]
    // Per place: the units the loader allows there, and zero, which it never allows.
    [InlineData("calendarDuration", "4bh", true)]
    [InlineData("calendarDuration", "1w", false)]
    [InlineData("calendarDuration", "0h", false)]
    [InlineData("calendarDuration", "10h", true)]
    [InlineData("shiftDuration", "1w", true)]
    [InlineData("shiftDuration", "12h", true)]
    [InlineData("shiftDuration", "8bh", false)]
    [InlineData("shiftDuration", "30m", false)]
    [InlineData("ackDuration", "15m", true)]
    [InlineData("ackDuration", "1d", false)]
    [InlineData("approvalDuration", "2h", true)]
    [InlineData("approvalDuration", "2bh", false)]
    public void DurationPattern_OnePlace_AllowsWhatTheLoaderAllows(string definition, string text, bool allowed)
    {
        Assert.Equal(allowed, Matches(definition, text));
    }

    [Theory]
    // Well formed and in order: both accept. Malformed: both refuse. (Order, i.e. end after
    // start, is beyond a pattern; the loader checks it.)
    [InlineData("07:00-19:00")]
    [InlineData("00:00-24:00")]
    [InlineData("23:30-24:00")]
    [InlineData("7:00-19:00")]
    [InlineData("07:00-25:00")]
    [InlineData("24:00-24:00")]
    [InlineData("07:60-19:00")]
    [InlineData("07:00 - 19:00")]
    public void IntervalPattern_WellOrderedIntervals_AgreesWithTheParser(string text)
    {
        Assert.Equal(OpeningInterval.TryParse(text, out _) is not null, Matches("interval", text));
    }

    [Theory]
    [InlineData("+13125550100")]
    [InlineData("+441440564940")]
    [InlineData("13125550100")]
    [InlineData("+0123")]
    [InlineData("+1 312 555 0100")]
    [InlineData("+1234567890123456")]
    public void PhonePattern_AnyNumber_AgreesWithTheLoader(string text)
    {
        Assert.Equal(PolicyFormats.Phone().IsMatch(text), Matches("phone", text));
    }

    private static bool Matches(string definition, string text)
    {
        var pattern = Schema.RootElement.GetProperty("$defs").GetProperty(definition).GetProperty("pattern").GetString()!;
        return Regex.IsMatch(text, pattern, RegexOptions.ECMAScript);
    }

    /// <summary>
    /// Collects the properties of every object the schema describes, keyed by shape as
    /// <see cref="PolicyFields"/> keys them ("*" a map entry, "[]" an array item). Conditions
    /// (if/then, anyOf) only restate fields and are not walked.
    /// </summary>
    private static void Walk(JsonElement node, string shape, SortedDictionary<string, SortedSet<string>> shapes, Action<string, JsonElement>? visitField = null)
    {
        node = Resolve(node);
        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (node.TryGetProperty("properties", out var properties))
        {
            if (!shapes.TryGetValue(shape, out var names))
            {
                shapes[shape] = names = new SortedSet<string>(StringComparer.Ordinal);
            }
            foreach (var property in properties.EnumerateObject())
            {
                names.Add(property.Name);
                var child = shape.Length == 0 ? property.Name : $"{shape}.{property.Name}";
                visitField?.Invoke(child, property.Value);
                Walk(property.Value, child, shapes, visitField);
            }
        }
        if (node.TryGetProperty("additionalProperties", out var entries))
        {
            Walk(entries, $"{shape}.*", shapes, visitField);
        }
        if (node.TryGetProperty("patternProperties", out var patterned))
        {
            foreach (var entry in patterned.EnumerateObject())
            {
                Walk(entry.Value, $"{shape}.*", shapes, visitField);
            }
        }
        if (node.TryGetProperty("items", out var items))
        {
            Walk(items, $"{shape}[]", shapes, visitField);
        }
    }

    private static JsonElement Resolve(JsonElement node)
    {
        while (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/$defs/".Length..];
            node = Schema.RootElement.GetProperty("$defs").GetProperty(name);
        }
        return node;
    }
}
