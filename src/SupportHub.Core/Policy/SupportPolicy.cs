using NodaTime;
using SupportHub.Calendars;

namespace SupportHub.Policy;

// The per-customer policy of POLICY.md, as the loader (PolicyLoader) builds it once every problem
// has been ruled out: every reference in it resolves, every duration and interval parsed. Nothing
// downstream re-validates; a policy that does not load is never half-used.

/// <summary>The whole policy of one customer deployment.</summary>
/// <param name="Intake">What a new request must carry; null when the policy asks for nothing.</param>
/// <param name="Channels">Per-channel settings; null when the policy has none (every default).</param>
public sealed record SupportPolicy(
    Organization Organization,
    IReadOnlyDictionary<string, BusinessCalendar> Calendars,
    IReadOnlyList<SeverityDefinition> Severities,
    IReadOnlyDictionary<string, Tier> Tiers,
    IReadOnlyList<Account> Accounts,
    string DefaultTier,
    int DefaultSeverity,
    IReadOnlyDictionary<string, Person> People,
    IReadOnlyDictionary<string, Rotation> Rotations,
    IReadOnlyList<RotationOverride> Overrides,
    EscalationPolicy Escalation,
    LifecyclePolicy Lifecycle,
    IntakePolicy? Intake = null,
    ChannelsPolicy? Channels = null)
{
    public SeverityDefinition? Severity(int level) => Severities.FirstOrDefault(s => s.Level == level);

    public Account? FindAccount(string id) => Accounts.FirstOrDefault(a => a.Id == id);
}

/// <param name="TimeZone">Local times of rotations and overrides are in this zone; output offsets use it.</param>
public sealed record Organization(string Name, DateTimeZone TimeZone, string SupportAddress);

/// <param name="Emergency">An emergency severity is worked in the tier's emergency hours and never billed.</param>
/// <param name="Description">What the level means to a requester (seed 002's definitions); optional.</param>
public sealed record SeverityDefinition(int Level, string Name, bool Emergency, string? Description = null);

/// <param name="Hours">Calendar name for normal work.</param>
/// <param name="EmergencyHours">Calendar name for emergencies; the loader fills it with <paramref name="Hours"/> when omitted.</param>
/// <param name="Targets">Per severity level; a level may be absent (no SLA).</param>
/// <param name="AfterHours">Null when the tier has no after-hours terms (never billable).</param>
public sealed record Tier(
    string Id,
    string Hours,
    string EmergencyHours,
    IReadOnlyDictionary<int, SeverityTargets> Targets,
    AfterHoursTerms? AfterHours);

/// <summary>Response, restore and resolve targets of one severity; each optional.</summary>
public sealed record SeverityTargets(PolicyDuration? Response, PolicyDuration? Restore, PolicyDuration? Resolve);

/// <param name="Per">The billing unit, e.g. <c>hour</c>.</param>
/// <param name="EmergencyContactsOnly">Only contacts marked <c>emergency</c> may raise emergencies.</param>
public sealed record AfterHoursTerms(
    bool Billable,
    decimal Rate,
    string Currency,
    string Per,
    PolicyDuration ApprovalTimeout,
    bool EmergencyContactsOnly);

public sealed record Account(
    string Id,
    string Name,
    string Tier,
    IReadOnlyList<string> EmailDomains,
    IReadOnlyList<string> PhoneNumbers,
    IReadOnlyList<Contact> Contacts);

/// <param name="Emergency">A designated contact who may raise emergencies 24×7.</param>
/// <param name="ApprovesBilling">Receives after-hours billing approval requests.</param>
public sealed record Contact(string Name, string Email, string? Phone, bool Emergency, bool ApprovesBilling);

/// <summary>A member of staff who can be paged.</summary>
public sealed record Person(string Id, string Name, string? Email, string? Phone, string? TeamsUserId);

/// <param name="Start">Local date-time in the organization's zone of the first handoff.</param>
/// <param name="Shift">Length of one shift (<c>h</c>, <c>d</c> or <c>w</c>), repeated in local time.</param>
public sealed record Rotation(string Id, IReadOnlyList<string> Participants, LocalDateTime Start, PolicyDuration Shift);

