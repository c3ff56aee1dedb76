using System.Text;
using System.Text.RegularExpressions;

namespace SupportHub.Channels.Email;

/// <summary>One header field as it arrived, unfolded; <see cref="Value"/> is not yet RFC 2047 decoded.</summary>
public sealed record MimeHeader(string Name, string Value);

/// <summary>
/// A header block (RFC 5322 §2.2): fields in order, names compared case-insensitively. Folded lines
/// (a line starting with a space or tab continues the previous one) are unfolded; a line that is
/// neither a field nor a continuation is skipped rather than failing the message.
/// </summary>
public sealed partial class MimeHeaders
{
    private readonly List<MimeHeader> _fields;

    private MimeHeaders(List<MimeHeader> fields) => _fields = fields;

    public static MimeHeaders Empty { get; } = new([]);

    public IReadOnlyList<MimeHeader> Fields => _fields;

    /// <summary>The first field of that name, unfolded and trimmed; null when absent.</summary>
    public string? this[string name] => _fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The first field of that name with its encoded words decoded; null when absent.</summary>
    public string? Decoded(string name) => this[name] is { } value ? EncodedWords.Decode(value) : null;

    public static MimeHeaders Parse(ReadOnlySpan<byte> block) => Parse(Charsets.DecodeUnlabelled(block));

    public static MimeHeaders Parse(string block)
    {
        var fields = new List<MimeHeader>();
        string? name = null;
        var value = new StringBuilder();
        foreach (var raw in block.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                if (name is not null)
                {
                    value.Append(line);
                }
                continue;
            }
            Flush();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).IndexOfAny(" \t") < 0)
            {
                name = line[..colon];
                value.Append(line, colon + 1, line.Length - colon - 1);
            }
        }
        Flush();
        return new MimeHeaders(fields);

        void Flush()
        {
            if (name is not null)
            {
                fields.Add(new MimeHeader(name, value.ToString().Trim()));
            }
            name = null;
            value.Clear();
        }
    }

    [GeneratedRegex(@"<([^<>\s]+)>", RegexOptions.CultureInvariant)]
    private static partial Regex AngleId();

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
        var ids = AngleId().Matches(value).Select(m => m.Groups[1].Value).ToList();
        if (ids.Count == 0 && value.Trim() is var bare && bare.Contains('@', StringComparison.Ordinal) && !bare.Any(char.IsWhiteSpace))
        {
            ids.Add(bare);
        }
        return ids;
    }
}

/// <summary>
/// A structured header value with parameters: <c>Content-Type: text/plain; charset="utf-8"</c> or
/// <c>Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf</c>. Parameter names
/// are lower-cased; RFC 2231 continuations (<c>name*0</c>, <c>name*1*</c>) and charset-tagged
/// values are joined and decoded, and an RFC 2047 encoded word in a value (not standard, but
/// common in file names) is decoded too.
/// </summary>
public sealed record HeaderValue(string Value, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Parameter(string name) => Parameters.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;

    public static HeaderValue Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return new HeaderValue("", new Dictionary<string, string>());
        }
        var pieces = SplitUnquoted(header);
        var value = pieces[0].Trim().ToLowerInvariant();
        var simple = new Dictionary<string, string>(StringComparer.Ordinal);
        var sections = new Dictionary<string, SortedDictionary<int, (string Text, bool Extended)>>(StringComparer.Ordinal);
        foreach (var piece in pieces.Skip(1))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            var name = piece[..eq].Trim().ToLowerInvariant();
            var text = Unquote(piece[(eq + 1)..].Trim());
            var extended = name.EndsWith('*');
            var bare = extended ? name[..^1] : name;
            var star = bare.IndexOf('*', StringComparison.Ordinal);
            if (star > 0 && int.TryParse(bare.AsSpan(star + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                var key = bare[..star];
                if (!sections.TryGetValue(key, out var parts))
                {
                    sections[key] = parts = new SortedDictionary<int, (string, bool)>();
                }
                parts[index] = (text, extended);
            }
            else if (extended)
            {
                sections[bare] = new SortedDictionary<int, (string, bool)> { [0] = (text, true) };
            }
            else
            {
                simple.TryAdd(name, EncodedWords.Decode(text));
            }
        }
        var parameters = new Dictionary<string, string>(simple, StringComparer.Ordinal);
        foreach (var (name, parts) in sections)
        {
            // RFC 2231: the first extended section names the charset ("utf-8'en'...") for all of them.
            string? charset = null;
            var bytes = new List<byte>();
            foreach (var (index, (text, extended)) in parts)
            {
                var segment = text;
                if (extended && index == parts.Keys.First())
                {
                    var quote1 = segment.IndexOf('\'', StringComparison.Ordinal);
                    var quote2 = quote1 < 0 ? -1 : segment.IndexOf('\'', quote1 + 1);
                    if (quote2 > 0)
                    {
                        charset = segment[..quote1];
                        segment = segment[(quote2 + 1)..];
                    }
                }
                if (extended)
                {
                    PercentDecode(segment, bytes);
                }
                else
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(segment));
                }
            }
            // An RFC 2231 value wins over a plain one of the same name (mailers send both for old readers).
            parameters[name] = Charsets.Decode(bytes.ToArray(), string.IsNullOrEmpty(charset) ? "utf-8" : charset);
        }
        return new HeaderValue(value, parameters);
    }

    private static void PercentDecode(string text, List<byte> into)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && EncodedWords.IsHex(text[i + 1]) && EncodedWords.IsHex(text[i + 2]))
            {
                into.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                into.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }
    }

    private static List<string> SplitUnquoted(string header)
    {
        var pieces = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < header.Length; i++)
        {
            var c = header[i];
            if (quoted && c == '\\' && i + 1 < header.Length)
            {
                current.Append(c).Append(header[++i]);
                continue;
            }
            if (c == '"')
            {
                quoted = !quoted;
            }
            if (c == ';' && !quoted)
            {
                pieces.Add(current.ToString());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        pieces.Add(current.ToString());
        return pieces;
    }

    private static string Unquote(string text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
        {
            return text;
        }
        var result = new StringBuilder(text.Length);
        for (var i = 1; i < text.Length - 1; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length - 1)
            {
                i++;
            }
            result.Append(text[i]);
        }
        return result.ToString();
    }
}
