using NodaTime;
using NodaTime.TimeZones;

namespace SupportHub.Calendars;

/// <summary>
/// How every local date-time of a policy becomes an instant (POLICY.md "Durations"): a local time
/// skipped by a DST gap means the first instant after the gap; one that occurs twice in a DST
/// overlap means the earlier occurrence.
/// </summary>
public static class PolicyTime
{
    public static ZoneLocalMappingResolver Resolver { get; } =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    public static Instant ToInstant(LocalDateTime local, DateTimeZone zone) =>
        zone.ResolveLocal(local, Resolver).ToInstant();

    /// <summary>Minute <paramref name="minuteOfDay"/> (0–1440, 1440 = 24:00 = next midnight) of <paramref name="date"/>.</summary>
    public static Instant ToInstant(LocalDate date, int minuteOfDay, DateTimeZone zone) =>
        ToInstant(AtMinute(date, minuteOfDay), zone);

    internal static LocalDateTime AtMinute(LocalDate date, int minuteOfDay) =>
        minuteOfDay == OpeningInterval.MinutesPerDay
            ? date.PlusDays(1).AtMidnight()
            : date.At(LocalTime.FromMinutesSinceMidnight(minuteOfDay));
}
