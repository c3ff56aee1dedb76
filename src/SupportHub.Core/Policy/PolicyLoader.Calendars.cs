using System.Text.Json;
using NodaTime;
using SupportHub.Calendars;

namespace SupportHub.Policy;

public sealed partial class PolicyLoader
{
    private static readonly IReadOnlyList<(string Key, IsoDayOfWeek Day)> WeekDays =
    [
        ("mon", IsoDayOfWeek.Monday), ("tue", IsoDayOfWeek.Tuesday), ("wed", IsoDayOfWeek.Wednesday),
        ("thu", IsoDayOfWeek.Thursday), ("fri", IsoDayOfWeek.Friday), ("sat", IsoDayOfWeek.Saturday),
        ("sun", IsoDayOfWeek.Sunday),
    ];

    // Every calendar name the document defines, even a broken one, so a reference to it is not
    // reported as unknown on top of the calendar's own problem.
    private readonly HashSet<string> calendarNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BusinessCalendar> calendars = new(StringComparer.Ordinal);

    private void ReadCalendars(JsonElement root, DateTimeZone organizationZone)
    {
        var entries = reader.Map(root, "", "calendars", required: true);
        RequireEntries(root, "", "calendars", entries.Count, "define at least one calendar");
        foreach (var (name, calendar, path) in entries)
        {
            calendarNames.Add(name);
            if (!CheckName(name, path, "calendar") || !reader.CheckObject(calendar, path, "calendars.*"))
            {
                continue;
            }
            var zone = TimeZone(calendar, path, "timeZone", required: false) ?? organizationZone;
            var alwaysOpen = reader.Bool(calendar, path, "alwaysOpen");
            var weekly = reader.Field(calendar, path, "weekly", required: false);
            var holidays = ReadHolidays(calendar, path);
            if (alwaysOpen == true)
            {
                if (weekly is not null)
                {
                    reader.Add(PolicyReader.Child(path, "weekly"), "an alwaysOpen calendar has no weekly hours; keep one of the two");
                }
                if (holidays.Count > 0)
                {
                    reader.Add(PolicyReader.Child(path, "holidays"), "an alwaysOpen calendar is open on holidays too; remove them or give weekly hours instead");
                }
                calendars[name] = BusinessCalendar.CreateAlwaysOpen(name, zone);
            }
            else if (weekly is not { } weeklyHours)
            {
                reader.Add(path, alwaysOpen == false
                    ? "has \"alwaysOpen\": false but no \"weekly\" hours"
                    : "needs \"weekly\" opening hours or \"alwaysOpen\": true");
            }
            else if (ReadWeekly(weeklyHours, PolicyReader.Child(path, "weekly")) is { } intervals)
            {
                calendars[name] = new BusinessCalendar(name, zone, intervals, holidays);
            }
        }
    }

    private Dictionary<IsoDayOfWeek, IReadOnlyList<OpeningInterval>>? ReadWeekly(JsonElement weekly, string path)
    {
        if (!reader.CheckObject(weekly, path, "calendars.*.weekly"))
        {
            return null;
        }
        var result = new Dictionary<IsoDayOfWeek, IReadOnlyList<OpeningInterval>>();
        foreach (var (key, day) in WeekDays)
        {
            var parsed = new List<(OpeningInterval Interval, string Path)>();
            foreach (var (item, itemPath) in reader.Array(weekly, path, key, required: false))
            {
                if (reader.StringValue(item, itemPath) is not { } text)
                {
                    continue;
                }
                if (OpeningInterval.TryParse(text, out var error) is { } interval)
                {
                    parsed.Add((interval, itemPath));
                }
                else
                {
                    reader.Add(itemPath, error!);
                }
            }
            // Intervals are [start, end): 09:00-12:00 and 12:00-17:00 touch but do not overlap.
            var ordered = parsed.OrderBy(p => p.Interval.StartMinute).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var (earlier, earlierPath) = ordered[i - 1];
                var (later, laterPath) = ordered[i];
                if (later.StartMinute < earlier.EndMinute)
                {
                    var (reported, other) = string.CompareOrdinal(laterPath, earlierPath) > 0 ? (laterPath, earlierPath) : (earlierPath, laterPath);
                    reader.Add(reported, $"\"{later}\" overlaps \"{earlier}\" ({other})");
                }
            }
            if (ordered.Count > 0)
            {
                result[day] = [.. ordered.Select(p => p.Interval)];
            }
        }
        if (result.Count == 0)
        {
            reader.Add(path, "is never open: give at least one day an interval, or use \"alwaysOpen\": true");
        }
        return result;
    }

    private List<LocalDate> ReadHolidays(JsonElement calendar, string path)
    {
        var holidays = new List<LocalDate>();
        var seen = new Dictionary<LocalDate, string>();
        foreach (var (item, itemPath) in reader.Array(calendar, path, "holidays", required: false))
        {
            if (reader.StringValue(item, itemPath) is not { } text)
            {
                continue;
            }
            if (PolicyFormats.ParseDate(text, out var error) is not { } date)
            {
                reader.Add(itemPath, error!);
            }
            else if (seen.TryGetValue(date, out var first))
            {
                reader.Add(itemPath, $"\"{text}\" is listed twice (also {first})");
            }
            else
            {
                seen[date] = itemPath;
                holidays.Add(date);
            }
        }
        return holidays;
    }

    private string? CalendarReference(JsonElement owner, string path, string name, bool required)
    {
        if (reader.String(owner, path, name, required) is not { } calendar)
        {
            return null;
        }
        if (!calendarNames.Contains(calendar))
        {
            reader.Add(PolicyReader.Child(path, name), $"unknown calendar \"{calendar}\"{NameSuggestion.Hint(calendar, calendarNames)}");
            return null;
        }
        return calendar;
    }
}
