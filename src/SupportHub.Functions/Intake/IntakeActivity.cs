namespace SupportHub.Functions.Intake;

// The queue pump gives way to intake under load. A ticket's caller is waiting on the intake route
// for the reference; the pump's work (opening the ticket, paging, acknowledging) is what the queue
// lets wait a little. On a small machine both compete for the same cores and the file's one writer,
// so while intake is busy — at least BusyAt requests in flight at once — the pump runs with fewer
// workers (QueuePumpOptions.ConcurrencyDuringIntake), and returns to full concurrency a moment after.
// A steady trickle of tickets (a few in flight at a time) never slows the pump: timers and pages
// keep their pace.

/// <summary>Counts intake requests in flight and says whether intake is busy.</summary>
/// <param name="busyAt">How many requests in flight at once make intake busy.</param>
public sealed class IntakeActivity(TimeProvider time, int busyAt = IntakeActivity.DefaultBusyAt)
{
    public const int DefaultBusyAt = 4;

    /// <summary>How long after intake was last busy the pump still gives way.</summary>
    public static TimeSpan Linger { get; } = TimeSpan.FromMilliseconds(200);

    private int _inFlight;
    private long _lastBusy; // a timestamp of `time`; 0 until intake has been busy

    /// <summary>True while at least <c>busyAt</c> requests run at once, and for <see cref="Linger"/> after.</summary>
    public bool Busy =>
        Volatile.Read(ref _inFlight) >= busyAt
        || (Interlocked.Read(ref _lastBusy) is not 0 and var busy && time.GetElapsedTime(busy) < Linger);

    /// <summary>Marks one request as started; dispose the result when it ends.</summary>
    public Scope Enter()
    {
        if (Interlocked.Increment(ref _inFlight) >= busyAt)
        {
            Interlocked.Exchange(ref _lastBusy, time.GetTimestamp());
        }
        return new Scope(this);
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) + 1 >= busyAt)
        {
            Interlocked.Exchange(ref _lastBusy, time.GetTimestamp());
        }
    }

    public readonly struct Scope(IntakeActivity activity) : IDisposable
    {
        public void Dispose() => activity.Exit();
    }
}
