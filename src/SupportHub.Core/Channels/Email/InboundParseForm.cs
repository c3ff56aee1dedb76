namespace SupportHub.Channels.Email;

/// <summary>
/// A SendGrid Inbound Parse POST as the function app's form reader leaves it: each field's bytes as
/// sent (their charset is named by the <c>charsets</c> field, so they are decoded here, not there)
/// and each file's description. Reading multipart/form-data is the web framework's job; what the
/// fields mean is this channel's.
/// </summary>
/// <param name="Fields">Field name (case-insensitive) to its bytes; a repeated field keeps its first value.</param>
public sealed record InboundParseForm(IReadOnlyDictionary<string, byte[]> Fields, IReadOnlyList<InboundParseFile> Files);

/// <summary>A file part (<c>attachment1</c>…): recorded by name, type and size.</summary>
/// <param name="ContentType">As the part declares it; <c>application/octet-stream</c> when it does not.</param>
/// <param name="Content">The bytes, kept only for the parts of a delivery report (<see cref="InboundParseFormParts.KeepsContent"/>).</param>
public sealed record InboundParseFile(string Field, string FileName, string ContentType, long Length, byte[]? Content = null);

public static class InboundParseFormParts
{
    /// <summary>
    /// Whether the form reader keeps a file's bytes: only a delivery report's machine-readable parts
    /// (<c>message/delivery-status</c>, the returned <c>message/rfc822</c> or <c>text/rfc822-headers</c>),
    /// which default mode hands over as attachments; every other file is only measured.
    /// </summary>
    public static bool KeepsContent(string contentType) =>
        contentType.StartsWith("message/", StringComparison.OrdinalIgnoreCase)
        || contentType.Equals("text/rfc822-headers", StringComparison.OrdinalIgnoreCase);
}
