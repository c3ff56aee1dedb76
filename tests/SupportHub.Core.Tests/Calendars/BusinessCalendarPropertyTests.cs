using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SupportHub.Calendars;

namespace SupportHub.Core.Tests.Calendars;

/// <summary>
/// Laws of business-time arithmetic over random calendars (zones with and without DST, including
/// Lord Howe's 30-minute shift and Santiago's midnight change; split days; holidays; always open),
/// random instants in 2025–2028 and random amounts.
/// </summary>
public class BusinessCalendarPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(400);

    /// <summary>A generated calendar with a readable description for failure reports.</summary>
    public sealed record CalendarCase(string Description, BusinessCalendar Calendar)
    {
        public override string ToString() => Description;
    }

    public sealed record Case(CalendarCase Calendar, Instant Start, int A, int B)
    {
        public override string ToString() =>
            $"{Calendar} start={Start} ({Start.InZone(Calendar.Calendar.Zone)}) a={A} b={B}";
    }

    private static readonly Gen<IReadOnlyList<OpeningInterval>> DayGen =
        from count in Gen.Choose(0, 3)
        from boundaries in Gen.ArrayOf(Gen.Choose(0, 288), count * 2)
        select (IReadOnlyList<OpeningInterval>)Pairs(boundaries.Select(b => b * 5).Distinct().Order().ToArray());

    private static readonly Gen<CalendarCase> CalendarGen =
        from zoneId in Gen.Elements("America/Chicago", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata")
        from alwaysOpen in Gen.Frequency((1, Gen.Constant(true)), (9, Gen.Constant(false)))
        from days in Gen.ArrayOf(DayGen, 7)
        from holidayOffsets in Gen.ListOf(Gen.Choose(0, 4 * 366)).Select(l => l.Take(40).ToArray())
        select Build(zoneId, alwaysOpen, days, holidayOffsets);

    private static readonly Gen<Case> CaseGen =
        from calendar in CalendarGen
        from minute in Gen.Choose(0, 4 * 365 * 24 * 60)
        from second in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(0, 59)))
        from a in Gen.Choose(0, 6000)
        from b in Gen.Choose(0, 6000)
        select new Case(calendar, Instant.FromUtc(2025, 1, 1, 0, 0) + Duration.FromMinutes(minute) + Duration.FromSeconds(second), a, b);

    private static OpeningInterval[] Pairs(int[] sorted)
    {
        var result = new List<OpeningInterval>();
        for (var i = 0; i + 1 < sorted.Length; i += 2)
        {
            result.Add(new OpeningInterval(sorted[i], sorted[i + 1]));
        }
        return [.. result];
    }

    private static CalendarCase Build(string zoneId, bool alwaysOpen, IReadOnlyList<OpeningInterval>[] days, int[] holidayOffsets)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        if (alwaysOpen)
        {
            return new CalendarCase($"{zoneId} always open", BusinessCalendar.CreateAlwaysOpen("random", zone));
        }
        if (days.All(d => d.Count == 0))
        {
            // A calendar that never opens is refused (tested elsewhere); give it one interval.
            days[0] = [new OpeningInterval(9 * 60, 17 * 60)];
        }
        var weekly = Enumerable.Range(0, 7).ToDictionary(i => (IsoDayOfWeek)(i + 1), i => days[i]);
        var holidays = holidayOffsets.Select(d => new LocalDate(2025, 1, 1).PlusDays(d)).Distinct().Order().ToList();
        var description = $"{zoneId} " + string.Join(" ", weekly.Select(kv => $"{kv.Key.ToString()[..3]}[{string.Join(",", kv.Value)}]"))
            + $" holidays[{string.Join(",", holidays)}]";
        return new CalendarCase(description, new BusinessCalendar("random", zone, weekly, holidays));
    }

    private static void Check(Func<Case, bool> law) => FsCheck.Check.One(Runs, Prop.ForAll(Arb.From(CaseGen), law));

    private static Instant AddMinutes(BusinessCalendar calendar, Instant start, int minutes) =>
        calendar.Add(start, new PolicyDuration(minutes, DurationUnit.BusinessMinutes));

    [Fact]
    public void AddBusinessMinutes_NeverLandsInClosedTime_ExceptOnAClosingTime()
    {
        // Law: due is open, or is the end of an open interval (open just before it).
        Check(c =>
        {
            var calendar = c.Calendar.Calendar;
            var due = AddMinutes(calendar, c.Start, c.A);
            return calendar.IsOpen(due) || calendar.IsOpen(due - Duration.Epsilon);
        });
    }

    [Fact]
    public void AddBusinessDays_NeverLandsInClosedTime_ExceptOnAClosingTime()
    {
        // Same law for bd (first opening / kept time / latest closing before it), except on a
        // business day whose every interval a DST gap swallowed: it has no open instant at all.
        Check(c =>
        {
            var calendar = c.Calendar.Calendar;
            var landing = calendar.AddBusinessDaysExplained(c.Start, c.A % 30);
            return calendar.OpenIntervalsOn(landing.Date).Count == 0
                || calendar.IsOpen(landing.Due) || calendar.IsOpen(landing.Due - Duration.Epsilon);
        });
    }

    [Fact]
    public void AddBusinessMinutes_IsAssociative_ForAPositiveSecondAmount()
    {
        // Law: for b > 0, Add(s, a + b) = Add(Add(s, a), b). With b = 0 it fails on purpose when
        // Add(s, a) is a closing time (due there, but a new clock from a closing time starts at the
        // next opening), so that case is stated separately: Add(Add(s, a), 0) = NextOpening(Add(s, a)).
        Check(c =>
        {
            var calendar = c.Calendar.Calendar;
            var first = AddMinutes(calendar, c.Start, c.A);
            var composed = c.B > 0 ? AddMinutes(calendar, first, c.B) : calendar.NextOpening(first);
            return AddMinutes(calendar, c.Start, c.A + c.B) == (c.B > 0 ? composed : AddMinutes(calendar, c.Start, c.A))
                && (c.B > 0 || AddMinutes(calendar, first, 0) == composed);
        });
    }

    [Fact]
    public void Add_IsMonotonicInTheAmount_ForEveryUnit()
    {
        // Law: a ≤ b ⇒ Add(s, a u) ≤ Add(s, b u), for bm, bh, bd, m, h and d.
        Check(c =>
        {
            var calendar = c.Calendar.Calendar;
            var (small, large) = (Math.Min(c.A, c.B), Math.Max(c.A, c.B));
            return Monotonic(DurationUnit.BusinessMinutes, small, large)
                && Monotonic(DurationUnit.Minutes, small, large)
                && Monotonic(DurationUnit.BusinessHours, small / 100, large / 100)
                && Monotonic(DurationUnit.Hours, small / 100, large / 100)
                && Monotonic(DurationUnit.BusinessDays, small / 200, large / 200)
                && Monotonic(DurationUnit.Days, small / 200, large / 200);

            bool Monotonic(DurationUnit unit, int a, int b) =>
                calendar.Add(c.Start, new PolicyDuration(a, unit)) <= calendar.Add(c.Start, new PolicyDuration(b, unit));
        });
    }

    [Fact]
    public void BusinessTimeBetween_StartAndItsDue_IsTheAmount()
    {
        // Law: BusinessTimeBetween(s, Add(s, n bm)) = n minutes; the brief states it for open s,
        // and it holds for closed s too (closed time counts nothing).
        Check(c =>
        {
            var calendar = c.Calendar.Calendar;
            var due = AddMinutes(calendar, c.Start, c.A);
            return calendar.BusinessTimeBetween(c.Start, due) == Duration.FromMinutes(c.A)
                && calendar.BusinessTimeBetween(due, c.Start) == -Duration.FromMinutes(c.A);
        });
    }

    [Fact]
    public void AddBusinessMinutes_AgreesWithADayByDayWalk()
    {
        // Oracle: resolve each local interval with PolicyTime and spend the budget day by day —
        // no year tables, no binary search. Amounts stay small so the walk is short.
        Check(c =>
        {
            var calendar = c.Calendar.Calendar;
            return AddMinutes(calendar, c.Start, c.A % 2000) == Walk(calendar, c.Start, Duration.FromMinutes(c.A % 2000));
        });
    }

    private static Instant Walk(BusinessCalendar calendar, Instant start, Duration budget)
    {
        if (calendar.AlwaysOpen)
        {
            return start + budget;
        }
        var t = start;
        for (var date = start.InZone(calendar.Zone).Date.PlusDays(-1); ; date = date.PlusDays(1))
        {
            foreach (var interval in calendar.IntervalsOn(date))
            {
                var open = PolicyTime.ToInstant(date, interval.StartMinute, calendar.Zone);
                var close = PolicyTime.ToInstant(date, interval.EndMinute, calendar.Zone);
                if (close <= t || close <= open)
                {
                    continue;
                }
                if (t < open)
                {
                    t = open;
                }
                if (budget == Duration.Zero)
                {
                    return t;
                }
                if (close - t >= budget)
                {
                    return t + budget;
                }
                budget -= close - t;
                t = close;
            }
        }
    }
}
