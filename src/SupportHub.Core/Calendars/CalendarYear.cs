using NodaTime;

namespace SupportHub.Calendars;

/// <summary>
/// One local calendar year of a <see cref="BusinessCalendar"/> with its opening intervals resolved
/// to instants (Unix nanoseconds) once, so that due-date arithmetic is a couple of binary searches
/// instead of a walk over days: <see cref="OpenBefore"/> is the running total of open time, and
/// <see cref="BusinessDaysBefore"/> the running count of business days.
/// </summary>
/// <remarks>
/// Intervals are resolved with <see cref="PolicyTime.Resolver"/>, which never maps a later local
/// time to an earlier instant, so the resolved intervals stay sorted; an interval swallowed by a DST
/// gap resolves to nothing and is dropped, overlapping or touching intervals of a day are merged.
/// A day's 24:00 is the next day's 00:00, so a 00:00–24:00 day is 23 h long in spring and 25 h in autumn.
/// </remarks>
internal sealed class CalendarYear
{
    private CalendarYear(
        int year, LocalDate firstDate, long start, long end,
        long[] opens, long[] closes, long[] openBefore, int[] dayFirstInterval, int[] businessDaysBefore)
    {
        Year = year;
        FirstDate = firstDate;
        Start = start;
        End = end;
        Opens = opens;
        Closes = closes;
        OpenBefore = openBefore;
        DayFirstInterval = dayFirstInterval;
        BusinessDaysBefore = businessDaysBefore;
    }

    public int Year { get; }

    public LocalDate FirstDate { get; }

    /// <summary>Jan 1 00:00 local, as Unix nanoseconds; equals the previous year's <see cref="End"/>.</summary>
    public long Start { get; }

    public long End { get; }

    /// <summary>Sorted, disjoint, non-empty intervals <c>[Opens[k], Closes[k])</c>.</summary>
    public long[] Opens { get; }

    public long[] Closes { get; }

    /// <summary>Open nanoseconds of the year before interval k; one longer than <see cref="Opens"/>.</summary>
    public long[] OpenBefore { get; }

    /// <summary>Intervals of day-of-year index d are <c>[DayFirstInterval[d], DayFirstInterval[d + 1])</c>.</summary>
    public int[] DayFirstInterval { get; }

    /// <summary>Business days (dates with opening hours, not holidays) before day-of-year index d; length days + 1.</summary>
    public int[] BusinessDaysBefore { get; }

    public long TotalOpen => OpenBefore[^1];

    public int BusinessDays => BusinessDaysBefore[^1];

    public static CalendarYear Build(BusinessCalendar calendar, int year)
    {
        var first = new LocalDate(year, 1, 1);
        var days = CalendarSystem.Iso.GetDaysInYear(year);
        var opens = new List<long>(days * 2);
        var closes = new List<long>(days * 2);
        var businessDaysBefore = new int[days + 1];
        var dayFirstInterval = new int[days + 1];
        for (var d = 0; d < days; d++)
        {
            var date = first.PlusDays(d);
            var local = calendar.IntervalsOn(date);
            businessDaysBefore[d + 1] = businessDaysBefore[d] + (local.Count > 0 ? 1 : 0);
            var firstOfDay = opens.Count;
            dayFirstInterval[d] = firstOfDay;
            foreach (var interval in local)
            {
                var open = Nanos.FromAny(PolicyTime.ToInstant(date, interval.StartMinute, calendar.Zone));
                var close = Nanos.FromAny(PolicyTime.ToInstant(date, interval.EndMinute, calendar.Zone));
                if (close <= open)
                {
                    continue;
                }
                if (opens.Count > firstOfDay && open <= closes[^1])
                {
                    closes[^1] = Math.Max(closes[^1], close);
                }
                else
                {
                    opens.Add(open);
                    closes.Add(close);
                }
            }
        }
        dayFirstInterval[days] = opens.Count;
        var openBefore = new long[opens.Count + 1];
        for (var k = 0; k < opens.Count; k++)
        {
            openBefore[k + 1] = openBefore[k] + (closes[k] - opens[k]);
        }
        return new CalendarYear(
            year,
            first,
            Nanos.FromAny(PolicyTime.ToInstant(first.AtMidnight(), calendar.Zone)),
            Nanos.FromAny(PolicyTime.ToInstant(first.PlusYears(1).AtMidnight(), calendar.Zone)),
            [.. opens],
            [.. closes],
            openBefore,
            dayFirstInterval,
            businessDaysBefore);
    }

    /// <summary>Index of the first interval that closes after <paramref name="t"/>; <c>Opens.Length</c> when none does.</summary>
    public int FirstClosingAfter(long t)
    {
        int lo = 0, hi = Closes.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Closes[mid] > t)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /// <summary>Open nanoseconds of this year before <paramref name="t"/> (t within the year).</summary>
    public long OpenTimeBefore(long t)
    {
        var k = FirstClosingAfter(t);
        return k == Opens.Length ? TotalOpen : OpenBefore[k] + Math.Max(0, t - Opens[k]);
    }

    /// <summary>
    /// The instant at which the year's open time before it reaches <paramref name="openTime"/>
    /// (0 &lt; openTime ≤ <see cref="TotalOpen"/>). A total reached exactly at a closing time is that
    /// closing time, not the next opening.
    /// </summary>
    public long InstantAtOpenTime(long openTime, int fromInterval)
    {
        // Smallest j ≥ fromInterval with OpenBefore[j + 1] ≥ openTime.
        int lo = fromInterval + 1, hi = OpenBefore.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (OpenBefore[mid] >= openTime)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        var j = lo - 1;
        return Opens[j] + (openTime - OpenBefore[j]);
    }

    /// <summary>Day-of-year index of the <paramref name="rank"/>-th business day of the year (1-based, rank ≤ <see cref="BusinessDays"/>).</summary>
    public int BusinessDayOfRank(int rank)
    {
        int lo = 1, hi = BusinessDaysBefore.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (BusinessDaysBefore[mid] >= rank)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo - 1;
    }
}

/// <summary>Instants as Unix nanoseconds in a long, the unit of <see cref="CalendarYear"/>'s tables.</summary>
internal static class Nanos
{
    /// <summary>Calendar arithmetic is defined from 1700 to 2200 (UTC), well inside a long of nanoseconds.</summary>
    public static readonly Instant Min = Instant.FromUtc(1700, 1, 1, 0, 0);

    public static readonly Instant Max = Instant.FromUtc(2200, 1, 1, 0, 0);

    public static long From(Instant instant)
    {
        if (instant < Min || instant >= Max)
        {
            throw new ArgumentOutOfRangeException(
                nameof(instant), instant, "calendar arithmetic covers instants from 1700-01-01 to 2200-01-01 (UTC)");
        }
        return (instant - NodaConstants.UnixEpoch).ToInt64Nanoseconds();
    }

    /// <summary>For the tables themselves, whose first and last years reach a little past the checked range.</summary>
    public static long FromAny(Instant instant) => (instant - NodaConstants.UnixEpoch).ToInt64Nanoseconds();

    public static Instant ToInstant(long nanos) => NodaConstants.UnixEpoch + Duration.FromNanoseconds(nanos);
}
