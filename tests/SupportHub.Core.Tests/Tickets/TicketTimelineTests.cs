using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using NodaTime.Text;
using SupportHub.Tickets;

namespace SupportHub.Core.Tests.Tickets;

/// <summary>
/// Timeline instants are written without NodaTime's pattern in the usual case; the pattern stays
/// the definition, so both must agree for every instant in every zone.
/// </summary>
public class TicketTimelineTests
{
    private static readonly OffsetDateTimePattern Contract =
        OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<+HH:mm>");

    private static readonly Gen<Instant> InstantGen = Gen.Frequency(
        // Around now, with and without seconds and fractions.
        (6, from seconds in Gen.Choose(0, int.MaxValue) from nanos in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(0, 999_999_999)))
            select Instant.FromUtc(2000, 1, 1, 0, 0) + Duration.FromSeconds(seconds) + Duration.FromNanoseconds(nanos)),
        // Local mean time before standard zones: offsets with seconds. Years at the pattern's edges.
        (1, from seconds in Gen.Choose(0, int.MaxValue) select Instant.FromUtc(1800, 1, 1, 0, 0) + Duration.FromSeconds(seconds)),
        (1, Gen.Elements(Instant.FromUtc(1, 1, 2, 0, 0), Instant.FromUtc(9999, 12, 30, 0, 0), Instant.FromUtc(1, 1, 1, 0, 0),
            Instant.FromUtc(-3, 1, 1, 0, 0))));

    private static readonly Gen<DateTimeZone> ZoneGen = Gen.Elements(
        "America/Chicago", "UTC", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Amsterdam")
        .Select(id => DateTimeZoneProviders.Tzdb[id]);

    [Fact]
    public void Format_AnyInstantAndZone_AsThePatternFormatsIt()
    {
        Prop.ForAll(Arb.From(InstantGen), Arb.From(ZoneGen), (instant, zone) =>
            Assert.Equal(Contract.Format(instant.InZone(zone).ToOffsetDateTime()), TicketTimeline.Format(instant, zone)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(3000));
    }

    [Fact]
    public void Format_ChicagoInNovember_SecondsAndOffset()
    {
        var zone = DateTimeZoneProviders.Tzdb["America/Chicago"];
        Assert.Equal("2026-11-21T02:00:07-06:00", TicketTimeline.Format(Instant.FromUtc(2026, 11, 21, 8, 0, 7) + Duration.FromMilliseconds(999), zone));
    }
}
