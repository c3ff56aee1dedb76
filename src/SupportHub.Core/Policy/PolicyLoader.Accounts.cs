using System.Text.Json;

namespace SupportHub.Policy;

public sealed partial class PolicyLoader
{
    private readonly List<Account> accounts = [];

    // Whatever identifies a requester must point at one account only, or intake could not tell
    // whose ticket it is. Keys compare case-insensitively; values say where each was first seen.
    private readonly Dictionary<string, string> accountIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> emailDomains = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> contactEmails = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (string Path, int Account)> phones = new(StringComparer.Ordinal);

    private void ReadAccounts(JsonElement root)
    {
        var index = 0;
        foreach (var (account, path) in reader.Array(root, "", "accounts", required: false))
        {
            ReadAccount(account, path, index++);
        }
    }

    private void ReadAccount(JsonElement account, string path, int index)
    {
        if (!reader.CheckObject(account, path, "accounts[]"))
        {
            return;
        }
        var id = reader.String(account, path, "id", required: true);
        if (id is not null && CheckName(id, PolicyReader.Child(path, "id"), "account"))
        {
            if (accountIds.TryGetValue(id, out var first))
            {
                reader.Add(PolicyReader.Child(path, "id"), $"\"{id}\" is used twice (also {first})");
            }
            else
            {
                accountIds[id] = PolicyReader.Child(path, "id");
            }
        }
        var name = reader.String(account, path, "name", required: false);
        var tier = TierReference(account, path, "tier", required: true);

        var domains = new List<string>();
        foreach (var (item, itemPath) in reader.Array(account, path, "emailDomains", required: false))
        {
            if (reader.StringValue(item, itemPath) is not { } domain)
            {
                continue;
            }
            if (!PolicyFormats.Domain().IsMatch(domain))
            {
                reader.Add(itemPath, domain.Contains('@')
                    ? $"\"{domain}\" is an email address; give only its domain, {domain[(domain.LastIndexOf('@') + 1)..]}"
                    : $"\"{domain}\" is not a domain name (e.g. acme.gov)");
            }
            else if (Claim(emailDomains, domain, itemPath))
            {
                domains.Add(domain.ToLowerInvariant());
            }
        }

        var phoneNumbers = new List<string>();
        foreach (var (item, itemPath) in reader.Array(account, path, "phoneNumbers", required: false))
        {
            if (PhoneValue(item, itemPath) is not { } phone)
            {
                continue;
            }
            if (phones.TryGetValue(phone, out var first))
            {
                reader.Add(itemPath, $"\"{phone}\" is already listed at {first.Path}");
                continue;
            }
            phones[phone] = (itemPath, index);
            phoneNumbers.Add(phone);
        }

        var contacts = new List<Contact>();
        var contactItems = reader.Array(account, path, "contacts", required: false);
        foreach (var (item, itemPath) in contactItems)
        {
            if (ReadContact(item, itemPath, index) is { } contact)
            {
                contacts.Add(contact);
            }
        }
        // Judged on the flags as written, so a contact with some other mistake still counts here.
        var hasApprover = contactItems.Any(c => c.Value.ValueKind == JsonValueKind.Object
            && c.Value.TryGetProperty("approvesBilling", out var approves) && approves.ValueKind == JsonValueKind.True);
        if (tier is not null && billableTiers.Contains(tier) && !hasApprover)
        {
            reader.Add(PolicyReader.Child(path, "contacts"), $"tier \"{tier}\" bills after-hours work, but no contact has \"approvesBilling\": true, so nobody could approve it");
        }

        if (id is not null && tier is not null)
        {
            accounts.Add(new Account(id, name ?? id, tier, domains, phoneNumbers, contacts));
        }
    }

    private Contact? ReadContact(JsonElement contact, string path, int account)
    {
        if (!reader.CheckObject(contact, path, "accounts[].contacts[]"))
        {
            return null;
        }
        var name = reader.String(contact, path, "name", required: true);
        var email = Email(contact, path, "email", required: true);
        if (email is not null)
        {
            Claim(contactEmails, email, PolicyReader.Child(path, "email"));
        }
        var phone = Phone(contact, path, "phone");
        if (phone is not null)
        {
            // A contact may share the account's main line, but not another account's number.
            if (phones.TryGetValue(phone, out var first) && first.Account != account)
            {
                reader.Add(PolicyReader.Child(path, "phone"), $"\"{phone}\" is already listed at {first.Path}, another account");
            }
            else
            {
                phones.TryAdd(phone, (PolicyReader.Child(path, "phone"), account));
            }
        }
        var emergency = reader.Bool(contact, path, "emergency") ?? false;
        var approvesBilling = reader.Bool(contact, path, "approvesBilling") ?? false;
        return name is null || email is null ? null : new Contact(name, email, phone, emergency, approvesBilling);
    }

    /// <summary>Records where a value was first listed; false (reported) when it was listed before.</summary>
    private bool Claim(Dictionary<string, string> owners, string value, string path)
    {
        if (owners.TryGetValue(value, out var first))
        {
            reader.Add(path, $"\"{value}\" is already listed at {first}");
            return false;
        }
        owners[value] = path;
        return true;
    }
}
