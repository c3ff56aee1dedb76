using SupportHub.Workflows;
using SupportHub.Workflows.InMemory;

namespace SupportHub.Cli.Simulate;

/// <summary>
/// The simulation's store: the in-memory store, except that the workflow runner's history rows are
/// not kept. They are the hub's audit trail for <c>GET /api/tickets/{ref}</c>; a simulation prints the
/// same lines as its timeline and never reads them back, and keeping a month of them made the heap
/// (and the garbage collector's work) grow with every decision. Everything the runner and intake
/// read (states, outbox, indexes, the counter) is stored as in the hub, so the decisions are the same.
/// </summary>
internal sealed class SimulationStore : IEntityStore
{
    private const string Dropped = "W/\"not-kept\"";

    private readonly InMemoryEntityStore inner = new();

    public Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken) =>
        inner.GetAsync(table, key, cancellationToken);

    public Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        inner.CreateAsync(table, key, payload, cancellationToken);

    public Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        inner.SetAsync(table, key, payload, cancellationToken);

    public Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken) =>
        inner.UpdateAsync(table, key, payload, ifMatch, cancellationToken);

    public Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken) =>
        inner.DeleteAsync(table, key, ifMatch, cancellationToken);

    public Task<EntityPage> QueryAsync(string table, string partitionKey, RowKeyRange rowKeys, int pageSize, string? continuation, CancellationToken cancellationToken) =>
        inner.QueryAsync(table, partitionKey, rowKeys, pageSize, continuation, cancellationToken);

    public async Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (table != TicketWorkflowRunner.Table || !changes.Any(IsHistory))
        {
            return await inner.SubmitAsync(table, changes, cancellationToken);
        }
        var kept = changes.Where(c => !IsHistory(c)).ToList();
        var etags = await inner.SubmitAsync(table, kept, cancellationToken);
        var result = new List<string?>(changes.Count);
        var next = 0;
        foreach (var change in changes)
        {
            result.Add(IsHistory(change) ? Dropped : etags[next++]);
        }
        return result;
    }

    private static bool IsHistory(EntityChange change) =>
        change.Kind == EntityChangeKind.Set && change.Key.RowKey.StartsWith(TicketWorkflowRunner.HistoryPrefix, StringComparison.Ordinal);
}
