using SupportHub.Storage;

namespace SupportHub.Embedded;

// IEntityStore on the embedded SQLite file (contract: EntityStoreContract). Every write, single or
// submitted, runs on the file's single writer in its own savepoint and checks all preconditions
// before it writes, so a conflict leaves nothing behind. ETags are random: they never repeat, even
// for an entity deleted and created again, whichever process wrote it. Keys compare as SQLite's
// BINARY collation (UTF-8 bytes), which is ordinal order for the ASCII keys the hub uses.

/// <summary>An <see cref="IEntityStore"/> in the embedded hub's SQLite file.</summary>
public sealed class SqliteEntityStore(SqliteDatabase database) : IEntityStore
{
    private const string GetSql = "SELECT payload, etag FROM entities WHERE table_name = $1 AND partition_key = $2 AND row_key = $3";
    private const string DeleteSql = "DELETE FROM entities WHERE table_name = $1 AND partition_key = $2 AND row_key = $3";
    private const string UpsertSql = """
        INSERT INTO entities (table_name, partition_key, row_key, payload, etag) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (table_name, partition_key, row_key) DO UPDATE SET payload = excluded.payload, etag = excluded.etag
        """;

    public Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(database.Read(session => Find(session, table, key)));
    }

    /// <summary>One read transaction for all of them: one snapshot.</summary>
    public Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateKeys(table, keys);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<StoredEntity?>>(database.Read(session =>
        {
            using var transaction = session.Connection.BeginTransaction(deferred: true);
            session.Transaction = transaction;
            try
            {
                return keys.Select(key => Find(session, table, key)).ToArray();
            }
            finally
            {
                session.Transaction = null;
            }
        }));
    }

    public async Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        (await SubmitAsync(table, [EntityChange.Create(key, payload)], cancellationToken))[0]!;

    public async Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        (await SubmitAsync(table, [EntityChange.Set(key, payload)], cancellationToken))[0]!;

    public async Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken) =>
        (await SubmitAsync(table, [EntityChange.Update(key, payload, ifMatch)], cancellationToken))[0]!;

    public async Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken)
    {
        if (ifMatch is not null)
        {
            await SubmitAsync(table, [EntityChange.Delete(key, ifMatch)], cancellationToken);
            return;
        }
        // Unconditional and outside a submit: a missing entity is not an error (Azure SDK behaviour).
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        await database.WriteAsync(session => session.Execute(DeleteSql, table, key.PartitionKey, key.RowKey), cancellationToken);
    }

    public Task<EntityPage> QueryAsync(string table, string partitionKey, RowKeyRange rowKeys, int pageSize, string? continuation, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateQuery(table, partitionKey, rowKeys, pageSize);
        cancellationToken.ThrowIfCancellationRequested();

        // The continuation is the last RowKey returned; one row more than the page tells whether to continue.
        var entities = database.Read(session =>
        {
            using var row = session.Query("""
                SELECT row_key, payload, etag FROM entities
                WHERE table_name = $1 AND partition_key = $2
                  AND ($3 IS NULL OR row_key >= $3)
                  AND ($4 IS NULL OR row_key < $4)
                  AND ($5 IS NULL OR row_key > $5)
                ORDER BY row_key
                LIMIT $6
                """, table, partitionKey, rowKeys.From, rowKeys.Before, continuation, pageSize + 1L);
            var rows = new List<StoredEntity>();
            while (row.Read())
            {
                rows.Add(new StoredEntity(new EntityKey(partitionKey, row.GetString(0)), row.GetString(1), row.GetString(2)));
            }
            return rows;
        });

        var more = entities.Count > pageSize;
        var page = more ? entities[..pageSize] : entities;
        return Task.FromResult(new EntityPage(page, more ? page[^1].Key.RowKey : null));
    }

    public Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateSubmit(changes);
        return database.WriteAsync(session => Apply(session, table, changes), cancellationToken);
    }

    /// <summary>For work on the writer: checks every change's precondition, then writes them all.</summary>
    internal static IReadOnlyList<string?> Apply(SqliteSession session, string table, IReadOnlyList<EntityChange> changes)
    {
        foreach (var change in changes.Where(c => c.Kind != EntityChangeKind.Set))
        {
            var existing = Find(session, table, change.Key)?.ETag;
            EntityConflictKind? conflict = change.Kind switch
            {
                EntityChangeKind.Create when existing is not null => EntityConflictKind.AlreadyExists,
                EntityChangeKind.Update or EntityChangeKind.Delete when existing is null => EntityConflictKind.NotFound,
                EntityChangeKind.Update or EntityChangeKind.Delete when change.IfMatch is not null
                    && !string.Equals(existing, change.IfMatch, StringComparison.Ordinal) => EntityConflictKind.ETagMismatch,
                _ => null,
            };
            if (conflict is { } kind)
            {
                throw new EntityConflictException(table, change.Key, kind);
            }
        }

        var etags = new List<string?>(changes.Count);
        foreach (var change in changes)
        {
            if (change.Kind == EntityChangeKind.Delete)
            {
                session.Execute(DeleteSql, table, change.Key.PartitionKey, change.Key.RowKey);
                etags.Add(null);
            }
            else
            {
                var etag = $"W/\"{Guid.NewGuid():N}\"";
                session.Execute(UpsertSql, table, change.Key.PartitionKey, change.Key.RowKey, change.Payload, etag);
                etags.Add(etag);
            }
        }
        return etags;
    }

    internal static StoredEntity? Find(SqliteSession session, string table, EntityKey key)
    {
        using var row = session.Query(GetSql, table, key.PartitionKey, key.RowKey);
        return row.Read() ? new StoredEntity(key, row.GetString(0), row.GetString(1)) : null;
    }
}
