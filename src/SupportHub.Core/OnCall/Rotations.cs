using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;

namespace SupportHub.OnCall;

/// <summary>Who is on call (POLICY.md "Rotations and overrides").</summary>
public static class Rotations
{
    /// <summary>The person id on call in <paramref name="rotation"/> at <paramref name="at"/>.</summary>
    public static string? OnCallAt(SupportPolicy policy, string rotation, Instant at)
    {
        var r = policy.Rotations[rotation];
        var local = at.InZone(policy.Organization.TimeZone).LocalDateTime;
        foreach (var o in policy.Overrides)
        {
            if (o.Rotation == rotation && o.From <= local && local < o.To)
            {
                return o.Person;
            }
        }
        var step = r.Shift.Unit switch
        {
            DurationUnit.Weeks => Period.FromDays(7 * r.Shift.Amount),
            DurationUnit.Days => Period.FromDays(r.Shift.Amount),
            _ => Period.FromHours(r.Shift.Amount),
        };
        long j = 0;
        var shiftStart = r.Start;
        while (shiftStart + step <= local)
        {
            shiftStart += step;
            j++;
        }
        while (shiftStart > local)
        {
            shiftStart -= step;
            j--;
        }
        var n = r.Participants.Count;
        return r.Participants[(int)(((j % n) + n) % n)];
    }
}
