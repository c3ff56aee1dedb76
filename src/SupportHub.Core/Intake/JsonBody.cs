using System.Text.Json;

namespace SupportHub.Intake;

/// <summary>
/// A JSON body (or a JSON form field) read for its fields: UTF-8, JSON, and every string in it,
/// property names included, Unicode text. Every route that reads JSON reads it here, so each refuses
/// the same things with the same problems.
/// </summary>
/// <remarks>
/// JSON's <c>\u</c> escapes can spell a surrogate without its partner (<c>"\ud800"</c>), which is no
/// Unicode text: System.Text.Json parses such a document but throws when the string is read (or a
/// property name compared), and a store could only keep the string by changing it. Valid UTF-8
/// cannot encode a surrogate, so only an escaped string can hold one, and only documents with a
/// <c>\u</c> escape are walked.
/// </remarks>
public static class JsonBody
{
    /// <summary>The document (the caller disposes it), or the problem that stops it being read.</summary>
    /// <param name="name">The form field the JSON came in; null for a request body. Problems inside
    /// the document are named by their path (<c>from.name</c>, <c>[0].data.message</c>), under
    /// <paramref name="name"/> when given (<c>charsets.text</c>).</param>
    public static IntakeParse<JsonDocument> Parse(ReadOnlySpan<byte> json, string? name = null)
    {
        var whole = name ?? "body";
        // JsonDocument checks UTF-8 only when a string is read, which would then throw: check it first.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return IntakeParse<JsonDocument>.Failure(IntakeProblem.Malformed(whole, "Is not UTF-8."));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            return IntakeParse<JsonDocument>.Failure(IntakeProblem.Malformed(whole, $"Is not valid JSON: {e.Message}"));
        }

        if (FirstUnpairedSurrogate(json) is { } found)
        {
            document.Dispose();
            var path = found.Path.Length == 0 ? whole
                : name is null ? found.Path
                : found.Path.StartsWith('[') ? name + found.Path : $"{name}.{found.Path}";
            const string Unpaired = "an unpaired surrogate (a \\uD800-\\uDFFF escape without its partner): not Unicode text.";
            return IntakeParse<JsonDocument>.Failure(IntakeProblem.Malformed(path, (found.InPropertyName ? "Has a property name with " : "Has ") + Unpaired));
        }

        return IntakeParse<JsonDocument>.Success(document);
    }

    /// <summary>
    /// Where, in JSON that parses with <paramref name="options"/>, the first string that is not text
    /// is: its path (<c>from.name</c>, <c>[0].data.message</c>, empty for the root) or, for a
    /// property name, the path of its object. Null when every string is text.
    /// </summary>
    /// <summary>What is wrong with a string <see cref="FirstUnpairedSurrogate"/> found, as a file's problem (<c>path: message</c>).</summary>
    public static string UnpairedSurrogateMessage(bool inPropertyName) =>
        (inPropertyName ? "has a property name with " : "has ") + "an unpaired surrogate (a \\uD800-\\uDFFF escape without its partner): not Unicode text";

    public static (string Path, bool InPropertyName)? FirstUnpairedSurrogate(ReadOnlySpan<byte> json, JsonReaderOptions options = default)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json, options);
        var containers = new List<string>(); // the path segment of each open object or array
        var nextIndex = new List<int>();     // per open container: the next element's index, or -1 in an object
        string? property = null;

        // The segment of the value starting now: its index in an array, its property in an object.
        string Segment()
        {
            if (nextIndex.Count == 0)
            {
                return "";
            }

            return nextIndex[^1] < 0 ? "." + property : $"[{nextIndex[^1]++}]";
        }

        string PathTo(string segment) => (string.Concat(containers) + segment).TrimStart('.');

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    if (!IsText(ref reader))
                    {
                        return (PathTo(""), true);
                    }

                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    containers.Add(Segment());
                    nextIndex.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.RemoveAt(containers.Count - 1);
                    nextIndex.RemoveAt(nextIndex.Count - 1);
                    break;
                case JsonTokenType.String:
                    var segment = Segment();
                    if (!IsText(ref reader))
                    {
                        return (PathTo(segment), false);
                    }

                    break;
                case JsonTokenType.Comment:
                    break;
                default:
                    Segment();
                    break;
            }
        }

        return null;
    }

    // The reader's own rule: GetString throws exactly when the escapes do not spell UTF-16 text.
    private static bool IsText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return true;
        }

        try
        {
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
