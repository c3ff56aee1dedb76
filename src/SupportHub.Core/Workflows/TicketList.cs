using NodaTime;
using SupportHub.Storage;
using SupportHub.Tickets;

namespace SupportHub.Workflows;

/// <summary>One ticket as the list shows it: enough to filter and to pick one to open.</summary>
/// <param name="Version">The state version this entry was written from; an older one never overwrites a newer one.</param>
public sealed record TicketListEntry(
    string Ticket,
    TicketStatus Status,
    int Severity,
    string? Account,
    string Tier,
    string Subject,
    string Requester,
    Instant Received,
    int Version)
{
    /// <summary>Whether <paramref name="state"/> would be listed exactly as this entry (whatever its version).</summary>
    public bool Lists(TicketState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return this == From(state) with { Version = Version };
    }

    public static TicketListEntry From(TicketState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(state.Ref, state.Status, state.Severity, state.Facts.AccountId, state.Facts.Tier, state.Facts.Subject,
            state.Facts.Requester.Address, state.Facts.Received, state.Version);
    }
}

/// <summary>
/// The index behind <c>GET /api/tickets</c>: one small row per ticket in one partition of table
/// <see cref="Table"/>, so listing reads these rows instead of every ticket's partition (state,
/// outbox and history). The workflow runner refreshes a ticket's row after each message, including
/// repeats, so a crash between the ticket's save and this write heals on redelivery; the row is
/// written only from a newer state version, so a slow runner cannot put an older status back.
/// Filtering happens on the read rows: at the embedded hub's scale (thousands of tickets) one
/// partition scan is cheap and always correct; a status/account partitioned index would trade that
/// for a move between partitions that cannot be atomic.
/// It lives with the runtime that keeps it, not in Storage: it knows tickets, and the storage
/// ports know only tables, rows and queues.
/// </summary>
public sealed class TicketList(IEntityStore store)
{
    public const string Table = "ticketlist";
    public const string Partition = "tickets";

    /// <summary>The entries this instance wrote, by ticket, under the ETag of the write: the runner
    /// reads a ticket's entry after every message to compare it, and rarely needs to parse it.</summary>
    private readonly SavedByETag<TicketListEntry> _written = new();

    /// <summary>Writes the ticket's entry unless the stored one is from the same or a newer version.</summary>
    public Task UpdateAsync(TicketState state, CancellationToken cancellationToken) => WriteAsync(state, sameListingWillDo: false, cancellationToken);

    /// <summary>
    /// What a repeated or refused message does: heals a missing or outdated entry, but leaves an entry
    /// that already lists the ticket as it is now, whatever version wrote it (the runner skips writes
    /// that change nothing, so stored versions lag). Not for a new decision: there an intermediate
    /// version still being written could land after this one, and only the version guard of
    /// <see cref="UpdateAsync"/> keeps it from putting an older status back.
    /// </summary>
    public Task RefreshAsync(TicketState state, CancellationToken cancellationToken) => WriteAsync(state, sameListingWillDo: true, cancellationToken);

    private async Task WriteAsync(TicketState state, bool sameListingWillDo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var key = new EntityKey(Partition, state.Ref);
        // Written only when the stored entry is missing or older, which a repeat rarely finds.
        TicketListEntry? entry = null;
        string? payload = null;
        while (true)
        {
            var row = await store.GetAsync(Table, key, cancellationToken);
            if (row is not null && (_written.Find(state.Ref, row.ETag) ?? WorkflowJson.Deserialize<TicketListEntry>(row.Payload)) is var stored
                && (stored.Version >= state.Version || (sameListingWillDo && stored.Lists(state))))
            {
                return;
            }
            entry ??= TicketListEntry.From(state);
            payload ??= WorkflowJson.Serialize(entry);
            try
            {
                var etag = row is null
                    ? await store.CreateAsync(Table, key, payload, cancellationToken)
                    : await store.UpdateAsync(Table, key, payload, row.ETag, cancellationToken);
                _written.Remember(state.Ref, etag, entry);
                return;
            }
            catch (EntityConflictException)
            {
                // Another runner wrote the entry since it was read: read it again and compare versions.
            }
        }
    }

    /// <summary>Every entry that <paramref name="include"/> accepts, in row (ticket reference) order.</summary>
    public async Task<IReadOnlyList<TicketListEntry>> QueryAsync(Func<TicketListEntry, bool> include, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(include);
        var entries = new List<TicketListEntry>();
        string? continuation = null;
        do
        {
            var page = await store.QueryAsync(Table, Partition, RowKeyRange.All, EntityStoreLimits.MaxPageSize, continuation, cancellationToken);
            entries.AddRange(page.Entities.Select(row => WorkflowJson.Deserialize<TicketListEntry>(row.Payload)).Where(include));
            continuation = page.Continuation;
        }
        while (continuation is not null);
        return entries;
    }
}
