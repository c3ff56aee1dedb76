using System.Globalization;
using System.Text.Json.Nodes;
using SupportHub.Storage;

namespace SupportHub.Intake;

/// <summary>
/// Ticket references: consecutive numbers from <see cref="First"/>, kept in one counter row
/// (<c>{"next": N}</c>, the next reference to hand out). A recorder takes a reference in the same
/// write as the ticket's decision where its store allows (the embedded SQLite file: one transaction,
/// so a failed write gives its number back and references have no gaps); otherwise
/// (<see cref="TakeAsync"/>) by a conditional update of the row before the decision is written, so
/// they stay unique and increasing, and a crash in between skips one.
/// </summary>
public static class TicketReferences
{
    /// <summary>The table of the counter row.</summary>
    public const string Table = "counters";

    /// <summary>Ticket references start here, so they never look like a severity or a count.</summary>
    public const int First = 1001;

    /// <summary>The counter row's key.</summary>
    public static EntityKey Key { get; } = new("tickets", "next");

    /// <summary>The reference a counter row (null: none yet) hands out, and the row's payload after it.</summary>
    public static (string Reference, string Counter) Take(string? counter)
    {
        var next = counter is null ? First : (int)JsonNode.Parse(counter)!["next"]!;
        return (next.ToString(CultureInfo.InvariantCulture), new JsonObject { ["next"] = next + 1 }.ToJsonString());
    }

    /// <summary>Takes the next reference with a conditional write of the counter row (for a store whose
    /// recorder cannot take it in the decision's own write); retried when another writer took it first.</summary>
    public static async Task<string> TakeAsync(IEntityStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        while (true)
        {
            var row = await store.GetAsync(Table, Key, cancellationToken);
            var (reference, counter) = Take(row?.Payload);
            try
            {
                _ = row is null
                    ? await store.CreateAsync(Table, Key, counter, cancellationToken)
                    : await store.UpdateAsync(Table, Key, counter, row.ETag, cancellationToken);
                return reference;
            }
            catch (EntityConflictException)
            {
                // Another intake took that number first: read the counter again.
            }
        }
    }
}