/// <summary>Replaces a rotation's person for <c>[From, To)</c>, local times in the organization's zone.</summary>
public sealed record RotationOverride(string Rotation, string Person, LocalDateTime From, LocalDateTime To);

public sealed record EscalationPolicy(
    IReadOnlyDictionary<string, EscalationChain> Chains,
    IReadOnlyDictionary<int, string> OnCreate,
    IReadOnlyDictionary<int, NoProgressRule> NoProgress,
    double SlaWarningAt);

/// <param name="Repeat">How many more rounds after the first before <paramref name="WhenExhausted"/>.</param>
public sealed record EscalationChain(
    string Id,
    IReadOnlyList<EscalationStep> Steps,
    int Repeat,
    NotificationRule? WhenExhausted);

public sealed record EscalationStep(IReadOnlyList<NotifyTarget> Notify, IReadOnlyList<Channel> Via, PolicyDuration AckWithin);

/// <summary>Who to tell and how, without a wait (whenExhausted).</summary>
public sealed record NotificationRule(IReadOnlyList<NotifyTarget> Notify, IReadOnlyList<Channel> Via);

/// <param name="After">Counted in the ticket's clock calendar.</param>
public sealed record NoProgressRule(PolicyDuration After, IReadOnlyList<NotifyTarget> Notify, IReadOnlyList<Channel> Via);

/// <param name="RequiredFields">
/// What a new request should carry (<c>product</c>, <c>version</c>, <c>os</c>, <c>description</c>;
/// seed 002); the hub asks the requester for whichever is missing.
/// </param>
public sealed record IntakePolicy(IReadOnlyList<string> RequiredFields);

/// <summary>Per-channel settings (<c>channels</c>); a channel the policy leaves out keeps its defaults.</summary>
public sealed record ChannelsPolicy(SmsPolicy Sms);

/// <param name="ReplyToUnknown">A text from a number that is no person's phone is answered ("not on the
/// on-call list"), at most once per number per hour; by default it is kept and logged, never answered.</param>
public sealed record SmsPolicy(bool ReplyToUnknown)
{
    public static SmsPolicy Default { get; } = new(ReplyToUnknown: false);
}

public sealed record LifecyclePolicy(PolicyDuration PendingAutoSolve, PolicyDuration ReopenWindow, PolicyDuration CsatSurveyAfter);

public enum Channel
{
    Teams,
    Sms,
    Email,
}

public enum NotifyTargetKind
{
    /// <summary><c>rotation:X</c>: whoever is on call in X when the step fires.</summary>
    Rotation,
    /// <summary><c>person:id</c>.</summary>
    Person,
    /// <summary><c>account:approvers</c>: the requester's account contacts that approve billing.</summary>
    AccountApprovers,
    /// <summary><c>account:emergency</c>: the requester's account's designated emergency contacts.</summary>
    AccountEmergency,
}

/// <summary>A <c>notify</c> entry of a step: <c>rotation:primary</c>, <c>person:carol</c>, <c>account:approvers</c>.</summary>
public readonly record struct NotifyTarget(NotifyTargetKind Kind, string Name)
{
    public static NotifyTarget? TryParse(string? text) => text?.Split(':', 2) switch
    {
        ["rotation", { Length: > 0 } name] => new NotifyTarget(NotifyTargetKind.Rotation, name),
        ["person", { Length: > 0 } name] => new NotifyTarget(NotifyTargetKind.Person, name),
        ["account", "approvers"] => new NotifyTarget(NotifyTargetKind.AccountApprovers, "approvers"),
        ["account", "emergency"] => new NotifyTarget(NotifyTargetKind.AccountEmergency, "emergency"),
        _ => null,
    };

    public override string ToString() => Kind switch
    {
        NotifyTargetKind.Rotation => "rotation:" + Name,
        NotifyTargetKind.Person => "person:" + Name,
        _ => "account:" + Name,
    };
}
