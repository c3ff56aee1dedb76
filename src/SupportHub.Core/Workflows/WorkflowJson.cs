using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace SupportHub.Workflows;

/// <summary>
/// How workflow state, queue messages and outbox rows are written: camelCase, enums as strings,
/// instants as ISO 8601 UTC, durations in NodaTime's round-trip pattern, intervals as
/// <c>{"start","end"}</c>. One set of options everywhere, so a row written by one version is read
/// by the same rules.
/// </summary>
public static class WorkflowJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new InstantConverter());
        options.Converters.Add(new DurationConverter());
        options.Converters.Add(new IntervalConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");

    private sealed class InstantConverter : JsonConverter<Instant>
    {
        public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            var result = InstantPattern.ExtendedIso.Parse(text ?? "");
            return result.Success ? result.Value : throw new JsonException($"\"{text}\" is not an ISO 8601 instant.");
        }

        public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) =>
            writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value));
    }

    private sealed class DurationConverter : JsonConverter<Duration>
    {
        public override Duration Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            var result = DurationPattern.Roundtrip.Parse(text ?? "");
            return result.Success ? result.Value : throw new JsonException($"\"{text}\" is not a duration (D:hh:mm:ss.fffffffff).");
        }

        public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DurationPattern.Roundtrip.Format(value));
    }

    private sealed class IntervalConverter : JsonConverter<Interval>
    {
        public override Interval Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            return new Interval(Parse(root, "start"), Parse(root, "end"));
        }

        public override void Write(Utf8JsonWriter writer, Interval value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("start", InstantPattern.ExtendedIso.Format(value.Start));
            writer.WriteString("end", InstantPattern.ExtendedIso.Format(value.End));
            writer.WriteEndObject();
        }

        private static Instant Parse(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && InstantPattern.ExtendedIso.Parse(value.GetString() ?? "") is { Success: true } result
                ? result.Value
                : throw new JsonException($"An interval needs \"{name}\" as an ISO 8601 instant.");
    }
}
