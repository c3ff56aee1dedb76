using SupportHub.Storage;

namespace SupportHub.Testing.Storage;

/// <summary>An <see cref="IEntityStore"/> that passes every call to <paramref name="inner"/>: derive and override the
/// calls a test wants to watch or break.</summary>
public abstract class DelegatingEntityStore(IEntityStore inner) : IEntityStore
{
    public virtual Task<StoredEntity?> GetAsync(string table, EntityKey key, CancellationToken cancellationToken) => inner.GetAsync(table, key, cancellationToken);

    public virtual Task<IReadOnlyList<StoredEntity?>> GetManyAsync(string table, IReadOnlyList<EntityKey> keys, CancellationToken cancellationToken) =>
        inner.GetManyAsync(table, keys, cancellationToken);

    public virtual Task<string> CreateAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) => inner.CreateAsync(table, key, payload, cancellationToken);

    public virtual Task<string> SetAsync(string table, EntityKey key, string payload, CancellationToken cancellationToken) => inner.SetAsync(table, key, payload, cancellationToken);

    public virtual Task<string> UpdateAsync(string table, EntityKey key, string payload, string ifMatch, CancellationToken cancellationToken) =>
        inner.UpdateAsync(table, key, payload, ifMatch, cancellationToken);

    public virtual Task DeleteAsync(string table, EntityKey key, string? ifMatch, CancellationToken cancellationToken) => inner.DeleteAsync(table, key, ifMatch, cancellationToken);

    public virtual Task<EntityPage> QueryAsync(string table, string partitionKey, RowKeyRange rowKeys, int pageSize, string? continuation, CancellationToken cancellationToken) =>
        inner.QueryAsync(table, partitionKey, rowKeys, pageSize, continuation, cancellationToken);

    public virtual Task<IReadOnlyList<string?>> SubmitAsync(string table, IReadOnlyList<EntityChange> changes, CancellationToken cancellationToken) =>
        inner.SubmitAsync(table, changes, cancellationToken);
}
