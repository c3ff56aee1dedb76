using NodaTime;
using SupportHub.Policy;

namespace SupportHub.Sla;

/// <summary>
/// What a ticket is owed, decided from the policy when it is received (POLICY.md "Which calendar a
/// ticket's clock uses"): its tier, its effective severity, its clock calendar and its clocks.
/// Whether it arrived after hours and needs billing approval is Billing's question
/// (<c>AfterHoursWork</c>), asked with the <see cref="Emergency"/> decided here.
/// </summary>
/// <param name="Account">The account id; null when no account matched (the policy's default tier).</param>
/// <param name="RequestedSeverity">The severity the requester asked for.</param>
/// <param name="Severity">The severity worked: 2 when an emergency came from someone not allowed to raise one.</param>
/// <param name="Emergency">An emergency from a requester allowed to raise it: worked in emergency hours, never billed.</param>
/// <param name="EmergencyDowngraded">The account's emergency contacts are to be told (<c>emergency-downgraded</c>).</param>
/// <param name="ClockCalendar">Name of the calendar the clocks count in.</param>
public sealed record TicketSla(
    string? Account,
    string Tier,
    int RequestedSeverity,
    int Severity,
    bool Emergency,
    bool EmergencyDowngraded,
    Instant Received,
    string ClockCalendar,
    TicketClocks Clocks)
{
    /// <summary>The severity an emergency is treated as when its requester may not raise emergencies.</summary>
    public const int DowngradedSeverity = 2;

    /// <summary>
    /// Assesses a ticket received at <paramref name="received"/>. <paramref name="requester"/> is the
    /// requester's email address or phone number, matched against the account's contacts for the
    /// <c>emergencyContactsOnly</c> rule. Throws <see cref="ArgumentOutOfRangeException"/> for a
    /// severity level the policy does not define.
    /// </summary>
    public static TicketSla Assess(SupportPolicy policy, Account? account, int severity, string? requester, Instant received)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var tierId = account?.Tier ?? policy.DefaultTier;
        var tier = policy.Tiers[tierId];
        var terms = Terms(policy, tier, account, severity, requester);
        var clocks = TicketClocks.Start(
            policy.Calendars[terms.CalendarName], tier.Targets.GetValueOrDefault(terms.Severity), received, policy.Escalation.SlaWarningAt);
        return new TicketSla(
            account?.Id, tierId, severity, terms.Severity, terms.Emergency, terms.Downgraded,
            received, terms.CalendarName, clocks);
    }

    /// <summary>
    /// Severity change: recomputes the unmet clocks from the received instant under the new
    /// severity (and its calendar).
    /// </summary>
    public TicketSla ChangeSeverity(SupportPolicy policy, Account? account, int severity, string? requester)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var tier = policy.Tiers[Tier];
        var terms = Terms(policy, tier, account, severity, requester);
        var clocks = Clocks.Recompute(
            policy.Calendars[terms.CalendarName], tier.Targets.GetValueOrDefault(terms.Severity), policy.Escalation.SlaWarningAt);
        return this with
        {
            RequestedSeverity = severity,
            Severity = terms.Severity,
            Emergency = terms.Emergency,
            EmergencyDowngraded = terms.Downgraded,
            ClockCalendar = terms.CalendarName,
            Clocks = clocks,
        };
    }

    /// <summary>
    /// Whether <paramref name="requester"/> may raise an emergency: anyone, unless the tier's
    /// after-hours terms say <c>emergencyContactsOnly</c>; then only the account's contacts marked
    /// <c>emergency</c> (matched by email, case-insensitively, or by phone). The rule applies at any
    /// hour, as POLICY.md states it.
    /// </summary>
    public static bool MayRaiseEmergency(Tier tier, Account? account, string? requester)
    {
        ArgumentNullException.ThrowIfNull(tier);
        if (tier.AfterHours is not { EmergencyContactsOnly: true })
        {
            return true;
        }
        return account is not null && !string.IsNullOrEmpty(requester) && account.Contacts.Any(c => c.Emergency
            && (string.Equals(c.Email, requester, StringComparison.OrdinalIgnoreCase) || c.Phone == requester));
    }

    private static (int Severity, bool Emergency, bool Downgraded, string CalendarName) Terms(
        SupportPolicy policy, Tier tier, Account? account, int severity, string? requester)
    {
        var definition = policy.Severity(severity)
            ?? throw new ArgumentOutOfRangeException(nameof(severity), severity, "the policy defines no such severity level");
        var allowed = !definition.Emergency || MayRaiseEmergency(tier, account, requester);
        var emergency = definition.Emergency && allowed;
        return (allowed ? severity : DowngradedSeverity, emergency, !allowed, emergency ? tier.EmergencyHours : tier.Hours);
    }
}
