using NodaTime;
using SupportHub.Policy;

namespace SupportHub.OnCall;

/// <summary>
/// Someone a notification goes to: a member of staff (<see cref="To"/> is the person id) or an
/// account contact (<see cref="To"/> is the email address), as the timeline's <c>to</c> names them.
/// </summary>
public sealed record Recipient(string To, string Name, string? Email, string? Phone, string? TeamsUserId)
{
    public static Recipient Staff(Person person) => new(person.Id, person.Name, person.Email, person.Phone, person.TeamsUserId);

    public static Recipient Customer(Contact contact) => new(contact.Email, contact.Name, contact.Email, contact.Phone, null);
}

/// <summary>Resolves a step's <c>notify</c> entries (POLICY.md "Rotations and overrides") at the instant the step fires.</summary>
public static class Recipients
{
    /// <summary>
    /// <c>rotation:X</c> → whoever is on call in X at <paramref name="at"/>; <c>person:id</c> → that
    /// person; <c>account:approvers</c> / <c>account:emergency</c> → the requester's account contacts
    /// with that flag (none without an account).
    /// </summary>
    public static IReadOnlyList<Recipient> Resolve(SupportPolicy policy, NotifyTarget target, Account? account, Instant at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return target.Kind switch
        {
            NotifyTargetKind.Rotation => [Staff(policy, OnCallSchedule.PersonOnCall(policy, target.Name, at))],
            NotifyTargetKind.Person => [Staff(policy, target.Name)],
            NotifyTargetKind.AccountApprovers => Contacts(account, c => c.ApprovesBilling),
            NotifyTargetKind.AccountEmergency => Contacts(account, c => c.Emergency),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown notify target"),
        };
    }

    /// <summary>All of <paramref name="targets"/>, in order, each recipient once.</summary>
    public static IReadOnlyList<Recipient> Resolve(SupportPolicy policy, IEnumerable<NotifyTarget> targets, Account? account, Instant at)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return [.. targets.SelectMany(t => Resolve(policy, t, account, at)).DistinctBy(r => r.To)];
    }

    private static Recipient Staff(SupportPolicy policy, string personId) =>
        policy.People.TryGetValue(personId, out var person)
            ? Recipient.Staff(person)
            : throw new ArgumentException($"the policy has no person \"{personId}\"", nameof(personId));

    private static Recipient[] Contacts(Account? account, Func<Contact, bool> flag) =>
        account is null ? [] : [.. account.Contacts.Where(flag).Select(Recipient.Customer)];
}
