using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;

namespace SupportHub.OnCall;

/// <summary>
/// Who is on call (POLICY.md "Rotations and overrides"). A rotation hands off every shift from its
/// start, counted in local time in the organization's zone — a weekly 09:00 handoff stays at
/// 09:00 local across DST — with handoff local times resolved like every policy local time
/// (<see cref="PolicyTime"/>). An override <c>[from, to)</c> replaces the rotation's person; when
/// overrides overlap, the one listed last wins.
/// </summary>
public static class OnCallSchedule
{
    /// <summary>The person id on call in rotation <paramref name="rotationId"/> at <paramref name="at"/>.</summary>
    public static string PersonOnCall(SupportPolicy policy, string rotationId, Instant at)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.Rotations.TryGetValue(rotationId, out var rotation))
        {
            throw new ArgumentException($"the policy has no rotation \"{rotationId}\"", nameof(rotationId));
        }
        return PersonOnCall(rotation, policy.Overrides, policy.Organization.TimeZone, at);
    }

    public static string PersonOnCall(Rotation rotation, IEnumerable<RotationOverride> overrides, DateTimeZone zone, Instant at)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(overrides);
        var replacement = overrides.LastOrDefault(o => o.Rotation == rotation.Id
            && PolicyTime.ToInstant(o.From, zone) <= at && at < PolicyTime.ToInstant(o.To, zone));
        if (replacement is not null)
        {
            return replacement.Person;
        }
        var n = rotation.Participants.Count;
        if (n == 0)
        {
            throw new ArgumentException($"rotation \"{rotation.Id}\" has no participants", nameof(rotation));
        }
        var j = ShiftIndex(rotation, zone, at);
        return rotation.Participants[(int)(((j % n) + n) % n)];
    }

    /// <summary>
    /// j: the number of whole shifts from the rotation's start to <paramref name="at"/>, counted in
    /// local time; negative before the start. Shift k begins at the local time start + k × shift.
    /// </summary>
    public static long ShiftIndex(Rotation rotation, DateTimeZone zone, Instant at)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        var shift = ShiftLength(rotation.Shift);
        // Local date-times as if they were UTC form a timeline without DST: local-time arithmetic.
        var start = rotation.Start.InUtc().ToInstant();
        var local = at.InZone(zone).LocalDateTime.InUtc().ToInstant();
        var j = FloorDiv((local - start).ToInt64Nanoseconds(), shift.ToInt64Nanoseconds());
        // The local estimate is off by one around DST changes, where a handoff's local time
        // resolves to another instant (first after a gap, earlier of an overlap).
        while (Handoff(j) > at)
        {
            j--;
        }
        while (Handoff(j + 1) <= at)
        {
            j++;
        }
        return j;

        Instant Handoff(long k) => PolicyTime.ToInstant((start + shift * k).InUtc().LocalDateTime, zone);
    }

    private static Duration ShiftLength(PolicyDuration shift)
    {
        var length = shift.Unit switch
        {
            DurationUnit.Minutes => Duration.FromMinutes(shift.Amount),
            DurationUnit.Hours => Duration.FromHours(shift.Amount),
            DurationUnit.Days => Duration.FromDays(shift.Amount),
            DurationUnit.Weeks => Duration.FromDays(7 * shift.Amount),
            _ => throw new ArgumentException($"a rotation shift is in m, h, d or w, not {shift}", nameof(shift)),
        };
        return length > Duration.Zero ? length : throw new ArgumentException("a rotation shift must be positive", nameof(shift));
    }

    private static long FloorDiv(long a, long b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);
}
