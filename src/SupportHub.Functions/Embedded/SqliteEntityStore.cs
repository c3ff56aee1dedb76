using Microsoft.Data.Sqlite;
using SupportHub.Workflows;

namespace SupportHub.Functions.Embedded;

// IEntityStore on the embedded SQLite file (contract: EntityStoreContract). Every write, single or
// submitted, is one IMMEDIATE transaction that checks all preconditions before it writes, so a
// conflict leaves nothing behind. ETags come from a counter in the same file: they never repeat,
// even for an entity deleted and created again. Keys compare as SQLite's BINARY collation (UTF-8
// bytes), which is ordinal order for the ASCII keys the hub uses.

/// <summary>An <see cref="IEntityStore"/> in the embedded hub's SQLite file.</summary>
public sealed class SqliteEntityStore(SqliteDatabase database) : IEntityStore
{
    public async Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateKey(key);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, etag FROM entities WHERE table_name = $table AND partition_key = $pk AND row_key = $rk";
        AddKey(command, table, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredEntity(key, reader.GetString(0), reader.GetString(1)) : null;
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
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM entities WHERE table_name = $table AND partition_key = $pk AND row_key = $rk";
            AddKey(command, table, key);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await ApplyAsync(table, [EntityChange.Delete(key, ifMatch)], cancellationToken);
    }

    public async Task<EntityPage> QueryAsync(
        string table,
        string partitionKey,
        RowKeyRange rowKeys,
        int pageSize,
        string? continuation,
        CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidatePartitionKey(partitionKey);
        ArgumentNullException.ThrowIfNull(rowKeys);
        EntityStoreLimits.ValidatePageSize(pageSize);

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();

        // The continuation is the last RowKey returned; one row more than the page tells whether to continue.
        command.CommandText = """
            SELECT row_key, payload, etag FROM entities
            WHERE table_name = $table AND partition_key = $pk
              AND ($from IS NULL OR row_key >= $from)
              AND ($before IS NULL OR row_key < $before)
              AND ($after IS NULL OR row_key > $after)
            ORDER BY row_key
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$table", table);
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$from", (object?)rowKeys.From ?? DBNull.Value);
        command.Parameters.AddWithValue("$before", (object?)rowKeys.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", (object?)continuation ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", pageSize + 1);

        var entities = new List<StoredEntity>(pageSize + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                entities.Add(new StoredEntity(new EntityKey(partitionKey, reader.GetString(0)), reader.GetString(1), reader.GetString(2)));
            }
        }

        var more = entities.Count > pageSize;
        var page = more ? entities[..pageSize] : entities;
        return new EntityPage(page, more ? page[^1].Key.RowKey : null);
    }

    public Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken) =>
        ApplyAsync(table, changes, cancellationToken);

    private async Task<IReadOnlyList<string?>> ApplyAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateTable(table);
        EntityStoreLimits.ValidateSubmit(changes);

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);

        foreach (var change in changes)
        {
            var existing = await ReadETagAsync(transaction, table, change.Key, cancellationToken);
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
                // Disposing the transaction rolls back; nothing has been written yet anyway.
                throw new EntityConflictException(table, change.Key, kind);
            }
        }

        var etags = new List<string?>(changes.Count);
        foreach (var change in changes)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            AddKey(command, table, change.Key);
            if (change.Kind == EntityChangeKind.Delete)
            {
                command.CommandText = "DELETE FROM entities WHERE table_name = $table AND partition_key = $pk AND row_key = $rk";
                etags.Add(null);
            }
            else
            {
                var etag = await NextETagAsync(transaction, cancellationToken);
                command.CommandText = """
                    INSERT INTO entities (table_name, partition_key, row_key, payload, etag) VALUES ($table, $pk, $rk, $payload, $etag)
                    ON CONFLICT (table_name, partition_key, row_key) DO UPDATE SET payload = excluded.payload, etag = excluded.etag
                    """;
                command.Parameters.AddWithValue("$payload", change.Payload);
                command.Parameters.AddWithValue("$etag", etag);
                etags.Add(etag);
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return etags;
    }

    private static async Task<string?> ReadETagAsync(SqliteTransaction transaction, string table, EntityKey key, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT etag FROM entities WHERE table_name = $table AND partition_key = $pk AND row_key = $rk";
        AddKey(command, table, key);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<string> NextETagAsync(SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO counters (name, value) VALUES ('etag', 1)
            ON CONFLICT (name) DO UPDATE SET value = value + 1
            RETURNING value
            """;
        var value = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return $"W/\"{value}\"";
    }

    private static void AddKey(SqliteCommand command, string table, EntityKey key)
    {
        command.Parameters.AddWithValue("$table", table);
        command.Parameters.AddWithValue("$pk", key.PartitionKey);
        command.Parameters.AddWithValue("$rk", key.RowKey);
    }
}
