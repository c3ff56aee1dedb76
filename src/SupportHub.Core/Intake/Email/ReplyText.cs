using System.Text.RegularExpressions;

namespace SupportHub.Intake.Email;

/// <summary>An email body as a ticket keeps it: the whole text, and the part the sender wrote in this message.</summary>
/// <param name="Full">Everything the message said, quotes and signature included (line ends as <c>\n</c>).</param>
/// <param name="New">What the sender wrote in this message (<see cref="ReplyText.NewText"/>); the whole text for a forward.</param>
public sealed record EmailBody(string Full, string New)
{
    public static EmailBody Empty { get; } = new("", "");
}

/// <summary>
/// The new part of an email: what the sender wrote, without the quoted conversation or their
/// signature, as the mail clients people use lay a reply out. A line ends the new text when it is:
/// <list type="bullet">
/// <item>a signature delimiter (<c>-- </c>, or <c>--</c> with its space stripped);</item>
/// <item>a separator before the original message: <c>-----Original Message-----</c> and its
/// translations (<c>-----Ursprüngliche Nachricht-----</c>, <c>-----Message d'origine-----</c>, …), or a
/// line of underscores before a <c>From:</c> line;</item>
/// <item>the start of an Outlook or Windows Mail header block: a <c>From:</c> line followed by at least
/// two of <c>Sent:</c>, <c>Date:</c>, <c>To:</c>, <c>Cc:</c>, <c>Subject:</c>, in English or as localized
/// Outlook writes them (<c>Von/Gesendet/An/Betreff</c>, <c>De/Envoyé/À/Objet</c>, <c>От/Отправлено/Кому/Тема</c>,
/// <c>Da/Inviato/A/Oggetto</c>, <c>De/Enviado/Para/Asunto</c>, <c>Van/Verzonden/Aan/Onderwerp</c>, …);</item>
/// <item>an attribution line, possibly wrapped over up to three lines: "On … wrote:", Yahoo's
/// "--- On … wrote:", "Am … schrieb …:", "Le … a écrit :", "El … escribió:", "Il … ha scritto:",
/// "Op … schreef …:", "Em … escreveu:", "Den … skrev …:", "… написал(а):" — unless the quote under it
/// is followed by new text (a bottom-posted or inline answer): then the attribution and the quoted
/// lines go and the text after them is kept.</item>
/// </list>
/// Lines starting with <c>&gt;</c> are quoted and dropped wherever they are, so answers written
/// between quoted lines survive. A forward is content, not a quote: when the subject says so
/// (<c>Fwd:</c>, <c>Fw:</c>, <c>WG:</c>, <c>TR:</c>, <c>RV:</c>, <c>I:</c>, <c>Doorst:</c>, <c>ENC:</c>) or a forward
/// separator comes before anything that would end the new text (a signature above it does not), the
/// whole text is kept. When
/// nothing is left (a message that is only a quote), the whole text is kept, so nothing the sender
/// sent is silently lost.
/// </summary>
public static partial class ReplyText
{
    [GeneratedRegex(@"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine|Message original|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Origineel bericht|Mensagem original|Originalmeddelande|Opprinnelig melding|Oprindelig meddelelse|Alkuperäinen viesti|Wiadomość oryginalna|Původní zpráva|Исходное сообщение)\s*-{2,}\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^(-{2,}\s*(Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada|Vidarebefordrat meddelande|Пересылаемое сообщение)\s*-{2,}|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|Début du message réexpédié :?)\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardSeparator();

    [GeneratedRegex(@"^\s*(Fwd?|Fw|WG|TR|RV|ENC|I|Doorst|VS|VL)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardSubject();

    // How an attribution ends: the verb and a colon (French puts a space, often a no-break one, before it).
    [GeneratedRegex(@"\s(wrote|schrieb(\s.+)?|a écrit|escribió|ha scritto|schreef(\s.+)?|escreveu|skrev(\s.+)?|написал\(а\)|написал|написала|napisał\(a\)|napisał|kirjoitti)\s?:$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AttributionEnd();

    // How an attribution opens, when it wraps: "On", Yahoo's "--- On", "Am", "Le", "El", "Il", "Op", "Em", "Den", "På".
    [GeneratedRegex(@"^(-{2,}\s*)?(On|Am|Le|El|Il|Op|Em|Den|På|W dniu)\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AttributionStart();

    [GeneratedRegex(@"^\*?(From|Von|De|От|Da|Van|Från|Fra|Od|Lähettäjä|Feladó|Kimden)\s?:\*?\s*\S", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderFrom();

    [GeneratedRegex(@"^\*?(Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|A|Objet|Отправлено|Дата|Кому|Копия|Тема|Inviato|Data|Oggetto|Enviado|Enviada|Fecha|Para|Asunto|Assunto|Verzonden|Aan|Onderwerp|Skickat|Till|Ämne|Sendt|Til|Emne|Wysłano|Do|Temat|Odesláno|Komu|Předmět|Lähetetty|Vastaanottaja|Aihe)\s?:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderField();

    [GeneratedRegex(@"^_{5,}\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Underscores();

    /// <summary>The whole text and the new text of a body, from its text part or, failing that, its HTML.</summary>
    public static EmailBody Read(string? text, string? html, string? subject)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            var full = Lines(text);
            return new EmailBody(full, NewText(full, subject));
        }
        if (html is { Length: > 0 })
        {
            var full = HtmlText.ToText(html);
            return new EmailBody(full, IsForward(subject) ? full : NewText(HtmlText.ToTextWithoutQuotes(html), subject) is { Length: > 0 } fresh ? fresh : full);
        }
        return EmailBody.Empty;
    }

    /// <summary>The new part of a text body (the rules above).</summary>
    public static string NewText(string text, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var whole = Lines(text);
        if (IsForward(subject))
        {
            return whole;
        }
        var lines = whole.Split('\n');
        var kept = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (ForwardSeparator().IsMatch(trimmed))
            {
                // Forwarded before anything ended the new text: the forward is what the sender sent.
                return whole;
            }
            if (line is "-- " or "--" && ForwardFollows(lines, i + 1))
            {
                // The sender's signature above what they forward: the forward is still the content.
                return whole;
            }
            if (line is "-- " or "--" || OriginalMessage().IsMatch(trimmed) || StartsHeaderBlock(lines, i)
                || (Underscores().IsMatch(trimmed) && NextNonBlank(lines, i + 1) is { } next && HeaderFrom().IsMatch(lines[next].Trim())))
            {
                break;
            }
            if (Attribution(lines, i) is { } attributionLines)
            {
                // A quote followed by new text is a bottom-posted or inline answer: drop the attribution
                // and go on (the quoted lines are dropped below); a quote to the end is the conversation.
                if (!AnswerFollowsQuote(lines, i + attributionLines))
                {
                    break;
                }
                i += attributionLines - 1;
                continue;
            }
            if (trimmed.StartsWith('>'))
            {
                continue;
            }
            kept.Add(line.TrimEnd());
        }
        var result = string.Join('\n', kept).Trim('\n', ' ');
        return result.Length == 0 ? whole : result;
    }

    /// <summary>A subject that says the message forwards another.</summary>
    public static bool IsForward(string? subject) => subject is not null && ForwardSubject().IsMatch(subject);

    private static string Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim('\n', ' ');

    /// <summary>How many lines (1–3) the attribution starting at <paramref name="i"/> takes; null when it is none.</summary>
    private static int? Attribution(string[] lines, int i)
    {
        var joined = lines[i].Trim();
        if (joined.Length == 0 || joined.StartsWith('>'))
        {
            return null;
        }
        if (AttributionEnd().IsMatch(joined))
        {
            return 1;
        }
        if (!AttributionStart().IsMatch(joined))
        {
            return null;
        }
        // Clients wrap a long attribution (Gmail at 78 columns, often inside the address).
        for (var more = 1; more <= 2 && i + more < lines.Length; more++)
        {
            var next = lines[i + more].Trim();
            if (next.Length == 0 || next.StartsWith('>'))
            {
                return null;
            }
            joined += " " + next;
            if (AttributionEnd().IsMatch(joined))
            {
                return more + 1;
            }
        }
        return null;
    }

    // A forward separator comes after a signature before anything that starts a quote.
    private static bool ForwardFollows(string[] lines, int from)
    {
        for (var i = from; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (ForwardSeparator().IsMatch(trimmed))
            {
                return true;
            }
            if (OriginalMessage().IsMatch(trimmed) || StartsHeaderBlock(lines, i) || Attribution(lines, i) is not null || trimmed.StartsWith('>'))
            {
                return false;
            }
        }
        return false;
    }

    private static bool AnswerFollowsQuote(string[] lines, int from)
    {
        var i = NextNonBlank(lines, from);
        if (i is null || !lines[i.Value].TrimStart().StartsWith('>'))
        {
            return false;
        }
        var j = i.Value;
        while (j < lines.Length && (lines[j].TrimStart().StartsWith('>') || lines[j].Trim().Length == 0))
        {
            j++;
        }
        return j < lines.Length && lines[j] is not ("-- " or "--");
    }

    private static bool StartsHeaderBlock(string[] lines, int i)
    {
        if (!HeaderFrom().IsMatch(lines[i].Trim()))
        {
            return false;
        }
        var fields = 0;
        for (var j = i + 1; j < lines.Length && j <= i + 6; j++)
        {
            var next = lines[j].Trim();
            if (next.Length == 0)
            {
                break;
            }
            if (HeaderField().IsMatch(next))
            {
                fields++;
            }
        }
        return fields >= 2;
    }

    private static int? NextNonBlank(string[] lines, int from)
    {
        for (var i = from; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length > 0)
            {
                return i;
            }
        }
        return null;
    }
}
