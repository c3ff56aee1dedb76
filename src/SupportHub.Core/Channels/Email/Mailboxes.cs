using MimeKit;

namespace SupportHub.Channels.Email;

/// <summary>
/// A sender's mailbox as MimeKit reads an address header (<c>Dana Ortiz &lt;dana@acme.gov&gt;</c>,
/// <c>"Ortiz, Dana" &lt;dana@acme.gov&gt;</c>, <c>dana@acme.gov (Dana Ortiz)</c>, encoded words in the
/// name), then held to what the hub can answer: a local part and a dotted domain, no spaces or
/// brackets, at most 254 characters.
/// </summary>
public static class Mailboxes
{
    /// <summary>The first mailbox of an address header's text; null when there is none the hub could write to.</summary>
    public static (string? Name, string Address)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return InternetAddressList.TryParse(Mime.Options, value, out var list) ? First(list) : null;
    }

    /// <summary>The first usable mailbox of a parsed list (From may name several; the first is the author).</summary>
    public static (string? Name, string Address)? First(InternetAddressList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Mailboxes.FirstOrDefault() is not { } mailbox)
        {
            return null;
        }
        var address = mailbox.Address;
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.Any(c => char.IsWhiteSpace(c) || c is '<' or '>' or ',' or ';')
            || !address[(at + 1)..].Contains('.', StringComparison.Ordinal) || address.Length > 254)
        {
            return null;
        }
        var name = mailbox.Name?.Trim();
        return (string.IsNullOrEmpty(name) ? null : name, address);
    }
}
