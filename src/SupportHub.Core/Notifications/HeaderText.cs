using System.Globalization;
using System.Text;

namespace SupportHub.Notifications;

// Outgoing text that becomes a header — an email's Subject, a display name, any header value, a
// Teams feed item's title — is built from what customers control: a ticket's subject comes from an
// email's Subject or the first line of a chat message, a name from a From header or a chat or IVR
// payload. A CR or LF that reached a header would end it and start another (`Bcc: x@evil`), and other
// control characters make a mail client or relay show or parse something else than was meant. So
// each sender passes such text through Clean where it composes the header; the ticket keeps what the
// customer wrote (the body of a notification may keep its newlines).
//
// The rule, and why each part is there:
// - CR, LF, TAB, VT, FF, NEL (U+0085) and the Unicode line and paragraph separators (U+2028/2029)
//   separate words, so a run of them and of spaces becomes one space (dropping them would glue
//   "payment\r\nBcc" into "paymentBcc"); a header is one line, where two spaces mean nothing more
//   than one.
// - Every other C0 control (U+0000–U+001F), DEL and every other C1 control (U+0080–U+009F) is dropped:
//   none is text, and NUL or ESC in a header are what relays and terminals misread.
// - The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are dropped:
//   they reorder what follows them on screen ("invoice\u202Efdp.exe" reads "invoiceexe.pdf"), and in a
//   header composed from parts ("Re: [#1001] " + theirs) or cut to length one is easily left open and
//   spills into the rest of the line. The marks LRM, RLM and ALM (U+200E, U+200F, U+061C) stay: they
//   reorder nothing beyond a neighbour's direction and right-to-left names need them; so do ZWJ and
//   ZWNJ (emoji, Persian).
// - A lone surrogate becomes U+FFFD, so the text always encodes (JSON, UTF-8, RFC 2047).
// - The result is trimmed and cut to a length at a text-element boundary, never inside a surrogate
//   pair or a combining sequence, with "…" to show it was cut. RFC 5322 caps a line at 998
//   characters and clients show far fewer; subjects are cut at 200, names at 100.

/// <summary>Makes customer-controlled text safe to put in a header of anything the hub sends.</summary>
public static class HeaderText
{
    /// <summary>Longest subject sent (a Teams feed title as well as an email Subject).</summary>
    public const int SubjectLength = 200;

    /// <summary>Longest display name sent.</summary>
    public const int NameLength = 100;

    /// <summary>
    /// <paramref name="text"/> on one line, without control or bidirectional override characters,
    /// trimmed, and at most <paramref name="maxLength"/> characters (cut with "…"). Null is "".
    /// Cleaning clean text changes nothing.
    /// </summary>
    public static string Clean(string? text, int maxLength = SubjectLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var clean = new StringBuilder(text.Length);
        var pendingSpace = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ' ' || IsBreak(c))
            {
                // A run of breaks and spaces: one space, written only between words.
                pendingSpace = true;
                continue;
            }

            if (IsDropped(c))
            {
                continue;
            }

            if (pendingSpace && clean.Length > 0)
            {
                clean.Append(' ');
            }

            pendingSpace = false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
            }
            else
            {
                clean.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return Cut(clean.ToString(), maxLength);
    }

    /// <summary>Characters that separate words on a line of their own: replaced by a space.</summary>
    private static bool IsBreak(char c) => c is '\r' or '\n' or '\t' or '\v' or '\f' or '\u0085' or '\u2028' or '\u2029';

    private static bool IsDropped(char c) =>
        char.IsControl(c) // C0, DEL and C1; the breaks among them are handled before
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069';

    private static string Cut(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var end = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var next = elements.ElementIndex + ((string)elements.Current).Length;
            if (next > maxLength - 1)
            {
                break;
            }

            end = next;
        }

        return text[..end].TrimEnd() + "…";
    }
}
