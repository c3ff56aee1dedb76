using BenchmarkDotNet.Attributes;
using NodaTime;
using SupportHub.Calendars;

namespace SupportHub.Benchmarks;

/// <summary>
/// Due-date arithmetic over a realistic calendar: Mon–Fri 09:00–12:00 and 13:00–17:00
/// America/Chicago with US holidays 2025–2028, for random received instants in 2026–2027.
/// Each invocation computes <see cref="Count"/> due dates, so the reported ops are due dates.
/// </summary>
[MemoryDiagnoser]
[OperationsPerSecond]
public class DueDateBenchmarks
{
    private const int Count = 4096;

    private static readonly PolicyDuration FourBusinessHours = PolicyDuration.Parse("4bh");
    private static readonly PolicyDuration TwoBusinessDays = PolicyDuration.Parse("2bd");
    private static readonly PolicyDuration ThirtyDays = PolicyDuration.Parse("30d");

    private BusinessCalendar calendar = null!;
    private Instant[] received = null!;

    [GlobalSetup]
    public void Setup()
    {
        var zone = DateTimeZoneProviders.Tzdb["America/Chicago"];
        OpeningInterval[] day = [new(9 * 60, 12 * 60), new(13 * 60, 17 * 60)];
        var weekly = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<OpeningInterval>)day);
        var holidays = Enumerable.Range(2025, 4).SelectMany(UsHolidays);
        calendar = new BusinessCalendar("business", zone, weekly, holidays);

        var random = new Random(20261120);
        var from = Instant.FromUtc(2026, 1, 1, 0, 0);
        var seconds = (int)(Instant.FromUtc(2028, 1, 1, 0, 0) - from).TotalSeconds;
        received = [.. Enumerable.Range(0, Count).Select(_ => from + Duration.FromSeconds(random.Next(seconds)))];

        // Build the year tables outside the measurement, as a long-running host would have them.
        foreach (var instant in received)
        {
            calendar.Add(instant, PolicyDuration.Parse("60bd"));
        }
    }

    private static IEnumerable<LocalDate> UsHolidays(int year) =>
    [
        new(year, 1, 1),
        Nth(year, 1, IsoDayOfWeek.Monday, 3),
        Nth(year, 2, IsoDayOfWeek.Monday, 3),
        Last(year, 5, IsoDayOfWeek.Monday),
        new(year, 6, 19),
        new(year, 7, 4),
        Nth(year, 9, IsoDayOfWeek.Monday, 1),
        Nth(year, 11, IsoDayOfWeek.Thursday, 4),
        Nth(year, 11, IsoDayOfWeek.Thursday, 4).PlusDays(1),
        new(year, 12, 25),
    ];

    private static LocalDate Nth(int year, int month, IsoDayOfWeek day, int n) =>
        new LocalDate(year, month, 1).PlusDays(-1).Next(day).PlusWeeks(n - 1);

    private static LocalDate Last(int year, int month, IsoDayOfWeek day) =>
        new LocalDate(year, month, 1).PlusMonths(1).Previous(day);

    [Benchmark(OperationsPerInvoke = Count)]
    public long FourBusinessHoursDue() => Sum(FourBusinessHours);

    [Benchmark(OperationsPerInvoke = Count)]
    public long TwoBusinessDaysDue() => Sum(TwoBusinessDays);

    [Benchmark(OperationsPerInvoke = Count)]
    public long ThirtyDaysDue() => Sum(ThirtyDays);

    private long Sum(PolicyDuration duration)
    {
        var sum = 0L;
        foreach (var instant in received)
        {
            sum += calendar.Add(instant, duration).ToUnixTimeTicks();
        }
        return sum;
    }
}
