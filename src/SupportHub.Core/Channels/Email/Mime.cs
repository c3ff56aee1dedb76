using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace SupportHub.Channels.Email;

/// <summary>
/// How the email channel uses MimeKit: one set of parser options, charsets by MIME name, Message-ID
/// lists. The legacy code pages mail still uses (windows-1252, iso-8859-2, koi8-r, shift_jis, …) come
/// from the runtime's <see cref="CodePagesEncodingProvider"/>, registered before the first parse as
/// MimeKit asks, so MimeKit decodes bodies and encoded words in them too.
/// </summary>
internal static class Mime
{
    public static ParserOptions Options { get; } = Create();

    private static readonly Encoding Utf8Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ParserOptions Create()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        // Nesting deeper than this is no mail a person wrote; MimeKit stops there rather than recursing on.
        return new ParserOptions { MaxMimeDepth = 16 };
    }

    /// <summary>The encoding a MIME charset name means (MimeKit's aliases: utf8, latin1, ks_c_5601-1987, …), or
    /// null when unknown or refused (UTF-7, which could spell an unpaired surrogate).</summary>
    public static Encoding? Charset(string? name)
    {
        var trimmed = name?.Trim().Trim('"', '\'');
        if (string.IsNullOrEmpty(trimmed) || trimmed.Contains("utf-7", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        _ = Options;
        try
        {
            return new ContentType("text", "plain") { Charset = trimmed }.CharsetEncoding;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Bytes in <paramref name="charset"/>; with no usable charset, UTF-8 when the bytes are valid UTF-8
    /// and windows-1252 otherwise (what an unlabelled 8-bit field most often is). Invalid sequences
    /// become U+FFFD rather than failing: a garbled letter is better than a lost ticket.
    /// </summary>
    public static string Decode(byte[] bytes, string? charset)
    {
        if (Charset(charset) is { } encoding)
        {
            return encoding.GetString(bytes);
        }
        try
        {
            return Utf8Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.GetEncoding(1252).GetString(bytes);
        }
    }

    /// <summary>RFC 2047 encoded words in text a form field already gave as characters.</summary>
    public static string DecodeWords(string value) =>
        value.Contains("=?", StringComparison.Ordinal) ? Rfc2047.DecodeText(Options, Encoding.UTF8.GetBytes(value)) : value;

    /// <summary>
    /// The message ids of a Message-ID, In-Reply-To or References value, in order, without angle
    /// brackets. A bare id with no brackets (some mailers send that) counts as one id.
    /// </summary>
    public static IReadOnlyList<string> MessageIds(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }
        var ids = MimeUtils.EnumerateReferences(value).ToList();
        if (ids.Count == 0 && value.Trim() is var bare && bare.Contains('@', StringComparison.Ordinal) && !bare.Any(char.IsWhiteSpace))
        {
            ids.Add(bare.Trim('<', '>'));
        }
        return ids;
    }

    /// <summary>Text with any unpaired surrogate replaced by U+FFFD: what reaches a ticket is Unicode text.</summary>
    public static string Text(string value)
    {
        if (value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return value;
        }
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }
        return new string(chars);
    }
}
