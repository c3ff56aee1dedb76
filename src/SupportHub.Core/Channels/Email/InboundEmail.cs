using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SupportHub.Intake;

namespace SupportHub.Channels.Email;

/// <summary>An email as SendGrid Inbound Parse delivered it, normalised.</summary>
/// <param name="MessageId">Without angle brackets. When the mail has none, a hash of its sender, date,
/// subject and text (<c>sha256-…@supporthub.invalid</c>), so a redelivery is still recognised.</param>
/// <param name="InReplyTo">In-Reply-To, then References newest first: the most specific first.</param>
/// <param name="Text">The new part of the message (<see cref="ReplyText"/>), from the text part or, failing that, the HTML.</param>
/// <param name="Mode"><c>default</c> (parsed fields) or <c>raw</c> (the whole MIME in <c>email</c>).</param>
public sealed record InboundEmail(
    string? FromName,
    string FromAddress,
    string To,
    string Subject,
    string Text,
    string MessageId,
    IReadOnlyList<string> InReplyTo,
    IReadOnlyList<AttachmentInfo> Attachments,
    string? Spf,
    string? Dkim,
    string Mode);

/// <summary>
/// SendGrid Inbound Parse (AZURE-REFERENCE.md): a multipart/form-data POST, in default mode with
/// the fields <c>headers, from, to, cc, subject, text, html, envelope, charsets, attachments,
/// attachment-info, SPF, dkim…</c> and files <c>attachment1..N</c> (each text field in the charset
/// the <c>charsets</c> JSON names), or in raw mode with the whole message in <c>email</c>.
/// </summary>
public static class SendGridInboundParse
{
    public static IntakeParse<InboundEmail> Parse(string? contentType, ReadOnlyMemory<byte> body)
    {
        var type = HeaderValue.Parse(contentType);
        if (type.Value != "multipart/form-data" || type.Parameter("boundary") is not { Length: > 0 } boundary)
        {
            return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("content-type", "multipart/form-data with a boundary is required."));
        }
        var fields = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        var files = new List<AttachmentInfo>();
        var fileFields = new List<string>();
        var sections = MimeEntity.SplitParts(body, boundary);
        if (sections.Count == 0)
        {
            return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("body", "No form-data part was found for the boundary the Content-Type names."));
        }
        foreach (var section in sections)
        {
            var part = MimeEntity.Parse(section);
            if (part.Disposition.Parameter("name") is not { Length: > 0 } name)
            {
                return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("body", "A form-data part has no name."));
            }
            if (part.Disposition.Parameter("filename") is { } fileName)
            {
                files.Add(new AttachmentInfo(fileName, part.ContentType.Value.Length == 0 ? "application/octet-stream" : part.ContentType.Value, part.Body.Length));
                fileFields.Add(name);
            }
            else
            {
                fields.TryAdd(name, part.Body.ToArray());
            }
        }
        return fields.TryGetValue("email", out var raw) ? FromRaw(raw, fields) : FromFields(fields, files, fileFields);
    }

    private static IntakeParse<InboundEmail> FromRaw(byte[] raw, Dictionary<string, byte[]> fields)
    {
        var message = MimeEntity.Parse(raw);
        var headers = message.Headers;
        if (headers.Fields.Count == 0)
        {
            return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("email", "The raw message has no header fields."));
        }
        string? text = null;
        string? html = null;
        var attachments = new List<AttachmentInfo>();
        foreach (var leaf in message.Leaves())
        {
            if (leaf.IsAttachment)
            {
                attachments.Add(new AttachmentInfo(leaf.FileName ?? "(unnamed)", leaf.MediaType, leaf.DecodedBody().LongLength));
            }
            else if (leaf.MediaType == "text/plain")
            {
                text ??= leaf.Text();
            }
            else if (leaf.MediaType == "text/html")
            {
                html ??= leaf.Text();
            }
        }
        return Build(headers, headers.Decoded("From"), headers.Decoded("To"), headers.Decoded("Subject"), text, html, attachments,
            Field(fields, "SPF", null), Field(fields, "dkim", null), "raw", "email");
    }

    private static IntakeParse<InboundEmail> FromFields(Dictionary<string, byte[]> fields, List<AttachmentInfo> files, List<string> fileFields)
    {
        var charsets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (fields.TryGetValue("charsets", out var charsetJson))
        {
            var parsed = JsonBody.Parse(charsetJson, "charsets");
            if (!parsed.Ok)
            {
                return IntakeParse<InboundEmail>.Failure(parsed.Problems);
            }
            using var document = parsed.Value!;
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("charsets", "Must be a JSON object of field name to charset."));
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    charsets[property.Name] = property.Value.GetString()!;
                }
            }
        }
        string? Decoded(string name) => Field(fields, name, charsets.GetValueOrDefault(name));

        var headers = Decoded("headers") is { } headerBlock ? MimeHeaders.Parse(headerBlock) : MimeHeaders.Empty;

        // attachment-info names and types each file; the file part itself is the fallback.
        Dictionary<string, (string? Name, string? Type)> info = new(StringComparer.OrdinalIgnoreCase);
        if (Decoded("attachment-info") is { Length: > 0 } infoJson)
        {
            // Decoded text holds no unpaired surrogate, so its UTF-8 is exact; its escapes may spell one.
            var parsed = JsonBody.Parse(Encoding.UTF8.GetBytes(infoJson), "attachment-info");
            if (!parsed.Ok)
            {
                return IntakeParse<InboundEmail>.Failure(parsed.Problems);
            }
            using var document = parsed.Value!;
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
                {
                    info[property.Name] = (Text(property.Value, "filename") ?? Text(property.Value, "name"), Text(property.Value, "type"));
                }
            }
        }
        var attachments = files.Select((file, i) => info.TryGetValue(fileFields[i], out var described)
            ? file with { Name = described.Name ?? file.Name, ContentType = described.Type ?? file.ContentType }
            : file).ToList();

        return Build(headers, Decoded("from") ?? headers.Decoded("From"), Decoded("to") ?? headers.Decoded("To"),
            Decoded("subject") ?? headers.Decoded("Subject"), Decoded("text"), Decoded("html"), attachments,
            Decoded("SPF"), Decoded("dkim"), "default", "from");
    }

    private static IntakeParse<InboundEmail> Build(
        MimeHeaders headers, string? from, string? to, string? subject, string? text, string? html,
        List<AttachmentInfo> attachments, string? spf, string? dkim, string mode, string fromField)
    {
        var problems = new List<IntakeProblem>();
        var address = MailboxAddress.Parse(EncodedWords.Decode(from));
        if (address is null)
        {
            problems.Add(new IntakeProblem(fromField, string.IsNullOrWhiteSpace(from)
                ? "The sender's address is missing."
                : "The sender's address is not an email address."));
        }
        var body = text is { Length: > 0 } ? text : html is { Length: > 0 } ? HtmlText.ToText(html) : "";
        if (problems.Count > 0)
        {
            return IntakeParse<InboundEmail>.Failure(problems);
        }
        var cleanSubject = EncodedWords.Decode(subject).ReplaceLineEndings(" ").Trim();
        var messageId = MimeHeaders.MessageIds(headers["Message-ID"]).FirstOrDefault()
            ?? Synthesised(address!.Value.Address, headers["Date"], cleanSubject, body);
        var inReplyTo = MimeHeaders.MessageIds(headers["In-Reply-To"])
            .Concat(MimeHeaders.MessageIds(headers["References"]).Reverse())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return IntakeParse<InboundEmail>.Success(new InboundEmail(
            address!.Value.Name, address.Value.Address, (to ?? "").Trim(), cleanSubject, ReplyText.NewText(body),
            messageId, inReplyTo, attachments, spf?.Trim(), dkim?.Trim(), mode));
    }

    private static string Synthesised(string from, string? date, string subject, string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{from}\n{date}\n{subject}\n{text}"));
        return $"sha256-{Convert.ToHexStringLower(hash)[..32]}@supporthub.invalid";
    }

    private static string? Field(Dictionary<string, byte[]> fields, string name, string? charset) =>
        fields.TryGetValue(name, out var bytes) ? Charsets.Decode(bytes, charset ?? "utf-8") : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A mailbox from a From header: <c>Dana Ortiz &lt;dana@acme.gov&gt;</c>, <c>"Ortiz, Dana" &lt;dana@acme.gov&gt;</c> or a bare address.</summary>
public static class MailboxAddress
{
    public static (string? Name, string Address)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var text = value.Trim();
        string? name = null;
        string address;
        var open = text.LastIndexOf('<');
        var close = text.LastIndexOf('>');
        if (open >= 0 && close > open)
        {
            address = text[(open + 1)..close].Trim();
            name = text[..open].Trim().Trim('"').Replace("\\\"", "\"", StringComparison.Ordinal).Trim();
            name = name.Length == 0 ? null : name;
        }
        else
        {
            // "dana@acme.gov (Dana Ortiz)": the old comment form.
            var paren = text.IndexOf('(', StringComparison.Ordinal);
            address = (paren > 0 ? text[..paren] : text).Trim();
            if (paren > 0 && text.EndsWith(')'))
            {
                name = text[(paren + 1)..^1].Trim();
            }
        }
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.Any(c => char.IsWhiteSpace(c) || c is '<' or '>' or ',' or ';')
            || !address[(at + 1)..].Contains('.', StringComparison.Ordinal) || address.Length > 254)
        {
            return null;
        }
        return (name, address);
    }
}
