using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MimeKit;
using MimeKit.IO;
using SupportHub.Intake;
using SupportHub.Intake.Email;

namespace SupportHub.Channels.Email;

/// <summary>
/// SendGrid Inbound Parse (AZURE-REFERENCE.md), from the fields of its multipart/form-data POST: in
/// default mode <c>headers, from, to, cc, subject, text, html, envelope, charsets, attachments,
/// attachment-info, SPF, dkim…</c> and files <c>attachment1..N</c> (each text field in the charset the
/// <c>charsets</c> JSON names), or in raw mode the whole message in <c>email</c>. MimeKit reads the
/// MIME, the header block, the addresses and the encoded words; the rules of what the text means
/// (<see cref="ReplyText"/>, <see cref="AutomaticMail"/>) are intake's.
/// </summary>
public static class SendGridInboundParse
{
    public static IntakeParse<InboundEmail> Parse(InboundParseForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form.Fields.TryGetValue("email", out var raw) ? FromRaw(raw, form) : FromFields(form);
    }

    private static IntakeParse<InboundEmail> FromRaw(byte[] raw, InboundParseForm form)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(Mime.Options, new MemoryStream(raw, writable: false));
        }
        catch (FormatException e)
        {
            return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("email", $"The raw message could not be read as MIME: {e.Message}"));
        }
        if (message.Headers.Count == 0)
        {
            return IntakeParse<InboundEmail>.Failure(IntakeProblem.Malformed("email", "The raw message has no header fields."));
        }
        string? text = null;
        string? html = null;
        var attachments = new List<AttachmentInfo>();
        foreach (var part in message.BodyParts)
        {
            if (part is MessageDeliveryStatus || (part is MessagePart && message.Body is MultipartReport))
            {
                // A delivery report's machine part and its returned message: read as the report below.
                continue;
            }
            if (IsAttachment(part))
            {
                attachments.Add(new AttachmentInfo(Mime.Text(FileName(part) ?? "(unnamed)"), part.ContentType.MimeType.ToLowerInvariant(), Size(part)));
            }
            else if (part is TextPart { IsPlain: true } plain)
            {
                text ??= plain.Text;
            }
            else if (part is TextPart { IsHtml: true } markup)
            {
                html ??= markup.Text;
            }
        }
        var from = message.From.Count > 0
            ? Mailboxes.First(message.From)
            : null;
        var fromProblem = from is not null ? null : message.Headers.Contains(HeaderId.From)
            ? "The sender's address is not an email address."
            : "The sender's address is missing.";
        return Build(message.Headers, from, fromProblem, message.Headers[HeaderId.To], message.Subject, text, html, attachments,
            Field(form, "SPF", null), Field(form, "dkim", null), Envelope(form) ?? ReturnPath(message.Headers), DeliveryReportOf(message),
            "raw", "email");
    }

    private static IntakeParse<InboundEmail> FromFields(InboundParseForm form)
    {
        var charsets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (form.Fields.TryGetValue("charsets", out var charsetJson))
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
        string? Decoded(string name) => Field(form, name, charsets.GetValueOrDefault(name));

        var headers = Headers(Decoded("headers"));

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
        var report = IsDeliveryReport(headers) ? DeliveryReportOf(form.Files, headers) : null;
        var attachments = form.Files
            .Where(file => report is null || !InboundParseFormParts.KeepsContent(file.ContentType))
            .Select(file => info.TryGetValue(file.Field, out var described)
                ? new AttachmentInfo(Mime.Text(described.Name ?? file.FileName), described.Type ?? file.ContentType, file.Length)
                : new AttachmentInfo(Mime.Text(file.FileName), file.ContentType, file.Length))
            .ToList();

        var fromText = Decoded("from") ?? headers[HeaderId.From];
        var from = Mailboxes.Parse(fromText);
        var fromProblem = from is not null ? null : string.IsNullOrWhiteSpace(fromText)
            ? "The sender's address is missing."
            : "The sender's address is not an email address.";
        return Build(headers, from, fromProblem, Decoded("to") ?? headers[HeaderId.To],
            Decoded("subject") is { } subject ? Mime.DecodeWords(subject) : headers[HeaderId.Subject], Decoded("text"), Decoded("html"), attachments,
            Decoded("SPF"), Decoded("dkim"), Envelope(form), report, "default", "from");
    }

    private static IntakeParse<InboundEmail> Build(
        HeaderList headers, (string? Name, string Address)? from, string? fromProblem, string? to, string? subject, string? text, string? html,
        List<AttachmentInfo> attachments, string? spf, string? dkim, string? envelopeFrom, DeliveryReport? report, string mode, string fromField)
    {
        if (from is not { } sender)
        {
            return IntakeParse<InboundEmail>.Failure(new IntakeProblem(fromField, fromProblem!));
        }
        var cleanSubject = Mime.Text((subject ?? "").ReplaceLineEndings(" ").Trim());
        var body = ReplyText.Read(text is null ? null : Mime.Text(text), html is null ? null : Mime.Text(html), cleanSubject);
        var messageId = Mime.MessageIds(headers[HeaderId.MessageId]).FirstOrDefault()
            ?? Synthesised(sender.Address, headers[HeaderId.Date], cleanSubject, text is { Length: > 0 } ? text : body.Full);
        var inReplyTo = Mime.MessageIds(headers[HeaderId.InReplyTo])
            .Concat(Mime.MessageIds(headers[HeaderId.References]).Reverse())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return IntakeParse<InboundEmail>.Success(new InboundEmail(
            sender.Name is null ? null : Mime.Text(sender.Name), Mime.Text(sender.Address), Mime.Text((to ?? "").Trim()), cleanSubject, body.New,
            Mime.Text(messageId), inReplyTo.Select(Mime.Text).ToList(), attachments, spf?.Trim(), dkim?.Trim(), mode)
        {
            FullText = body.Full,
            EnvelopeFrom = envelopeFrom,
            AuthenticationResults = [.. headers.Where(h => h.Id == HeaderId.AuthenticationResults).Select(h => Mime.Text(h.Value.Trim()))],
            Automatic = report is not null
                ? "delivery report"
                : AutomaticMail.Classify(name => headers[name], sender.Address, envelopeFrom),
            DeliveryReport = report,
        });
    }

    /// <summary>The header block of default mode's <c>headers</c> field; an unreadable block reads as none
    /// (the fields themselves still carry the mail).</summary>
    private static HeaderList Headers(string? block)
    {
        if (string.IsNullOrWhiteSpace(block))
        {
            return [];
        }
        try
        {
            return HeaderList.Load(Mime.Options, new MemoryStream(Encoding.UTF8.GetBytes(block.TrimEnd() + "\r\n\r\n"), writable: false));
        }
        catch (FormatException)
        {
            return [];
        }
    }

    // The old rule, kept: an attachment by disposition, a named part not shown inline, or any part that is not text.
    private static bool IsAttachment(MimeEntity part) =>
        part.IsAttachment
        || (FileName(part) is not null && part.ContentDisposition?.Disposition != ContentDisposition.Inline)
        || !part.ContentType.IsMimeType("text", "*");

    private static string? FileName(MimeEntity part) =>
        part is MimePart mime ? mime.FileName : part.ContentDisposition?.FileName ?? part.ContentType.Name;

    /// <summary>Bytes after transfer decoding (a returned message: as written).</summary>
    private static long Size(MimeEntity part)
    {
        using var measure = new MeasuringStream();
        switch (part)
        {
            case MimePart { Content: { } content }:
                content.DecodeTo(measure);
                break;
            case MessagePart { Message: { } message }:
                message.WriteTo(measure);
                break;
        }
        return measure.Length;
    }

    private static bool IsDeliveryReport(HeaderList headers) =>
        headers[HeaderId.ContentType] is { } type && ContentType.TryParse(Mime.Options, type, out var parsed)
        && parsed.IsMimeType("multipart", "report")
        && string.Equals(parsed.Parameters["report-type"], "delivery-status", StringComparison.OrdinalIgnoreCase);

    private static DeliveryReport? DeliveryReportOf(MimeMessage message)
    {
        if (message.Body is not MultipartReport { ReportType: var type } report
            || !string.Equals(type, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var status = report.OfType<MessageDeliveryStatus>().FirstOrDefault();
        var returned = report.OfType<MessagePart>().FirstOrDefault()?.Message;
        return Report(status, returned?.Headers, message.Headers);
    }

    // Default mode hands a report's parts over as files; the reader kept their bytes.
    private static DeliveryReport DeliveryReportOf(IReadOnlyList<InboundParseFile> files, HeaderList headers)
    {
        MessageDeliveryStatus? status = null;
        HeaderList? returned = null;
        foreach (var file in files.Where(f => f.Content is not null))
        {
            try
            {
                if (status is null && file.ContentType.StartsWith("message/delivery-status", StringComparison.OrdinalIgnoreCase))
                {
                    status = MimeEntity.Load(Mime.Options, ContentType.Parse(Mime.Options, "message/delivery-status"), new MemoryStream(file.Content!, writable: false)) as MessageDeliveryStatus;
                }
                else if (returned is null && !file.ContentType.StartsWith("message/delivery-status", StringComparison.OrdinalIgnoreCase))
                {
                    returned = HeaderList.Load(Mime.Options, new MemoryStream(file.Content!, writable: false));
                }
            }
            catch (FormatException)
            {
                // A report part that cannot be read tells nothing; the report still never opens a ticket.
            }
        }
        return Report(status, returned, headers);
    }

    private static DeliveryReport Report(MessageDeliveryStatus? status, HeaderList? returned, HeaderList reportHeaders)
    {
        var recipients = new List<DeliveryRecipient>();
        foreach (var group in status?.StatusGroups.Skip(1) ?? [])
        {
            var recipient = TypedValue(group["Final-Recipient"]) ?? TypedValue(group["Original-Recipient"]);
            if (recipient is null)
            {
                continue;
            }
            recipients.Add(new DeliveryRecipient(Mime.Text(recipient), (group["Action"] ?? "").Trim().ToLowerInvariant(),
                group["Status"]?.Trim(), TypedValue(group["Diagnostic-Code"]) is { } diagnostic ? Mime.Text(diagnostic) : null));
        }
        // The returned message's Message-ID; some servers only thread the report to it.
        var original = Mime.MessageIds(returned?[HeaderId.MessageId]).FirstOrDefault()
            ?? Mime.MessageIds(reportHeaders[HeaderId.InReplyTo]).FirstOrDefault()
            ?? Mime.MessageIds(reportHeaders[HeaderId.References]).LastOrDefault();
        return new DeliveryReport(original is null ? null : Mime.Text(original), recipients);
    }

    // "rfc822; dana@acme.gov" → "dana@acme.gov"; "smtp; 550 5.1.1 …" → "550 5.1.1 …".
    private static string? TypedValue(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        var rest = (semicolon < 0 ? value : value[(semicolon + 1)..]).Trim();
        return rest.Length == 0 ? null : rest;
    }

    private static string? Envelope(InboundParseForm form)
    {
        if (!form.Fields.TryGetValue("envelope", out var json))
        {
            return null;
        }
        var parsed = JsonBody.Parse(json, "envelope");
        if (!parsed.Ok)
        {
            // Only informative: a broken envelope loses no mail, it only leaves the sender unknown.
            return null;
        }
        using var document = parsed.Value!;
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("from", out var from) && from.ValueKind == JsonValueKind.String
            ? Mime.Text(from.GetString()!.Trim().Trim('<', '>'))
            : null;
    }

    private static string? ReturnPath(HeaderList headers) =>
        headers[HeaderId.ReturnPath] is { } path ? Mime.Text(path.Trim().Trim('<', '>').Trim()) : null;

    private static string Synthesised(string from, string? date, string subject, string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{from}\n{date}\n{subject}\n{text}"));
        return $"sha256-{Convert.ToHexStringLower(hash)[..32]}@supporthub.invalid";
    }

    private static string? Field(InboundParseForm form, string name, string? charset) =>
        form.Fields.TryGetValue(name, out var bytes) ? Mime.Decode(bytes, charset) : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
