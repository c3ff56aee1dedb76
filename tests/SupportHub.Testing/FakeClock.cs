using NodaTime;

namespace SupportHub.Testing;

/// <summary>A clock that only moves when a test moves it. (NodaTime.Testing's FakeClock is not on the feed.)</summary>
public sealed class FakeClock(Instant now) : IClock
{
    private readonly Lock _gate = new();
    private Instant _now = now;

    /// <summary>An arbitrary but fixed starting instant, so failures reproduce.</summary>
    public static Instant Epoch { get; } = Instant.FromUtc(2026, 11, 21, 8, 0);

    public static FakeClock AtEpoch() => new(Epoch);

    public Instant GetCurrentInstant()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(Duration by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    public void Set(Instant to)
    {
        lock (_gate)
        {
            _now = to;
        }
    }
}
