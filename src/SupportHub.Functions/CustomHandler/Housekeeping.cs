using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using SupportHub.Storage;

namespace SupportHub.Functions.CustomHandler;

// The Housekeeping timer's work: record that the timer fired (and whether it was past due) in the
// hub's health table, so an operator, or a later health check, can tell a stopped timer from a
// quiet hub. Periodic jobs that need a schedule belong here.

/// <summary>Runs on the Housekeeping timer (every five minutes).</summary>
public sealed class Housekeeping(IEntityStore store, IClock clock)
{
    public const string Table = "hubhealth";

    public static readonly EntityKey LastRun = new("timer", "housekeeping");

    public async Task RunAsync(bool pastDue, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(new { lastRun = InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()), pastDue });
        await store.SetAsync(Table, LastRun, payload, cancellationToken);
    }
}
