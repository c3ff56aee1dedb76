using System.Text;

namespace SupportHub.Storage.InMemory;

// The store `supporthub simulate` runs the deciders against: same contract as the SQLite and Table
// Storage stores (EntityStoreContract), state lives as long as the instance. ETags come from a
// counter, so a run is deterministic and an ETag is never reused, even after delete and re-create.
// Payloads are kept as UTF-8, as SQLite keeps them: half the memory of .NET strings, which a month's
// simulation of 100,000 tickets (a state row each) felt.

/// <summary>An <see cref="IEntityStore"/> held in memory; thread-safe.</summary>
public sealed class InMemoryEntityStore : IEntityStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Partition>> _tables = new(StringComparer.Ordinal);
    private long _lastETag;

    public Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Find(table, key) is { } row ? row.Read(key) : null);
        }
    }

    /// <summary>All under one lock: one snapshot.</summary>
    public Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateKeys(table, keys);
        cancellationToken.ThrowIfCancellationRequested();
        var entities = new StoredEntity?[keys.Count];
        lock (_gate)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                entities[i] = Find(table, keys[i]) is { } row ? row.Read(keys[i]) : null;
            }
        }
        return Task.FromResult<IReadOnlyList<StoredEntity?>>(entities);
    }

    public Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        ApplyOne(table, EntityChange.Create(key, payload), cancellationToken);

    public Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        ApplyOne(table, EntityChange.Set(key, payload), cancellationToken);

    public Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken) =>
        ApplyOne(table, EntityChange.Update(key, payload, ifMatch), cancellationToken);

    public Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Outside a submit an unconditional delete of a missing entity succeeds (Azure SDK behaviour).
            if (ifMatch is null && Find(table, key) is null)
            {
                return Task.CompletedTask;
            }

            Apply(table, [EntityChange.Delete(key, ifMatch)]);
            return Task.CompletedTask;
        }
    }

    public Task<EntityPage> QueryAsync(
        string table,
        string partitionKey,
        RowKeyRange rowKeys,
        int pageSize,
        string? continuation,
        CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateQuery(table, partitionKey, rowKeys, pageSize);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_tables.TryGetValue(table, out var partitions) || !partitions.TryGetValue(partitionKey, out var partition))
            {
                return Task.FromResult(new EntityPage([], null));
            }

            // The continuation is the last RowKey returned: the next page starts after it.
            var matching = partition.SortedKeys
                .Where(k => rowKeys.Contains(k) && (continuation is null || string.CompareOrdinal(k, continuation) > 0))
                .Take(pageSize + 1)
                .Select(k => partition.Rows[k].Read(new EntityKey(partitionKey, k)))
                .ToList();
            var more = matching.Count > pageSize;
            var page = more ? matching[..pageSize] : matching;
            return Task.FromResult(new EntityPage(page, more ? page[^1].Key.RowKey : null));
        }
    }

    public Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateSubmit(changes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string?>>(Apply(table, changes));
        }
    }

    private Task<string> ApplyOne(string table, EntityChange change, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateSubmit([change]);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Apply(table, [change])[0]!);
        }
    }

    // Checks every precondition first, then writes: all or nothing. Caller holds the lock.
    private List<string?> Apply(string table, IReadOnlyList<EntityChange> changes)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            var existing = Find(table, change.Key);
            EntityConflictKind? conflict = change.Kind switch
            {
                EntityChangeKind.Create when existing is not null => EntityConflictKind.AlreadyExists,
                EntityChangeKind.Update or EntityChangeKind.Delete when existing is null => EntityConflictKind.NotFound,
                EntityChangeKind.Update or EntityChangeKind.Delete when change.IfMatch is not null
                    && !string.Equals(existing!.ETag, change.IfMatch, StringComparison.Ordinal) => EntityConflictKind.ETagMismatch,
                _ => null,
            };
            if (conflict is { } kind)
            {
                throw new EntityConflictException(table, change.Key, kind);
            }
        }

        var etags = new List<string?>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (change.Kind == EntityChangeKind.Delete)
            {
                _tables[table][change.Key.PartitionKey].Remove(change.Key.RowKey);
                etags.Add(null);
                continue;
            }

            if (!_tables.TryGetValue(table, out var partitions))
            {
                partitions = new Dictionary<string, Partition>(StringComparer.Ordinal);
                _tables[table] = partitions;
            }
            if (!partitions.TryGetValue(change.Key.PartitionKey, out var partition))
            {
                partition = new Partition();
                partitions[change.Key.PartitionKey] = partition;
            }

            var etag = $"W/\"{++_lastETag}\"";
            partition.Set(change.Key.RowKey, new Row(Encoding.UTF8.GetBytes(change.Payload!), etag));
            etags.Add(etag);
        }

        return etags;
    }

    private Row? Find(string table, EntityKey key) =>
        _tables.TryGetValue(table, out var partitions) && partitions.TryGetValue(key.PartitionKey, out var partition)
        && partition.Rows.TryGetValue(key.RowKey, out var row) ? row : null;

    /// <summary>
    /// A partition's rows by RowKey, with the keys in ordinal order for queries, sorted when a query
    /// first needs them after a row was added or removed. Reads and writes by key are what the
    /// workflows do per message; queries (an outbox on a redelivery, the ticket list) are rare.
    /// </summary>
    private sealed class Partition
    {
        private string[]? _sortedKeys;

        public Dictionary<string, Row> Rows { get; } = new(StringComparer.Ordinal);

        public string[] SortedKeys => _sortedKeys ??= [.. Rows.Keys.Order(StringComparer.Ordinal)];

        public void Set(string rowKey, Row row)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Rows, rowKey, out var existed);
            slot = row;
            if (!existed)
            {
                _sortedKeys = null;
            }
        }

        public void Remove(string rowKey)
        {
            if (Rows.Remove(rowKey))
            {
                _sortedKeys = null;
            }
        }
    }

    /// <summary>A row: its payload as UTF-8, and its ETag.</summary>
    private sealed record Row(byte[] Utf8, string ETag)
    {
        public StoredEntity Read(EntityKey key) => new(key, Encoding.UTF8.GetString(Utf8), ETag);
    }
}
