using SupportHub.Policy;
using SupportHub.Tickets;

namespace SupportHub.Intake;

/// <summary>Which account a requester belongs to, by the policy's accounts.</summary>
public static class RequesterDirectory
{
    /// <summary>
    /// A contact's email or phone first, then the account's email domains and phone numbers, then an
    /// account the channel names; null when nothing matches (the policy's default tier applies, and
    /// the requester is still served).
    /// </summary>
    public static Account? Identify(SupportPolicy policy, Requester from, string? accountHint = null)
    {
        var email = from.Email?.Trim();
        var domain = email is not null && email.LastIndexOf('@') is var at and > 0 ? email[(at + 1)..] : null;
        return policy.Accounts.FirstOrDefault(a => a.Contacts.Any(c =>
                   (email is not null && string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase))
                   || (from.Phone is not null && c.Phone == from.Phone)))
            ?? policy.Accounts.FirstOrDefault(a =>
                   (domain is not null && a.EmailDomains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)))
                   || (from.Phone is not null && a.PhoneNumbers.Contains(from.Phone)))
            ?? (accountHint is null ? null : policy.FindAccount(accountHint));
    }

    /// <summary>
    /// The requester with what their contact entry adds: a caller known by phone gets their email, so
    /// the survey and notices reach them where they read.
    /// </summary>
    public static Requester Complete(Account? account, Requester from)
    {
        var contact = account?.Contacts.FirstOrDefault(c =>
            (from.Email is not null && string.Equals(c.Email, from.Email, StringComparison.OrdinalIgnoreCase))
            || (from.Phone is not null && c.Phone == from.Phone));
        return contact is null
            ? from
            : new Requester(from.Name ?? contact.Name, from.Email ?? contact.Email, from.Phone ?? contact.Phone);
    }
}
