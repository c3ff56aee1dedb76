using NodaTime;
using SupportHub.Calendars;
using SupportHub.Policy;

namespace SupportHub.Sla;

public readonly record struct DueTime(Instant Start, Instant Due, string Explain);

public static class SlaCalculator
{
    public static DueTime Due(SupportPolicy policy, string calendarName, Instant received, PolicyDuration budget)
    {
        var calendar = policy.Calendars[calendarName];
        var start = calendar.ClockStart(received, budget.Unit);
        var due = calendar.Add(received, budget);
        return new DueTime(start, due, $"+ {budget} = {due}");
    }
}
