using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

// IEntityStore on the embedded SQLite file (contract: EntityStoreContract). Every write, single or
// submitted, runs on the file's single writer (group commit: SqliteWriter) in its own savepoint
// and checks all preconditions before it writes, so a conflict leaves nothing behind. ETags come from a counter in the same file: they never repeat,
// even for an entity deleted and created again. Keys compare as SQLite's BINARY collation (UTF-8
// bytes), which is ordinal order for the ASCII keys the hub uses.

/// <summary>An <see cref="IEntityStore"/> in the embedded hub's SQLite file.</summary>
public sealed class SqliteEntityStore(SqliteDatabase database) : IEntityStore
{
    /// <summary>The file this store lives in.</summary>
    public SqliteDatabase Database => database;

    public Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (database.KeyFilter is { } keys && !keys.MayExist(table, key))
        {
            return Task.FromResult<StoredEntity?>(null);
        }
        return Task.FromResult(database.Read(reader => Find(reader, table, key)));
    }

    /// <summary>One read transaction for all of them: one snapshot, and the file's pages that the lookups share
    /// (the b-tree's root and inner pages) read once. Every commit of the writer empties a read connection's
    /// page cache, so under intake each separate lookup read them again. Keys the file's key filter knows
    /// to be absent are not looked up at all (no read transaction when none may exist).</summary>
    public Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateKeys(table, keys);
        cancellationToken.ThrowIfCancellationRequested();
        var entities = new StoredEntity?[keys.Count];
        var read = new bool[keys.Count];
        var reads = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            if (database.KeyFilter is not { } filter || filter.MayExist(table, keys[i]))
            {
                read[i] = true;
                reads++;
            }
        }
        if (reads == 0)
        {
            return Task.FromResult<IReadOnlyList<StoredEntity?>>(entities);
        }
        return Task.FromResult<IReadOnlyList<StoredEntity?>>(database.Read(reader =>
        {
            // A connection whose work throws is closed, not reused: no transaction is left open on the pool.
            reader.Statement("BEGIN").Execute();
            for (var i = 0; i < keys.Count; i++)
            {
                if (read[i])
                {
                    entities[i] = Find(reader, table, keys[i]);
                }
            }
            reader.Statement("COMMIT").Execute();
            return entities;
        }));
    }

    public async Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        (await ApplyAsync(table, [EntityChange.Create(key, payload)], cancellationToken))[0]!;

    public async Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) =>
        (await ApplyAsync(table, [EntityChange.Set(key, payload)], cancellationToken))[0]!;

    public async Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken) =>
        (await ApplyAsync(table, [EntityChange.Update(key, payload, ifMatch)], cancellationToken))[0]!;

    public async Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken)
    {
        if (ifMatch is null)
        {
            // Unconditional and outside a submit: a missing entity is not an error (Azure SDK behaviour).
            EntityStoreLimits.ValidateTable(table);
            EntityStoreLimits.ValidateKey(key);
            database.EnsureEntityWrites();
            await database.WriteAsync(writer =>
            {
                return BindKey(writer.Statement(DeleteSql), table, key).Execute();
            }, cancellationToken);
            return;
        }

        await ApplyAsync(table, [EntityChange.Delete(key, ifMatch)], cancellationToken);
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

        // The continuation is the last RowKey returned; one row more than the page tells whether to continue.
        var entities = database.Read(reader =>
        {
            var query = reader.Statement("""
                SELECT row_key, payload, etag FROM entities
                WHERE table_name = ?1 AND partition_key = ?2
                  AND (?3 IS NULL OR row_key >= ?3)
                  AND (?4 IS NULL OR row_key < ?4)
                  AND (?5 IS NULL OR row_key > ?5)
                ORDER BY row_key
                LIMIT ?6
                """)
                .Bind(1, table)
                .Bind(2, partitionKey)
                .Bind(3, rowKeys.From)
                .Bind(4, rowKeys.Before)
                .Bind(5, continuation)
                .Bind(6, pageSize + 1L);
            var rows = new List<StoredEntity>(Math.Min(pageSize + 1, 1024));
            using var row = query.Query();
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

    public Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken) =>
        ApplyAsync(table, changes, cancellationToken);

    private Task<IReadOnlyList<string?>> ApplyAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateSubmit(changes);
        database.EnsureEntityWrites();
        return database.WriteAsync(writer => Apply(writer, table, changes), cancellationToken);
    }

    // Runs on the writer inside a savepoint: a conflict thrown here undoes nothing because nothing
    // has been written yet, and the savepoint is rolled back anyway. A key the file's key filter knows
    // to be absent (most of intake's Creates) is not looked up; every row written is marked in it first.
    internal static IReadOnlyList<string?> Apply(SqliteWriter writer, string table, IReadOnlyList<EntityChange> changes)
    {
        var keys = writer.Keys;
        foreach (var change in changes)
        {
            if (change.Kind == EntityChangeKind.Set)
            {
                continue; // unconditional: nothing to check
            }
            var existing = keys is null || keys.MayExist(table, change.Key) ? ReadETag(writer, table, change.Key) : null;
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
                BindKey(writer.Statement(DeleteSql), table, change.Key).Execute();
                etags.Add(null);
            }
            else
            {
                var etag = NextETag(writer);
                keys?.Mark(table, change.Key);
                BindKey(writer.Statement("""
                    INSERT INTO entities (table_name, partition_key, row_key, payload, etag) VALUES (?1, ?2, ?3, ?4, ?5)
                    ON CONFLICT (table_name, partition_key, row_key) DO UPDATE SET payload = excluded.payload, etag = excluded.etag
                    """), table, change.Key)
                    .Bind(4, change.Payload)
                    .Bind(5, etag)
                    .Execute();
                etags.Add(etag);
            }
        }
        return etags;
    }

    private static StoredEntity? Find(SqliteReader reader, string table, EntityKey key)
    {
        using var row = BindKey(reader.Statement(GetSql), table, key).Query();
        return row.Read() ? new StoredEntity(key, row.GetString(0), row.GetString(1)) : null;
    }

    private const string GetSql = "SELECT payload, etag FROM entities WHERE table_name = ?1 AND partition_key = ?2 AND row_key = ?3";

    private const string DeleteSql = "DELETE FROM entities WHERE table_name = ?1 AND partition_key = ?2 AND row_key = ?3";

    private static string? ReadETag(SqliteWriter writer, string table, EntityKey key)
    {
        using var row = BindKey(writer.Statement("SELECT etag FROM entities WHERE table_name = ?1 AND partition_key = ?2 AND row_key = ?3"), table, key).Query();
        return row.Read() ? row.GetString(0) : null;
    }

    private static string NextETag(SqliteWriter writer) => $"W/\"{writer.NextETagNumber()}\"";

    // Parameters 1–3 of every statement that names one entity.
    private static SqliteStatement BindKey(SqliteStatement statement, string table, EntityKey key) =>
        statement.Bind(1, table).Bind(2, key.PartitionKey).Bind(3, key.RowKey);
}
