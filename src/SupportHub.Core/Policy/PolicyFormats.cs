using System.Globalization;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;

namespace SupportHub.Policy;

/// <summary>
/// The textual formats of a policy (names, emails, phone numbers, dates). The regular expressions
/// here are the ones schema/policy.schema.json states as patterns.
/// </summary>
internal static partial class PolicyFormats
{
    /// <summary>Ids of calendars, tiers, accounts, people, rotations and chains: they appear in paths and in <c>rotation:NAME</c>.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    public static partial Regex Name();

    /// <summary>E.164: a plus, a non-zero country code digit, at most 15 digits in all.</summary>
    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    public static partial Regex Phone();

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex Domain();

    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex Email();

    /// <summary>ISO 4217 alphabetic code.</summary>
    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    public static partial Regex Currency();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateShape();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex LocalDateTimeShape();

    private static readonly LocalDateTimePattern MinutesPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");
    private static readonly LocalDateTimePattern SecondsPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss");

    /// <summary>Parses <c>YYYY-MM-DD</c>; on failure says whether the shape is wrong or the date does not exist.</summary>
    public static LocalDate? ParseDate(string text, out string? error)
    {
        error = null;
        if (!DateShape().IsMatch(text))
        {
            error = $"\"{text}\" is not a date (use YYYY-MM-DD, e.g. 2026-12-25)";
            return null;
        }
        var result = LocalDatePattern.Iso.Parse(text);
        if (!result.Success)
        {
            error = $"\"{text}\" is not a real date";
            return null;
        }
        return result.Value;
    }

    /// <summary>Parses a local date-time <c>YYYY-MM-DDTHH:mm</c> (seconds optional), no offset.</summary>
    public static LocalDateTime? ParseLocalDateTime(string text, out string? error)
    {
        error = null;
        if (!LocalDateTimeShape().IsMatch(text))
        {
            error = $"\"{text}\" is not a local date and time (use YYYY-MM-DDTHH:mm without an offset, e.g. 2026-11-02T09:00)";
            return null;
        }
        var result = (text.Length == 16 ? MinutesPattern : SecondsPattern).Parse(text);
        if (!result.Success)
        {
            error = $"\"{text}\" is not a real date and time";
            return null;
        }
        return result.Value;
    }

    public static string Format(LocalDateTime value) => value.ToString("uuuu'-'MM'-'dd'T'HH':'mm", CultureInfo.InvariantCulture);
}
