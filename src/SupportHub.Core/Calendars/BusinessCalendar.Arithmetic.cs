using System.Collections.Concurrent;
using NodaTime;

namespace SupportHub.Calendars;

// The time arithmetic of POLICY.md "Durations" over a calendar. Business time is answered from
// per-year tables (CalendarYear) built on first use and kept: cost grows with the number of years
// spanned plus two binary searches, never with minutes or days.
public sealed partial class BusinessCalendar
{
    private readonly ConcurrentDictionary<int, CalendarYear> years = new();

    // The year most recently used; most questions fall in the same year as the last one.
    private CalendarYear? lastYear;

    /// <summary>The instants business arithmetic accepts (1700–2200 UTC); outside them it throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static Interval SupportedInstants { get; } = new(Nanos.Min, Nanos.Max);

    /// <summary>True when the calendar has no opening interval on any weekday; business arithmetic on it throws.</summary>
    public bool NeverOpens => !AlwaysOpen && Weekly.Values.All(intervals => intervals.Count == 0);

    /// <summary>Whether <paramref name="instant"/> falls in an opening interval <c>[open, close)</c>.</summary>
    public bool IsOpen(Instant instant)
    {
        if (AlwaysOpen)
        {
            return true;
        }
        var t = Nanos.From(instant);
        var year = YearOf(t);
        var k = year.FirstClosingAfter(t);
        return k < year.Opens.Length && year.Opens[k] <= t;
    }

    /// <summary>The instant itself when open, otherwise the start of the next opening interval.</summary>
    public Instant NextOpening(Instant instant)
    {
        if (AlwaysOpen)
        {
            return instant;
        }
        EnsureOpens();
        var t = Nanos.From(instant);
        while (true)
        {
            var year = YearOf(t);
            var k = year.FirstClosingAfter(t);
            if (k < year.Opens.Length)
            {
                return Nanos.ToInstant(Math.Max(t, year.Opens[k]));
            }
            t = year.End;
        }
    }

    /// <summary>
    /// The opening intervals of one local date as instants, DST applied: an interval in a DST gap
    /// vanishes, 00:00–24:00 on a spring-forward day is 23 hours long. Touching or overlapping
    /// intervals come back merged.
    /// </summary>
    public IReadOnlyList<Interval> OpenIntervalsOn(LocalDate date)
    {
        if (AlwaysOpen)
        {
            return [new Interval(
                PolicyTime.ToInstant(date.AtMidnight(), Zone),
                PolicyTime.ToInstant(date.PlusDays(1).AtMidnight(), Zone))];
        }
        var year = Year(date.Year);
        var day = date.DayOfYear - 1;
        var result = new List<Interval>();
        for (var k = year.DayFirstInterval[day]; k < year.DayFirstInterval[day + 1]; k++)
        {
            result.Add(new Interval(Nanos.ToInstant(year.Opens[k]), Nanos.ToInstant(year.Closes[k])));
        }
        return result;
    }

    /// <summary>
    /// The opening intervals from <paramref name="instant"/> on, day by day without end: the one
    /// containing it (unclipped) or the next. An always-open calendar yields its local days.
    /// </summary>
    public IEnumerable<Interval> OpenIntervalsFrom(Instant instant)
    {
        EnsureOpens();
        return AlwaysOpen ? WholeDaysFrom(instant) : IntervalsFrom(Nanos.From(instant));

        IEnumerable<Interval> WholeDaysFrom(Instant from)
        {
            for (var date = from.InZone(Zone).Date; ; date = date.PlusDays(1))
            {
                yield return OpenIntervalsOn(date)[0];
            }
        }

        IEnumerable<Interval> IntervalsFrom(long t)
        {
            var year = YearOf(t);
            var k = year.FirstClosingAfter(t);
            while (true)
            {
                for (; k < year.Opens.Length; k++)
                {
                    yield return new Interval(Nanos.ToInstant(year.Opens[k]), Nanos.ToInstant(year.Closes[k]));
                }
                year = Year(year.Year + 1);
                k = 0;
            }
        }
    }

