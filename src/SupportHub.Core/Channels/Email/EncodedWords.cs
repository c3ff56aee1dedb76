using System.Text;
using System.Text.RegularExpressions;

namespace SupportHub.Channels.Email;

/// <summary>
/// RFC 2047 encoded words in header values: <c>=?charset?B?base64?=</c> and
/// <c>=?charset?Q?quoted_printable?=</c>. Whitespace between two adjacent encoded words is dropped
/// (RFC 2047 §6.2), and adjacent words in the same charset are decoded together, because some
/// mailers split a multi-byte character across two words. A word that cannot be decoded (unknown
/// charset, broken base64) is left as it was.
/// </summary>
public static partial class EncodedWords
{
    [GeneratedRegex(@"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    public static string Decode(string? value)
    {
        if (string.IsNullOrEmpty(value) || !value.Contains("=?", StringComparison.Ordinal))
        {
            return value ?? "";
        }
        var matches = Word().Matches(value);
        if (matches.Count == 0)
        {
            return value;
        }
        var result = new StringBuilder(value.Length);
        var position = 0;
        var i = 0;
        while (i < matches.Count)
        {
            var first = matches[i];
            result.Append(value, position, first.Index - position);

            // Gather the run of adjacent words (only whitespace between them) sharing a charset.
            var charset = CharsetOf(first);
            var bytes = new List<byte>();
            var decodable = TryWordBytes(first, bytes);
            var end = first.Index + first.Length;
            var j = i + 1;
            while (decodable && j < matches.Count
                && string.IsNullOrWhiteSpace(value[end..matches[j].Index])
                && string.Equals(CharsetOf(matches[j]), charset, StringComparison.OrdinalIgnoreCase)
                && TryWordBytes(matches[j], bytes))
            {
                end = matches[j].Index + matches[j].Length;
                j++;
            }

            if (decodable && Charsets.Find(charset) is { } encoding)
            {
                result.Append(encoding.GetString(bytes.ToArray()));
            }
            else
            {
                result.Append(value, first.Index, end - first.Index);
            }
            position = end;
            i = j;

            // Whitespace between this run and a following encoded word in another charset is dropped too.
            if (i < matches.Count && string.IsNullOrWhiteSpace(value[position..matches[i].Index]))
            {
                position = matches[i].Index;
            }
        }
        result.Append(value, position, value.Length - position);
        return result.ToString();
    }

    // "utf-8*en" carries a language (RFC 2231 §5): the charset is what comes before the star.
    private static string CharsetOf(Match word) => word.Groups[1].Value.Split('*', 2)[0];

    private static bool TryWordBytes(Match word, List<byte> into)
    {
        var text = word.Groups[3].Value;
        if (word.Groups[2].Value is "B" or "b")
        {
            var padded = text.TrimEnd('=');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var buffer = new byte[padded.Length];
            if (!Convert.TryFromBase64String(padded, buffer, out var written))
            {
                return false;
            }
            into.AddRange(buffer.AsSpan(0, written));
            return true;
        }
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            if (c == '_')
            {
                into.Add((byte)' ');
            }
            else if (c == '=' && k + 2 < text.Length && IsHex(text[k + 1]) && IsHex(text[k + 2]))
            {
                into.Add(Convert.ToByte(text.Substring(k + 1, 2), 16));
                k += 2;
            }
            else if (c > 0x7f)
            {
                return false;
            }
            else
            {
                into.Add((byte)c);
            }
        }
        return true;
    }

    internal static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
