using System.Text;
using System.Text.Json;
using NodaTime;
using SupportHub.Intake;
using SupportHub.Policy;
using SupportHub.Tickets;

namespace SupportHub.Channels.Phone;

/// <summary>
/// The IVR's callback (CONTRACT.md "Phone (IVR) callback body"), as JSON or form-encoded:
/// <c>callId, from, to, selection, severity, transcript, recordingUrl, callbackNumber, occurredAt</c>.
/// Severity: <c>selection</c> emergency → 1, anything else → 3, an explicit <c>severity</c> wins
/// (<see cref="SeverityRules.FromPhone"/>). The requester's phone is <c>callbackNumber</c> when given
/// (the number to call back is the one the caller chose), else <c>from</c>; a caller whose number is
/// withheld (<c>from</c> "anonymous") must leave a callback number.
/// </summary>
public static class PhoneCallback
{
    public static readonly IReadOnlyList<string> Selections = ["emergency", "support", "billing", "callback"];

    private static readonly string[] Fields = ["callId", "from", "to", "selection", "severity", "transcript", "recordingUrl", "callbackNumber", "occurredAt"];

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static IntakeParse<ChannelMessage> ParseJson(ReadOnlySpan<byte> json, SupportPolicy policy, Instant receivedAt, int maxTextChars)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return WebhookJson.ParseObject(json, body =>
        {
            var read = new FieldReader(policy);
            var values = Fields.ToDictionary(f => f, f => read.Json(body, f, f));
            return Build(values, read, receivedAt, maxTextChars);
        });
    }

    /// <summary>application/x-www-form-urlencoded: <c>callId=call-77&amp;from=%2B1312…</c>; the first value
    /// of a repeated field counts. The body and every %-escaped name and value must be UTF-8: an escape
    /// that spells anything else (<c>%ED%A0%80</c>, a surrogate) is malformed, as the same text escaped
    /// in a JSON body would be.</summary>
    public static IntakeParse<ChannelMessage> ParseForm(ReadOnlySpan<byte> form, SupportPolicy policy, Instant receivedAt, int maxTextChars)
    {
        ArgumentNullException.ThrowIfNull(policy);
        string text;
        try
        {
            text = StrictUtf8.GetString(form);
        }
        catch (DecoderFallbackException)
        {
            return IntakeParse<ChannelMessage>.Failure(IntakeProblem.Malformed("body", "Is not UTF-8."));
        }
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (Unescape(eq < 0 ? pair : pair[..eq]) is not { } name)
            {
                return IntakeParse<ChannelMessage>.Failure(IntakeProblem.Malformed("body", "Has a field name whose %-escapes are not UTF-8."));
            }
            if (Unescape(eq < 0 ? "" : pair[(eq + 1)..]) is not { } value)
            {
                return IntakeParse<ChannelMessage>.Failure(IntakeProblem.Malformed(name, "Has %-escapes that are not UTF-8."));
            }
            values.TryAdd(name, value);
        }
        return Build(Fields.ToDictionary(f => f, f => values.GetValueOrDefault(f)), new FieldReader(policy), receivedAt, maxTextChars);
    }

    // '+' is a space; %XX is a byte; a '%' not followed by two hex digits stands for itself. Null when the bytes are not UTF-8.
    private static string? Unescape(string text)
    {
        try
        {
            var bytes = StrictUtf8.GetBytes(text);
            return StrictUtf8.GetString(System.Net.WebUtility.UrlDecodeToBytes(bytes, 0, bytes.Length));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static IntakeParse<ChannelMessage> Build(Dictionary<string, string?> values, FieldReader read, Instant receivedAt, int maxTextChars)
    {
        var callId = read.Text("callId", values["callId"], required: true);
        var from = read.Text("from", values["from"], required: true, 32);
        var to = read.Text("to", values["to"], required: false, 32);
        var selection = read.Text("selection", values["selection"], required: false, 32)?.ToLowerInvariant();
        if (selection is not null && !Selections.Contains(selection))
        {
            read.Problems.Add(new IntakeProblem("selection", $"Must be one of {string.Join(", ", Selections)}."));
        }
        var severity = read.Severity("severity", values["severity"]);
        var transcript = read.Text("transcript", values["transcript"], required: false, int.MaxValue) ?? "";
        var recordingUrl = read.Url("recordingUrl", values["recordingUrl"]);
        var callback = read.Phone("callbackNumber", values["callbackNumber"], required: false);
        var occurredAt = read.Instant("occurredAt", values["occurredAt"]);
        if (from is not null && callback is null && !FieldReader.IsPhoneNumber(from)
            && !read.Problems.Any(p => p.Field == "callbackNumber"))
        {
            read.Problems.Add(new IntakeProblem("callbackNumber", "Required when from is not a phone number in E.164 form (a withheld number)."));
        }
        if (read.Problems.Count > 0)
        {
            return IntakeParse<ChannelMessage>.Failure(read.Problems);
        }
        var details = new Dictionary<string, string> { ["from"] = from! };
        if (to is not null)
        {
            details["to"] = to;
        }
        if (selection is not null)
        {
            details["selection"] = selection;
        }
        if (recordingUrl is not null)
        {
            details["recordingUrl"] = recordingUrl;
        }
        if (occurredAt is { } at)
        {
            details["occurredAt"] = NodaTime.Text.InstantPattern.ExtendedIso.Format(at);
        }
        var message = new InboundMessage(IntakeChannel.Phone, callId!, receivedAt, new Requester(null, null, callback ?? from),
            $"Phone call{(selection is null ? "" : $" ({selection})")}", ChannelMessage.Limit(transcript, maxTextChars),
            Severity: SeverityRules.FromPhone(selection, severity));
        return IntakeParse<ChannelMessage>.Success(new ChannelMessage(message, [], details));
    }
}