    /// <summary>
    /// Where a clock for a target of <paramref name="unit"/> starts: the received instant for
    /// m, h, d and w; for bm, bh and bd the received instant if open, else the next opening.
    /// </summary>
    public Instant ClockStart(Instant received, DurationUnit unit) =>
        unit is DurationUnit.BusinessMinutes or DurationUnit.BusinessHours or DurationUnit.BusinessDays
            ? NextOpening(received)
            : received;

    /// <summary>
    /// The due instant of <paramref name="duration"/> received at <paramref name="received"/>, by
    /// POLICY.md "Durations": m/h elapsed; d and w the same local wall time later; bm/bh open time
    /// counted from <see cref="ClockStart"/>, due at a closing time when the budget runs out exactly
    /// there; bd by <see cref="AddBusinessDays"/>.
    /// </summary>
    public Instant Add(Instant received, PolicyDuration duration) => duration.Unit switch
    {
        DurationUnit.Minutes => received + Duration.FromMinutes(duration.Amount),
        DurationUnit.Hours => received + Duration.FromHours(duration.Amount),
        DurationUnit.Days => AddLocalDays(received, duration.Amount),
        DurationUnit.Weeks => AddLocalDays(received, 7 * duration.Amount),
        DurationUnit.BusinessMinutes => AddBusinessTime(received, Duration.FromMinutes(duration.Amount)),
        DurationUnit.BusinessHours => AddBusinessTime(received, Duration.FromHours(duration.Amount)),
        DurationUnit.BusinessDays => AddBusinessDays(received, duration.Amount),
        _ => throw new ArgumentOutOfRangeException(nameof(duration), duration, "unknown duration unit"),
    };

    /// <summary>The same local wall-clock time <paramref name="days"/> days later in <see cref="Zone"/>, resolved by <see cref="PolicyTime"/>.</summary>
    public Instant AddLocalDays(Instant start, int days) =>
        PolicyTime.ToInstant(start.InZone(Zone).LocalDateTime.PlusDays(days), Zone);

