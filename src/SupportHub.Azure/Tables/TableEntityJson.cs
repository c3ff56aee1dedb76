using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SupportHub.Storage;

namespace SupportHub.Azure.Tables;

// How a hub entity is laid out as a Table Storage entity. A payload of up to PartLength characters
// is one string property "Payload". A longer one is cut into "Payload0".."Payload{N-1}" of at most
// PartLength characters each (never between the two halves of a surrogate pair), with the count in
// the Int32 property "PayloadParts": a string property holds at most 64 KiB (32K UTF-16
// characters). The whole entity must stay within 1 MiB by the service's own size formula
// (learn.microsoft.com, "Understanding the Table service data model"):
//   4 + 2 × (len(PartitionKey) + len(RowKey)) + Σ per property (8 + 2 × len(name) + value size),
//   a string's value size being 4 + 2 × len, an Int32's 4.
// Beyond that the write is refused with an ArgumentException before anything is sent, like a key
// Table Storage would refuse.
//
// Bodies are pure ASCII: every non-ASCII character is written as a \uXXXX escape. Azurite (3.35)
// decodes a non-batch request body chunk by chunk as it arrives, so a multi-byte UTF-8 character
// that straddles two network reads of a large body came back as U+FFFD; escaped JSON has no
// multi-byte sequences to cut, for Azurite or any other intermediary. The price is a larger body
// for non-Latin text, which counts against the 4 MiB transaction limit but not against the entity
// size, which the service measures on the decoded values.

/// <summary>Writes and reads the JSON body of a hub entity.</summary>
internal static class TableEntityJson
{
    /// <summary>Characters per payload property: under the 32K-character (64 KiB) string limit.</summary>
    public const int PartLength = 32_000;

    /// <summary>Bytes in an entity, by the service's formula.</summary>
    public const int MaxEntitySize = 1024 * 1024;

    public const string Payload = "Payload";
    public const string PayloadParts = "PayloadParts";

    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.Default };

    public static byte[] Write(string table, EntityKey key, string payload)
    {
        var parts = Split(payload);
        var size = EntitySize(key, parts);
        if (size > MaxEntitySize)
        {
            throw new ArgumentException(
                $"The payload of entity {key} in table '{table}' is {payload.Length:N0} characters: stored as {parts.Count} properties of up to {PartLength:N0} characters "
                + $"it makes an entity of {size:N0} bytes, over Table Storage's limit of {MaxEntitySize:N0} bytes (1 MiB). Keep payloads under about 500,000 characters.",
                nameof(payload));
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(payload.Length + 256);
        using (var json = new Utf8JsonWriter(buffer, Writer))
        {
            json.WriteStartObject();
            json.WriteString("PartitionKey", key.PartitionKey);
            json.WriteString("RowKey", key.RowKey);
            if (parts.Count == 1)
            {
                json.WriteString(Payload, parts[0]);
            }
            else
            {
                json.WriteNumber(PayloadParts, parts.Count);
                for (var i = 0; i < parts.Count; i++)
                {
                    json.WriteString(Payload + i.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[i]);
                }
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The payload of an entity as read (a GET body or one element of a query's <c>value</c>).</summary>
    public static string ReadPayload(JsonElement entity)
    {
        if (entity.TryGetProperty(Payload, out var single))
        {
            return single.GetString() ?? string.Empty;
        }

        if (!entity.TryGetProperty(PayloadParts, out var count) || !count.TryGetInt32(out var parts) || parts < 1)
        {
            throw new InvalidOperationException($"Entity {KeyOf(entity)} has neither '{Payload}' nor a valid '{PayloadParts}': it was not written by the hub.");
        }

        var text = new StringBuilder();
        for (var i = 0; i < parts; i++)
        {
            if (!entity.TryGetProperty(Payload + i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var part))
            {
                throw new InvalidOperationException($"Entity {KeyOf(entity)} says it has {parts} payload parts but part {i} is missing.");
            }

            text.Append(part.GetString());
        }

        return text.ToString();
    }

    public static EntityKey KeyOf(JsonElement entity) =>
        new(entity.GetProperty("PartitionKey").GetString()!, entity.GetProperty("RowKey").GetString()!);

    internal static List<string> Split(string payload)
    {
        var parts = new List<string>();
        var start = 0;
        do
        {
            var length = Math.Min(PartLength, payload.Length - start);
            if (length == PartLength && char.IsHighSurrogate(payload[start + length - 1]))
            {
                length--;
            }

            parts.Add(payload.Substring(start, length));
            start += length;
        }
        while (start < payload.Length);

        return parts;
    }

    internal static long EntitySize(EntityKey key, IReadOnlyList<string> parts)
    {
        static long StringProperty(string name, string value) => 8 + (2L * name.Length) + 4 + (2L * value.Length);

        long size = 4 + (2L * (key.PartitionKey.Length + key.RowKey.Length));
        if (parts.Count == 1)
        {
            return size + StringProperty(Payload, parts[0]);
        }

        size += 8 + (2L * PayloadParts.Length) + 4;
        for (var i = 0; i < parts.Count; i++)
        {
            size += StringProperty(Payload + i.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[i]);
        }

        return size;
    }
}
