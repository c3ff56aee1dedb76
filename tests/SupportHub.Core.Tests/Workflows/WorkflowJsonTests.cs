using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using NodaTime.Text;
using SupportHub.Workflows;

namespace SupportHub.Core.Tests.Workflows;

/// <summary>
/// WorkflowJson writes and reads instants and durations without NodaTime's patterns in the common
/// cases; the patterns stay the definition, so every value must come out exactly as the pattern
/// formats it and read back as the pattern parses it.
/// </summary>
public class WorkflowJsonTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2000);

    public sealed record Holder(Instant At, Duration Span);

    private static readonly Gen<Instant> InstantGen = Gen.Frequency(
        // Whole seconds around now: the shape every row holds.
        (6, from seconds in Gen.Choose(0, int.MaxValue) select Instant.FromUtc(2000, 1, 1, 0, 0) + Duration.FromSeconds(seconds)),
        // Fractions of a second, the far past and future: the patterns' cases.
        (2, from seconds in Gen.Choose(0, int.MaxValue) from nanos in Gen.Choose(1, 999_999_999)
            select Instant.FromUtc(1900, 1, 1, 0, 0) + Duration.FromSeconds(seconds) + Duration.FromNanoseconds(nanos)),
        (1, Gen.Elements(Instant.MinValue, Instant.MaxValue, Instant.FromUtc(1, 1, 1, 0, 0), Instant.FromUtc(9999, 12, 31, 23, 59, 59),
            Instant.FromUtc(0, 12, 31, 23, 59, 59), Instant.FromUtc(-5, 6, 1, 12, 0), Instant.FromUtc(2028, 2, 29, 0, 0))));

    private static readonly Gen<Duration> DurationGen = Gen.Frequency(
        (6, from seconds in Gen.Choose(0, int.MaxValue) select Duration.FromSeconds(seconds)),
        (2, from seconds in Gen.Choose(int.MinValue, int.MaxValue) from nanos in Gen.Choose(0, 999_999_999)
            select Duration.FromSeconds(seconds) + Duration.FromNanoseconds(nanos)),
        (1, Gen.Elements(Duration.Zero, Duration.Epsilon, -Duration.Epsilon, Duration.MinValue, Duration.MaxValue,
            Duration.FromDays(9_999_999), Duration.FromDays(16_777_215), Duration.FromDays(1) - Duration.FromSeconds(1))));

    [Fact]
    public void Serialize_InstantsAndDurations_AsThePatternsFormatThem()
    {
        Prop.ForAll(Arb.From(InstantGen), Arb.From(DurationGen), (at, span) =>
        {
            var json = WorkflowJson.Serialize(new Holder(at, span));
            var expected = $"{{\"at\":\"{InstantPattern.ExtendedIso.Format(at)}\",\"span\":\"{DurationPattern.Roundtrip.Format(span)}\"}}";
            Assert.Equal(expected, json);
            Assert.Equal(new Holder(at, span), WorkflowJson.Deserialize<Holder>(json));
        }).Check(Runs);
    }

    /// <summary>
    /// Text near the fast readers' shape, valid or not: each must read as the pattern reads it, or
    /// be refused when the pattern refuses it.
    /// </summary>
    [Theory]
    [InlineData("2026-11-02T18:22:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("2028-02-29T23:59:59Z")]
    [InlineData("2026-02-29T00:00:00Z")] // not a leap year
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-11-31T00:00:00Z")]
    [InlineData("2026-11-02T24:00:00Z")] // the pattern's business: the fast reader leaves it alone
    [InlineData("2026-11-02T18:60:00Z")]
    [InlineData("2026-11-02T18:22:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("-0005-06-01T12:00:00Z")]
    [InlineData("2026-11-02T18:22:00.5Z")]
    [InlineData("2026-11-02T18:22:00,5Z")]
    [InlineData("2026-11-02 18:22:00Z")]
    [InlineData("2026-11-0xT18:22:00Z")]
    [InlineData("2026-11-02T18:22:00+00:00")]
    [InlineData("")]
    public void Deserialize_Instant_AsThePatternParsesIt(string text)
    {
        var json = $"{{\"at\":\"{text}\",\"span\":\"0:00:00:00\"}}";
        if (InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed)
        {
            Assert.Equal(parsed.Value, WorkflowJson.Deserialize<Holder>(json).At);
        }
        else
        {
            Assert.Throws<JsonException>(() => WorkflowJson.Deserialize<Holder>(json));
        }
    }

    [Theory]
    [InlineData("0:08:00:00")]
    [InlineData("30:00:00:00")]
    [InlineData("9999999:23:59:59")]
    [InlineData("16777215:00:00:00")] // past the fast reader's seven digits
    [InlineData("16777216:00:00:00")] // past what a Duration holds
    [InlineData("99999999:00:00:00")]
    [InlineData("01:00:00:00")]
    [InlineData("1:00:00:00.25")]
    [InlineData("-1:00:00:00")]
    [InlineData("0:24:00:00")]
    [InlineData("0:00:60:00")]
    [InlineData("0:00:00:60")]
    [InlineData("1:0:00:00")]
    [InlineData("x:00:00:00")]
    [InlineData(":00:00:00")]
    [InlineData("")]
    public void Deserialize_Duration_AsThePatternParsesIt(string text)
    {
        var json = $"{{\"at\":\"2026-11-02T18:22:00Z\",\"span\":\"{text}\"}}";
        if (DurationPattern.Roundtrip.Parse(text) is { Success: true } parsed)
        {
            Assert.Equal(parsed.Value, WorkflowJson.Deserialize<Holder>(json).Span);
        }
        else
        {
            Assert.Throws<JsonException>(() => WorkflowJson.Deserialize<Holder>(json));
        }
    }
}
