using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;
using SupportHub.Channels.Email;
using SupportHub.Intake;
using SupportHub.Policy;

namespace SupportHub.Channels;

// Shared by the channels whose webhooks post fields (chat, phone): reading them collects every
// problem at once, in intake's terms (IntakeProblem), so a sender learns all that is wrong in one answer.

/// <summary>Reads and checks the fields of a JSON or form body, collecting every problem.</summary>
internal sealed partial class FieldReader(SupportPolicy policy)
{
    public List<IntakeProblem> Problems { get; } = [];

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();

    public static bool IsPhoneNumber(string? text) => text is not null && E164().IsMatch(text);

    public string? Text(string field, string? value, bool required, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Problems.Add(new IntakeProblem(field, "Required."));
            }
            return null;
        }
        if (value.Length > maxLength)
        {
            Problems.Add(new IntakeProblem(field, $"At most {maxLength} characters."));
            return null;
        }
        return value.Trim();
    }

    public int? Severity(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var level) && policy.Severity(level) is not null)
        {
            return level;
        }
        Problems.Add(new IntakeProblem(field, $"Must be one of the policy's severity levels ({string.Join(", ", policy.Severities.Select(s => s.Level))})."));
        return null;
    }

    public Instant? Instant(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(value);
        if (parsed.Success)
        {
            return parsed.Value.ToInstant();
        }
        Problems.Add(new IntakeProblem(field, "Must be an ISO 8601 date and time with an offset (2026-11-21T02:00:00Z)."));
        return null;
    }

    public string? Phone(string field, string? value, bool required)
    {
        var text = Text(field, value, required, 32);
        if (text is not null && !IsPhoneNumber(text))
        {
            Problems.Add(new IntakeProblem(field, "Must be a phone number in E.164 form (+13125550101)."));
            return null;
        }
        return text;
    }

    public string? Email(string field, string? value)
    {
        var text = Text(field, value, required: false, 254);
        if (text is not null && Mailboxes.Parse(text) is not { Name: null })
        {
            Problems.Add(new IntakeProblem(field, "Must be an email address."));
            return null;
        }
        return text;
    }

    public string? Url(string field, string? value)
    {
        var text = Text(field, value, required: false, 2000);
        if (text is not null && !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
        {
            Problems.Add(new IntakeProblem(field, "Must be an absolute http(s) URL."));
            return null;
        }
        return text;
    }

    /// <summary>A JSON property as text: strings as they are, numbers as written; anything else is a problem.</summary>
    public string? Json(JsonElement body, string name, string field)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind is JsonValueKind.String)
        {
            return value.GetString();
        }
        if (value.ValueKind is JsonValueKind.Number)
        {
            return value.GetRawText();
        }
        Problems.Add(new IntakeProblem(field, "Must be a string or a number."));
        return null;
    }
}

/// <summary>The JSON bodies of the signed webhooks: read by <see cref="JsonBody"/>, and an object.</summary>
internal static class WebhookJson
{
    public static IntakeParse<ChannelMessage> ParseObject(ReadOnlySpan<byte> json, Func<JsonElement, IntakeParse<ChannelMessage>> read)
    {
        var parsed = JsonBody.Parse(json);
        if (!parsed.Ok)
        {
            return IntakeParse<ChannelMessage>.Failure(parsed.Problems);
        }
        using (var document = parsed.Value!)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? read(document.RootElement)
                : IntakeParse<ChannelMessage>.Failure(IntakeProblem.Malformed("body", "Must be a JSON object."));
        }
    }
}