    /// <summary>
    /// Counts <paramref name="openTime"/> of open time from <paramref name="start"/> (or from the next
    /// opening when closed). Zero open time gives that starting point; a budget that runs out exactly
    /// at a closing time gives the closing time. Law: for b &gt; 0, Add(s, a + b) = Add(Add(s, a), b).
    /// </summary>
    public Instant AddBusinessTime(Instant start, Duration openTime)
    {
        if (openTime < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(openTime), openTime, "business time to add must not be negative");
        }
        if (AlwaysOpen)
        {
            return start + openTime;
        }
        EnsureOpens();
        var t = Nanos.From(start);
        var budget = openTime.ToInt64Nanoseconds();
        while (true)
        {
            var year = YearOf(t);
            var k = year.FirstClosingAfter(t);
            if (k == year.Opens.Length)
            {
                t = year.End;
                continue;
            }
            t = Math.Max(t, year.Opens[k]);
            if (budget == 0)
            {
                return Nanos.ToInstant(t);
            }
            var target = year.OpenBefore[k] + (t - year.Opens[k]) + budget;
            if (target <= year.TotalOpen)
            {
                return Nanos.ToInstant(year.InstantAtOpenTime(target, k));
            }
            budget = target - year.TotalOpen;
            t = year.End;
        }
    }

    /// <summary>
    /// <c>bd</c>: from the clock start s (start if open, else the next opening), the same local
    /// time-of-day on the <paramref name="days"/>-th following business day. On that day a time
    /// before its first opening becomes the first opening; a time when it is closed after having
    /// opened becomes the latest closing before it (so after its last closing, the last closing —
    /// POLICY.md's rule; in a midday break, the start of the break). Zero days gives s.
    /// </summary>
    public Instant AddBusinessDays(Instant start, int days) => AddBusinessDaysExplained(start, days).Due;

    /// <summary><see cref="AddBusinessDays"/> with the business date reached and whether its time was clamped.</summary>
    public BusinessDayLanding AddBusinessDaysExplained(Instant start, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        var clockStart = NextOpening(start);
        var local = clockStart.InZone(Zone).LocalDateTime;
        if (days == 0)
        {
            return new BusinessDayLanding(clockStart, local.Date, Clamped: false);
        }
        LocalDate date;
        if (AlwaysOpen)
        {
            date = local.Date.PlusDays(days);
        }
        else
        {
            var year = Year(local.Year);
            var rank = year.BusinessDaysBefore[local.DayOfYear] + days;
            while (rank > year.BusinessDays)
            {
                rank -= year.BusinessDays;
                year = Year(year.Year + 1);
            }
            date = year.FirstDate.PlusDays(year.BusinessDayOfRank(rank));
        }
        var (due, clamped) = ClampToBusinessTime(date, local.TimeOfDay);
        return new BusinessDayLanding(due, date, clamped);
    }

    /// <summary>
    /// Open time in <c>[from, to)</c>; negative when <paramref name="to"/> is before
    /// <paramref name="from"/>. Law: BusinessTimeBetween(s, AddBusinessTime(s, x)) = x when s is open.
    /// </summary>
    public Duration BusinessTimeBetween(Instant from, Instant to)
    {
        if (to < from)
        {
            return -BusinessTimeBetween(to, from);
        }
        if (AlwaysOpen)
        {
            return to - from;
        }
        var a = Nanos.From(from);
        var b = Nanos.From(to);
        var yearA = YearOf(a);
        var yearB = YearOf(b);
        long total;
        if (yearA.Year == yearB.Year)
        {
            total = yearB.OpenTimeBefore(b) - yearA.OpenTimeBefore(a);
        }
        else
        {
            total = yearA.TotalOpen - yearA.OpenTimeBefore(a) + yearB.OpenTimeBefore(b);
            for (var y = yearA.Year + 1; y < yearB.Year; y++)
            {
                total += Year(y).TotalOpen;
            }
        }
        return Duration.FromNanoseconds(total);
    }

    private (Instant Due, bool Clamped) ClampToBusinessTime(LocalDate date, LocalTime time)
    {
        // An interval a DST gap swallowed whole has no instant: it neither opens nor closes the day.
        var intervals = IntervalsOn(date)
            .Where(i => PolicyTime.ToInstant(date, i.StartMinute, Zone) != PolicyTime.ToInstant(date, i.EndMinute, Zone))
            .ToList();
        if (intervals.Count == 0)
        {
            // Every interval of this business day fell into the gap: its first opening, as before.
            intervals = [.. IntervalsOn(date)];
        }
        const long nanosPerMinute = NodaConstants.NanosecondsPerMinute;
        var wanted = time.NanosecondOfDay;
        var best = -1L;
        for (var i = 0; i < intervals.Count; i++)
        {
            var interval = intervals[i];
            var open = interval.StartMinute * nanosPerMinute;
            if (open <= wanted)
            {
                best = Math.Max(best, Math.Min(wanted, interval.EndMinute * nanosPerMinute));
            }
        }
        if (best < 0)
        {
            return (PolicyTime.ToInstant(date, intervals[0].StartMinute, Zone), true);
        }
        var local = best == NodaConstants.NanosecondsPerDay
            ? date.PlusDays(1).AtMidnight()
            : date.At(LocalTime.FromNanosecondsSinceMidnight(best));
        return (PolicyTime.ToInstant(local, Zone), best != wanted);
    }

    private void EnsureOpens()
    {
        if (NeverOpens)
        {
            throw new InvalidOperationException($"calendar \"{Name}\" has no opening hours on any weekday, so it never opens");
        }
    }

    private CalendarYear YearOf(long t)
    {
        var cached = lastYear;
        if (cached is not null && t >= cached.Start && t < cached.End)
        {
            return cached;
        }
        // Average Gregorian year; off by one near New Year, which the loop corrects.
        const long nanosPerYear = 31_556_952L * NodaConstants.NanosecondsPerSecond;
        var year = Year(1970 + (int)Math.Floor((double)t / nanosPerYear));
        while (t < year.Start)
        {
            year = Year(year.Year - 1);
        }
        while (t >= year.End)
        {
            year = Year(year.Year + 1);
        }
        lastYear = year;
        return year;
    }

    private CalendarYear Year(int year) => years.GetOrAdd(year, static (y, calendar) => CalendarYear.Build(calendar, y), this);
}

/// <summary>Where a <c>bd</c> target landed: the due instant, its business date, and whether the time-of-day was clamped to that day's hours.</summary>
public readonly record struct BusinessDayLanding(Instant Due, LocalDate Date, bool Clamped);
