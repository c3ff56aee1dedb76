using NodaTime;

namespace SupportHub.Workflows;

/// <summary>
/// The common shapes of <see cref="NodaTime.Text.InstantPattern.ExtendedIso"/>
/// (<c>uuuu-MM-ddTHH:mm:ssZ</c>, whole seconds, years 1–9999) and
/// <see cref="NodaTime.Text.DurationPattern.Roundtrip"/> (<c>D:hh:mm:ss</c>, whole seconds, not
/// negative) in UTF-8 without allocating. Each method answers false for anything else, and the
/// caller falls back to the pattern: these are shortcuts, never a second definition.
/// </summary>
internal static class IsoUtf8
{
    public const int InstantLength = 20;

    /// <summary>Days of a <see cref="Duration"/> fit in 8 digits; then <c>:hh:mm:ss</c>.</summary>
    public const int MaxDurationLength = 8 + 9;

    public static bool TryFormatInstant(Instant value, Span<byte> destination)
    {
        var utc = value.InUtc();
        if (utc.NanosecondOfSecond != 0 || utc.Year is < 1 or > 9999 || destination.Length < InstantLength)
        {
            return false;
        }
        Digits(destination, 0, utc.Year, 4);
        destination[4] = (byte)'-';
        Digits(destination, 5, utc.Month, 2);
        destination[7] = (byte)'-';
        Digits(destination, 8, utc.Day, 2);
        destination[10] = (byte)'T';
        Digits(destination, 11, utc.Hour, 2);
        destination[13] = (byte)':';
        Digits(destination, 14, utc.Minute, 2);
        destination[16] = (byte)':';
        Digits(destination, 17, utc.Second, 2);
        destination[19] = (byte)'Z';
        return true;
    }

    public static bool TryParseInstant(ReadOnlySpan<byte> text, out Instant value)
    {
        value = default;
        if (text.Length != InstantLength || text[4] != '-' || text[7] != '-' || text[10] != 'T'
            || text[13] != ':' || text[16] != ':' || text[19] != 'Z'
            || !TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month)
            || !TryDigits(text, 8, 2, out var day) || !TryDigits(text, 11, 2, out var hour)
            || !TryDigits(text, 14, 2, out var minute) || !TryDigits(text, 17, 2, out var second))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        value = Instant.FromUtc(year, month, day, hour, minute, second);
        return true;
    }

    public static bool TryFormatDuration(Duration value, Span<byte> destination, out int written)
    {
        written = 0;
        if (value < Duration.Zero || value.SubsecondNanoseconds != 0 || value.Days > 99_999_999 || destination.Length < MaxDurationLength)
        {
            return false;
        }
        var days = value.Days;
        var length = days < 10 ? 1 : days < 100 ? 2 : days < 1000 ? 3 : days < 10_000 ? 4 : days < 100_000 ? 5 : days < 1_000_000 ? 6 : days < 10_000_000 ? 7 : 8;
        Digits(destination, 0, days, length);
        destination[length] = (byte)':';
        Digits(destination, length + 1, value.Hours, 2);
        destination[length + 3] = (byte)':';
        Digits(destination, length + 4, value.Minutes, 2);
        destination[length + 6] = (byte)':';
        Digits(destination, length + 7, value.Seconds, 2);
        written = length + 9;
        return true;
    }

    public static bool TryParseDuration(ReadOnlySpan<byte> text, out Duration value)
    {
        value = default;
        var length = text.Length - 9;
        // Seven digits at most: a Duration holds about 16.7 million days; longer text goes to the pattern.
        if (length is < 1 or > 7 || (length > 1 && text[0] == '0') || text[length] != ':' || text[length + 3] != ':' || text[length + 6] != ':'
            || !TryDigits(text, 0, length, out var days) || !TryDigits(text, length + 1, 2, out var hours)
            || !TryDigits(text, length + 4, 2, out var minutes) || !TryDigits(text, length + 7, 2, out var seconds)
            || hours > 23 || minutes > 59 || seconds > 59)
        {
            return false;
        }
        value = Duration.FromDays(days) + Duration.FromSeconds((hours * 3600L) + (minutes * 60L) + seconds);
        return true;
    }

    private static void Digits(Span<byte> destination, int start, int value, int count)
    {
        for (var i = start + count - 1; i >= start; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }
            value = (value * 10) + digit;
        }
        return true;
    }
}
