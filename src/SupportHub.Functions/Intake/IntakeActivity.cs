namespace SupportHub.Functions.Intake;

// The queue pump gives way to intake. A ticket's caller is waiting on the intake route for the
// reference; the pump's work (opening the ticket, paging, acknowledging) is what the queue lets wait
// a little. On a small machine both compete for the same cores and the file's one writer, so while
// intake requests are arriving the pump runs with fewer workers (QueuePumpOptions.ConcurrencyDuringIntake)
// and returns to full concurrency a moment after the last one.

/// <summary>Counts intake requests in flight and remembers when the last one ended.</summary>
public sealed class IntakeActivity(TimeProvider time)
{
    /// <summary>How long after the last intake request the pump still counts intake as busy.</summary>
    public static TimeSpan Linger { get; } = TimeSpan.FromMilliseconds(200);

    private int _inFlight;
    private long _lastEnded; // a timestamp of `time`; 0 until a request has ended

    /// <summary>True while an intake request runs, and for <see cref="Linger"/> after the last one ended.</summary>
    public bool Busy =>
        Volatile.Read(ref _inFlight) > 0
        || (Interlocked.Read(ref _lastEnded) is not 0 and var ended && time.GetElapsedTime(ended) < Linger);

    /// <summary>Marks one request as started; dispose the result when it ends.</summary>
    public Scope Enter()
    {
        Interlocked.Increment(ref _inFlight);
        return new Scope(this);
    }

    private void Exit()
    {
        Interlocked.Exchange(ref _lastEnded, time.GetTimestamp());
        Interlocked.Decrement(ref _inFlight);
    }

    public readonly struct Scope(IntakeActivity activity) : IDisposable
    {
        public void Dispose() => activity.Exit();
    }
}
