namespace SupportHub.Storage;

// The state store port. Shaped after Azure Table Storage so the Tables adapter is a thin REST
// client: tables of entities keyed by (PartitionKey, RowKey), each holding one JSON payload and an
// opaque ETag that changes on every write. Atomicity is per partition (an entity group
// transaction): the workflow runtime keeps a ticket's state row and its outbox rows in one
// partition and saves them with one Submit.
//
// Tables are implicit: a write creates the table, a read of a table never written finds nothing.
// (The Tables adapter creates a table the first time a write answers TableNotFound.)
//
// Keys are ordered ordinally. SQLite compares UTF-8 bytes and .NET (in-memory) UTF-16 code units;
// the two agree except between supplementary characters and U+E000–U+FFFF, which the hub's keys
// (ASCII ids, ISO dates, zero-padded sequence numbers) never contain.
//
// Payloads: Table Storage caps a string property at 64 KiB (32K UTF-16 characters) and an entity at
// 1 MiB, so the Tables adapter splits a longer payload across several properties; callers see one
// string either way.
//
// Errors: a write whose precondition fails (the row exists, the ETag changed, the row is gone)
// throws EntityConflictException so the caller reloads and retries; a key or table name that
// Table Storage would refuse throws ArgumentException in every implementation, so a key that works
// embedded also works in Azure. Any other exception is an infrastructure failure: let it propagate.

/// <summary>Tables of JSON entities keyed by (PartitionKey, RowKey), with ETags.</summary>
public interface IEntityStore
{
    /// <summary>The entity, or null when it (or its table) does not exist.</summary>
    Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken);

    /// <summary>Several entities of one table: for each of <paramref name="keys"/>, in order, the entity or null.
    /// A store that can reads them together, from one snapshot (SQLite: one read transaction); by default
    /// they are read one after another.</summary>
    async Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken)
    {
        EntityStoreLimits.ValidateKeys(table, keys);
        var entities = new StoredEntity?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            entities[i] = await GetAsync(table, keys[i], cancellationToken).ConfigureAwait(false);
        }
        return entities;
    }

    /// <summary>Inserts a new entity; throws <see cref="EntityConflictException"/> (AlreadyExists) when the key is taken.</summary>
    /// <returns>The new ETag.</returns>
    Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the entity whatever its ETag (Table Storage's upsert with replace).</summary>
    /// <returns>The new ETag.</returns>
    Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken);

    /// <summary>Replaces the entity only if its ETag is still <paramref name="ifMatch"/>; throws
    /// <see cref="EntityConflictException"/> (ETagMismatch or NotFound) otherwise.</summary>
    /// <returns>The new ETag.</returns>
    Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes the entity. With <paramref name="ifMatch"/> null the delete is unconditional and a
    /// missing entity is not an error; with an ETag it throws <see cref="EntityConflictException"/>
    /// (ETagMismatch or NotFound) unless the entity still has that ETag.</summary>
    Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>One page of a partition's entities in ascending RowKey order (ordinal).</summary>
    /// <param name="rowKeys">Restricts the RowKeys; <see cref="RowKeyRange.All"/> for the whole partition.</param>
    /// <param name="pageSize">1 to <see cref="EntityStoreLimits.MaxPageSize"/>; a page may hold fewer
    /// entities (even none) and still have a continuation, as Table Storage pages do.</param>
    /// <param name="continuation">Null for the first page, else the previous page's <see cref="EntityPage.Continuation"/>.</param>
    Task<EntityPage> QueryAsync(
        string table,
        string partitionKey,
        RowKeyRange rowKeys,
        int pageSize,
        string? continuation,
        CancellationToken cancellationToken);

    /// <summary>Applies every change or none (an entity group transaction). All changes share one
    /// PartitionKey, name distinct RowKeys, and number 1 to <see cref="EntityStoreLimits.MaxChangesPerSubmit"/>.
    /// When one change's precondition fails nothing is written and <see cref="EntityConflictException"/>
    /// names that change's key.</summary>
    /// <returns>The new ETag of each change, in order; null for a delete.</returns>
    Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken);
}

/// <summary>Where an entity lives inside a table.</summary>
public readonly record struct EntityKey(string PartitionKey, string RowKey)
{
    public override string ToString() => $"({PartitionKey}, {RowKey})";
}

