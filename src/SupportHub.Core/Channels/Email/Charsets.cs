using System.Text;

namespace SupportHub.Channels.Email;

/// <summary>
/// Text encodings by their MIME charset name. .NET knows UTF-8, UTF-16/32, US-ASCII and Latin-1 by
/// itself; the legacy code pages mail still uses (windows-1252, iso-8859-2, koi8-r, shift_jis, …)
/// come from <see cref="CodePagesEncodingProvider"/>, which ships with the runtime. The provider is
/// asked directly rather than registered, so nothing global changes.
/// </summary>
public static class Charsets
{
    private static readonly Encoding Utf8Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The encoding a charset name means, or null when neither .NET nor the code-page provider
    /// knows it, or .NET refuses it (UTF-7).</summary>
    public static Encoding? Find(string? charset)
    {
        var name = charset?.Trim().Trim('"', '\'');
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }
        // Mail says "utf8" and "latin1" as often as the registered names.
        name = name.ToLowerInvariant() switch
        {
            "utf8" => "utf-8",
            "latin1" or "latin-1" => "iso-8859-1",
            "ascii" => "us-ascii",
            var other => other,
        };
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name);
        }
        catch (NotSupportedException)
        {
            // UTF-7, which .NET no longer decodes (it could spell an unpaired surrogate): unknown here.
            return null;
        }
    }

    /// <summary>
    /// Decodes bytes in <paramref name="charset"/>; with no usable charset, as UTF-8 when the bytes
    /// are valid UTF-8 and as windows-1252 otherwise (what an unlabelled 8-bit message most often is).
    /// Invalid sequences become U+FFFD rather than failing: a garbled letter is better than a lost ticket.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        if (Find(charset) is { } encoding)
        {
            return encoding.GetString(bytes);
        }
        return DecodeUnlabelled(bytes);
    }

    /// <summary>Header bytes: UTF-8 when valid (RFC 6532 allows it), else windows-1252.</summary>
    public static string DecodeUnlabelled(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Utf8Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            var windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252);
            return windows1252 is null ? Encoding.Latin1.GetString(bytes) : windows1252.GetString(bytes);
        }
    }
}
