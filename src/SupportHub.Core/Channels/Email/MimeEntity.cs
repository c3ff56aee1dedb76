using System.Text;

namespace SupportHub.Channels.Email;

/// <summary>
/// One MIME entity (RFC 2045/2046) read from bytes: its headers and either its body or, for a
/// multipart, its parts. Lenient where mail in the wild is sloppy (bare LF line ends, a missing
/// closing boundary, unknown charsets), strict where leniency would cost memory: nesting stops at
/// <see cref="MaxDepth"/> and a multipart keeps at most <see cref="MaxParts"/> parts.
/// </summary>
public sealed class MimeEntity
{
    public const int MaxDepth = 8;
    public const int MaxParts = 500;

    private MimeEntity(MimeHeaders headers, ReadOnlyMemory<byte> body, IReadOnlyList<MimeEntity> parts)
    {
        Headers = headers;
        Body = body;
        Parts = parts;
        ContentType = HeaderValue.Parse(headers["Content-Type"]);
        Disposition = HeaderValue.Parse(headers["Content-Disposition"]);
    }

    public MimeHeaders Headers { get; }

    /// <summary>The body as transferred (still base64 or quoted-printable); for a multipart, everything after the headers.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The parts of a multipart; empty otherwise.</summary>
    public IReadOnlyList<MimeEntity> Parts { get; }

    public HeaderValue ContentType { get; }

    public HeaderValue Disposition { get; }

    /// <summary>Lower-case <c>type/subtype</c>; <c>text/plain</c> when the entity does not say (RFC 2045 §5.2).</summary>
    public string MediaType => ContentType.Value.Length == 0 ? "text/plain" : ContentType.Value;

    public bool IsMultipart => MediaType.StartsWith("multipart/", StringComparison.Ordinal);

    /// <summary>The file name from Content-Disposition's <c>filename</c> or Content-Type's <c>name</c>.</summary>
    public string? FileName => Disposition.Parameter("filename") ?? ContentType.Parameter("name");

    public bool IsAttachment =>
        Disposition.Value == "attachment"
        || (FileName is not null && Disposition.Value != "inline")
        || (!IsMultipart && !MediaType.StartsWith("text/", StringComparison.Ordinal));

    public static MimeEntity Parse(ReadOnlyMemory<byte> data) => Parse(data, 0);

    /// <summary>The body with its Content-Transfer-Encoding undone.</summary>
    public byte[] DecodedBody() =>
        (Headers["Content-Transfer-Encoding"]?.Trim().ToLowerInvariant()) switch
        {
            "base64" => TransferEncodings.DecodeBase64(Body.Span),
            "quoted-printable" => TransferEncodings.DecodeQuotedPrintable(Body.Span),
            _ => Body.ToArray(),
        };

    /// <summary>The body as text in its declared charset.</summary>
    public string Text() => Charsets.Decode(DecodedBody(), ContentType.Parameter("charset"));

    /// <summary>Every leaf entity, depth first, in order.</summary>
    public IEnumerable<MimeEntity> Leaves()
    {
        if (!IsMultipart)
        {
            yield return this;
            yield break;
        }
        foreach (var leaf in Parts.SelectMany(p => p.Leaves()))
        {
            yield return leaf;
        }
    }

    private static MimeEntity Parse(ReadOnlyMemory<byte> data, int depth)
    {
        var span = data.Span;
        var bodyStart = HeaderEnd(span, out var headerLength);
        var headers = MimeHeaders.Parse(span[..headerLength]);
        var body = data[bodyStart..];
        var contentType = HeaderValue.Parse(headers["Content-Type"]);
        if (contentType.Value.StartsWith("multipart/", StringComparison.Ordinal)
            && contentType.Parameter("boundary") is { Length: > 0 } boundary
            && depth < MaxDepth)
        {
            var parts = SplitParts(body, boundary).Select(p => Parse(p, depth + 1)).ToList();
            return new MimeEntity(headers, body, parts);
        }
        return new MimeEntity(headers, body, []);
    }

    /// <summary>Where the body starts: after the first empty line. No empty line means no body.</summary>
    private static int HeaderEnd(ReadOnlySpan<byte> span, out int headerLength)
    {
        var lineStart = 0;
        while (lineStart < span.Length)
        {
            var lf = span[lineStart..].IndexOf((byte)'\n');
            var lineEnd = lf < 0 ? span.Length : lineStart + lf;
            var line = span[lineStart..lineEnd];
            if (line.Length == 0 || (line.Length == 1 && line[0] == '\r'))
            {
                headerLength = lineStart;
                return Math.Min(span.Length, lineEnd + 1);
            }
            if (lf < 0)
            {
                break;
            }
            lineStart = lineEnd + 1;
        }
        headerLength = span.Length;
        return span.Length;
    }

