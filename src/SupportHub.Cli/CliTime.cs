using NodaTime;
using NodaTime.Text;
using SupportHub.Calendars;

namespace SupportHub.Cli;

/// <summary>Instants on the command line and in output (CONTRACT.md: ISO 8601 with the organization's offset, to the second).</summary>
internal static class CliTime
{
    private static readonly OffsetDateTimePattern Output =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<m>");

    private static readonly OffsetDateTimePattern[] OffsetInputs =
    [
        OffsetDateTimePattern.ExtendedIso,
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>"),
    ];

    private static readonly LocalDateTimePattern[] LocalInputs =
    [
        LocalDateTimePattern.ExtendedIso,
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm"),
    ];

    /// <summary>
    /// Parses <c>2026-11-20T18:30:00-06:00</c>, <c>…Z</c>, any offset, seconds optional; a time
    /// without an offset is local to <paramref name="zone"/> (resolved as every policy local time).
    /// </summary>
    public static Instant? Parse(string text, DateTimeZone zone)
    {
        foreach (var pattern in OffsetInputs)
        {
            if (pattern.Parse(text) is { Success: true } parsed)
            {
                return parsed.Value.ToInstant();
            }
        }
        foreach (var pattern in LocalInputs)
        {
            if (pattern.Parse(text) is { Success: true } parsed)
            {
                return PolicyTime.ToInstant(parsed.Value, zone);
            }
        }
        return null;
    }

    public static string Format(Instant instant, DateTimeZone zone) => Output.Format(instant.InZone(zone).ToOffsetDateTime());

    public const string Hint = "use ISO 8601 with an offset, e.g. 2026-11-20T18:30:00-06:00 or 2026-11-21T00:30:00Z";
}
