using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SupportHub.Calendars;

namespace SupportHub.Sla;

/// <summary>
/// The one-line account of how a due time was computed, e.g.
/// <c>received Fri 18:30 after hours; opens Tue 09:00 (Mon 23 Nov holiday); + 4 business hours = Tue 13:00</c>.
/// Times are local to the clock calendar; a date is added when the time is a week or more away.
/// </summary>
public static class DueExplanation
{
    private static readonly LocalDateTimePattern DayTime = LocalDateTimePattern.CreateWithInvariantCulture("ddd HH:mm");
    private static readonly LocalDateTimePattern DayTimeSeconds = LocalDateTimePattern.CreateWithInvariantCulture("ddd HH:mm:ss");
    private static readonly LocalDatePattern DayDate = LocalDatePattern.CreateWithInvariantCulture("ddd d MMM");
    private static readonly LocalDatePattern DayDateYear = LocalDatePattern.CreateWithInvariantCulture("ddd d MMM uuuu");

    public static string For(BusinessCalendar calendar, PolicyDuration amount, Instant received, Instant start, Instant due)
    {
        var zone = calendar.Zone;
        var receivedLocal = received.InZone(zone);
        var text = $"received {Time(receivedLocal.LocalDateTime, receivedLocal.Date)}";
        if (amount.IsBusiness)
        {
            if (start == received)
            {
                text += calendar.AlwaysOpen ? "" : " during business hours";
            }
            else
            {
                var startLocal = start.InZone(zone).LocalDateTime;
                text += $" after hours; opens {Time(startLocal, receivedLocal.Date)}{Holidays(calendar, receivedLocal.Date, startLocal.Date)}";
            }
        }
        var dueLocal = due.InZone(zone);
        text += $"; + {Amount(amount)} = {Time(dueLocal.LocalDateTime, receivedLocal.Date)}";
        if (amount.Unit is DurationUnit.Days or DurationUnit.Weeks && dueLocal.TimeOfDay != receivedLocal.TimeOfDay)
        {
            text += $" ({receivedLocal.TimeOfDay:HH:mm} does not exist that day: first time after the DST gap)";
        }
        if (amount.Unit == DurationUnit.BusinessDays && amount.Amount > 0)
        {
            var landing = calendar.AddBusinessDaysExplained(received, amount.Amount);
            if (landing.Clamped)
            {
                var hours = string.Join(", ", calendar.IntervalsOn(landing.Date));
                text += $" ({start.InZone(zone).TimeOfDay:HH:mm} is outside {DayDate.Format(landing.Date)} hours {hours})";
            }
        }
        var startOffset = start.InZone(zone).Offset;
        if (dueLocal.Offset != startOffset)
        {
            text += $" (UTC offset {startOffset} → {dueLocal.Offset})";
        }
        return text;
    }

    /// <summary>What <see cref="SlaClock.Resume"/> appends when Pending time moved the due time.</summary>
    public static string Paused(BusinessCalendar calendar, bool businessTime, Duration paused, Instant received, Instant due)
    {
        var receivedDate = received.InZone(calendar.Zone).Date;
        return $"; paused {Span(paused)}{(businessTime ? " of business time" : "")} while Pending = "
            + Time(due.InZone(calendar.Zone).LocalDateTime, receivedDate);
    }

    private static string Time(LocalDateTime local, LocalDate reference)
    {
        var dayTime = (local.Second != 0 || local.NanosecondOfSecond != 0 ? DayTimeSeconds : DayTime).Format(local);
        var days = Period.Between(reference, local.Date, PeriodUnits.Days).Days;
        if (days is >= 0 and < 7)
        {
            return dayTime;
        }
        var date = (local.Year == reference.Year ? DayDate : DayDateYear).Format(local.Date);
        return date + dayTime[3..];
    }

    private static string Holidays(BusinessCalendar calendar, LocalDate from, LocalDate to)
    {
        // Only holidays that closed a day the weekly hours would have opened explain a delay.
        var skipped = calendar.Holidays
            .Where(h => h >= from && h <= to && calendar.Weekly.TryGetValue(h.DayOfWeek, out var hours) && hours.Count > 0)
            .Order()
            .Select(h => DayDate.Format(h))
            .ToList();
        return skipped.Count switch
        {
            0 => "",
            1 => $" ({skipped[0]} holiday)",
            _ => $" ({string.Join(", ", skipped)} holidays)",
        };
    }

    private static string Amount(PolicyDuration amount)
    {
        var unit = amount.Unit switch
        {
            DurationUnit.Minutes => "minute",
            DurationUnit.Hours => "hour",
            DurationUnit.Days => "day",
            DurationUnit.Weeks => "week",
            DurationUnit.BusinessMinutes => "business minute",
            DurationUnit.BusinessHours => "business hour",
            _ => "business day",
        };
        return amount.Amount.ToString(CultureInfo.InvariantCulture) + " " + unit + (amount.Amount == 1 ? "" : "s");
    }

    private static string Span(Duration duration)
    {
        var minutes = (long)Math.Round(duration.TotalMinutes);
        var (hours, rest) = (minutes / 60, minutes % 60);
        return hours == 0 ? $"{rest}m" : rest == 0 ? $"{hours}h" : $"{hours}h{rest:00}m";
    }
}