    /// <summary>
    /// The parts between <c>--boundary</c> lines (RFC 2046 §5.1.1): the line break before a delimiter
    /// belongs to the delimiter; the preamble and the epilogue are dropped; a missing close delimiter
    /// ends the last part at the end of the data.
    /// </summary>
    internal static List<ReadOnlyMemory<byte>> SplitParts(ReadOnlyMemory<byte> body, string boundary)
    {
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var span = body.Span;
        var parts = new List<ReadOnlyMemory<byte>>();
        var partStart = -1;
        var lineStart = 0;
        while (lineStart <= span.Length && parts.Count < MaxParts)
        {
            var lf = lineStart < span.Length ? span[lineStart..].IndexOf((byte)'\n') : -1;
            var lineEnd = lf < 0 ? span.Length : lineStart + lf;
            var line = span[lineStart..lineEnd];
            if (line.StartsWith(delimiter) && IsDelimiterRest(line[delimiter.Length..], out var close))
            {
                if (partStart >= 0)
                {
                    var end = lineStart;
                    // The CRLF (or LF) before the delimiter is part of the delimiter.
                    if (end > partStart && span[end - 1] == '\n')
                    {
                        end--;
                        if (end > partStart && span[end - 1] == '\r')
                        {
                            end--;
                        }
                    }
                    parts.Add(body[partStart..end]);
                }
                if (close)
                {
                    return parts;
                }
                partStart = Math.Min(span.Length, lineEnd + 1);
            }
            if (lf < 0)
            {
                break;
            }
            lineStart = lineEnd + 1;
        }
        if (partStart >= 0 && partStart < span.Length && parts.Count < MaxParts)
        {
            parts.Add(body[partStart..]);
        }
        return parts;
    }

    // After "--boundary": "--" for the close delimiter, then only transport padding (spaces, tabs, CR).
    private static bool IsDelimiterRest(ReadOnlySpan<byte> rest, out bool close)
    {
        close = rest.StartsWith("--"u8);
        if (close)
        {
            rest = rest[2..];
        }
        foreach (var b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>Content-Transfer-Encoding decoders (RFC 2045 §6.7, §6.8), lenient about what mailers get wrong.</summary>
public static class TransferEncodings
{
    /// <summary>Base64 ignoring line breaks and anything outside the alphabet; missing padding is tolerated.</summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> encoded)
    {
        var chars = new StringBuilder(encoded.Length);
        foreach (var b in encoded)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'+' or (byte)'/')
            {
                chars.Append((char)b);
            }
        }
        // A lone trailing character cannot encode a byte; drop it.
        if (chars.Length % 4 == 1)
        {
            chars.Length--;
        }
        chars.Append('=', (4 - (chars.Length % 4)) % 4);
        return Convert.FromBase64String(chars.ToString());
    }

    /// <summary>Quoted-printable: <c>=XX</c> escapes, soft line breaks, trailing whitespace on a line
    /// removed; a malformed <c>=</c> is kept as it is.</summary>
    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> encoded)
    {
        var output = new List<byte>(encoded.Length);
        var lineStart = 0;
        while (lineStart < encoded.Length)
        {
            var lf = encoded[lineStart..].IndexOf((byte)'\n');
            var hasBreak = lf >= 0;
            var lineEnd = hasBreak ? lineStart + lf : encoded.Length;
            var line = encoded[lineStart..lineEnd];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }
            line = line.TrimEnd(" \t"u8);
            var soft = line.Length > 0 && line[^1] == '=';
            if (soft)
            {
                line = line[..^1];
            }
            for (var i = 0; i < line.Length; i++)
            {
                if (line[i] == '=' && i + 2 < line.Length && IsHex(line[i + 1]) && IsHex(line[i + 2]))
                {
                    output.Add((byte)((HexValue(line[i + 1]) << 4) | HexValue(line[i + 2])));
                    i += 2;
                }
                else
                {
                    output.Add(line[i]);
                }
            }
            if (hasBreak && !soft)
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
            }
            lineStart = lineEnd + 1;
        }
        return [.. output];
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