/// <summary>An entity as read: its key, its JSON payload and the ETag to pass back for a conditional write.</summary>
public sealed record StoredEntity(EntityKey Key, string Payload, string ETag);

/// <param name="Continuation">Null when the query is exhausted; otherwise opaque, valid for the same query only.</param>
public sealed record EntityPage(IReadOnlyList<StoredEntity> Entities, string? Continuation);

/// <summary>A half-open RowKey interval [<see cref="From"/>, <see cref="Before"/>) in ordinal order; a null bound is open.</summary>
public sealed record RowKeyRange(string? From, string? Before)
{
    public static RowKeyRange All { get; } = new(null, null);

    /// <summary>RowKeys starting with <paramref name="prefix"/>: [prefix, prefix with its last character incremented).</summary>
    public static RowKeyRange Prefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return All;
        }

        // Drop trailing U+FFFF characters: they cannot be incremented, and every key with the shorter
        // prefix that sorts after them sorts after the whole prefix too.
        var end = prefix.TrimEnd('\uffff');
        return end.Length == 0
            ? new RowKeyRange(prefix, null)
            : new RowKeyRange(prefix, end[..^1] + (char)(end[^1] + 1));
    }

    public bool Contains(string rowKey) =>
        (From is null || string.CompareOrdinal(rowKey, From) >= 0)
        && (Before is null || string.CompareOrdinal(rowKey, Before) < 0);
}

public enum EntityChangeKind
{
    /// <summary>Insert; fails when the key exists.</summary>
    Create,

    /// <summary>Insert or replace, unconditionally.</summary>
    Set,

    /// <summary>Replace if the ETag matches.</summary>
    Update,

    /// <summary>Delete; conditional when an ETag is given. Inside a Submit a missing entity fails the
    /// whole submit even without an ETag, as in a Table Storage transaction.</summary>
    Delete,
}

/// <summary>One write inside <see cref="IEntityStore.SubmitAsync"/>.</summary>
/// <param name="Payload">The JSON text; null for a delete.</param>
/// <param name="IfMatch">The ETag an Update or a conditional Delete expects.</param>
public sealed record EntityChange(EntityChangeKind Kind, EntityKey Key, string? Payload, string? IfMatch)
{
    public static EntityChange Create(EntityKey key, string payload) =>
        new(EntityChangeKind.Create, key, payload ?? throw new ArgumentNullException(nameof(payload)), null);

    public static EntityChange Set(EntityKey key, string payload) =>
        new(EntityChangeKind.Set, key, payload ?? throw new ArgumentNullException(nameof(payload)), null);

    public static EntityChange Update(EntityKey key, string payload, string ifMatch) =>
        new(EntityChangeKind.Update, key, payload ?? throw new ArgumentNullException(nameof(payload)), ifMatch ?? throw new ArgumentNullException(nameof(ifMatch)));

    public static EntityChange Delete(EntityKey key, string? ifMatch = null) =>
        new(EntityChangeKind.Delete, key, null, ifMatch);
}

public enum EntityConflictKind
{
    /// <summary>Create (or a Create change) found the key taken.</summary>
    AlreadyExists,

    /// <summary>Update or Delete found a different ETag: someone wrote since the caller read.</summary>
    ETagMismatch,

    /// <summary>Update or a conditional Delete found no entity: someone deleted it since the caller read.</summary>
    NotFound,
}

/// <summary>A write's precondition failed; nothing was written. Reload and retry, or give up.</summary>
public sealed class EntityConflictException : Exception
{
    public EntityConflictException(string table, EntityKey key, EntityConflictKind kind)
        : base($"Entity {key} in table '{table}': {Describe(kind)}.")
    {
        Table = table;
        Key = key;
        Kind = kind;
    }

    public string Table { get; }

    public EntityKey Key { get; }

    public EntityConflictKind Kind { get; }

    private static string Describe(EntityConflictKind kind) => kind switch
    {
        EntityConflictKind.AlreadyExists => "already exists",
        EntityConflictKind.ETagMismatch => "was changed since it was read (ETag mismatch)",
        EntityConflictKind.NotFound => "no longer exists",
        _ => kind.ToString(),
    };
}

/// <summary>The store cannot take writes now (its disk is full, or failing): nothing of the write
/// happened. Callers answer "try again later" (HTTP 503) or wait and retry; it is not a bug in the
/// request, and not a reason to stop the hub.</summary>
public sealed class StoreUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
