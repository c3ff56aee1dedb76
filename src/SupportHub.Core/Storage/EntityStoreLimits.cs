namespace SupportHub.Storage;

// Table Storage's rules, checked by every IEntityStore before it touches storage. The embedded
// stores could accept more; they refuse the same inputs Azure refuses so that nothing that runs
// locally breaks in Azure. A violation is a programming error (ArgumentException), not a conflict.

/// <summary>The limits of Azure Table Storage that every store enforces.</summary>
public static class EntityStoreLimits
{
    /// <summary>Rows per query page (Table Storage returns at most 1,000).</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Operations in one entity group transaction.</summary>
    public const int MaxChangesPerSubmit = 100;

    /// <summary>Characters in a PartitionKey or RowKey: Table Storage allows 1 KiB, i.e. 512 UTF-16 characters.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Throws when <paramref name="table"/> is not a valid table name (<c>^[A-Za-z][A-Za-z0-9]{2,62}$</c>).</summary>
    private static readonly System.Buffers.SearchValues<char> TableNameCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    public static void ValidateTable(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var valid = table.Length is >= 3 and <= 63
            && char.IsAsciiLetter(table[0])
            && !table.AsSpan().ContainsAnyExcept(TableNameCharacters);
        if (!valid)
        {
            throw new ArgumentException($"'{table}' is not a table name: 3 to 63 ASCII letters and digits, starting with a letter.", nameof(table));
        }
    }

    /// <summary>Throws when either part of <paramref name="key"/> could not be stored in Table Storage.</summary>
    public static void ValidateKey(EntityKey key)
    {
        ValidateKeyPart(key.PartitionKey, nameof(EntityKey.PartitionKey));
        ValidateKeyPart(key.RowKey, nameof(EntityKey.RowKey));
    }

    /// <summary>Throws unless the arguments of <see cref="IEntityStore.GetManyAsync"/> are ones every store accepts.</summary>
    public static void ValidateKeys(string table, IReadOnlyList<EntityKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ValidateTable(table);
        foreach (var key in keys)
        {
            ValidateKey(key);
        }
    }

    public static void ValidatePartitionKey(string partitionKey) => ValidateKeyPart(partitionKey, nameof(EntityKey.PartitionKey));

    /// <summary>Throws unless the arguments of <see cref="IEntityStore.QueryAsync"/> are ones every store accepts.</summary>
    public static void ValidateQuery(string table, string partitionKey, RowKeyRange rowKeys, int pageSize)
    {
        ValidateTable(table);
        ValidatePartitionKey(partitionKey);
        ArgumentNullException.ThrowIfNull(rowKeys);
        ValidatePageSize(pageSize);
    }

    public static void ValidatePageSize(int pageSize)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"A page holds 1 to {MaxPageSize} entities.");
        }
    }

    /// <summary>Throws unless <paramref name="changes"/> is a valid entity group transaction: 1 to 100
    /// changes, one PartitionKey, distinct RowKeys, valid keys, payloads and ETags where their kind needs them.</summary>
    public static void ValidateSubmit(IReadOnlyList<EntityChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count is < 1 or > MaxChangesPerSubmit)
        {
            throw new ArgumentException($"A submit holds 1 to {MaxChangesPerSubmit} changes, not {changes.Count}.", nameof(changes));
        }

        var partition = changes[0].Key.PartitionKey;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            ArgumentNullException.ThrowIfNull(change, nameof(changes));
            ValidateKey(change.Key);
            if (!string.Equals(change.Key.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A submit is atomic within one partition: '{change.Key.PartitionKey}' is not '{partition}'.", nameof(changes));
            }

            // At most 100 changes: comparing with the earlier ones costs less than a set per submit.
            if (ChangedBefore(changes, i, change.Key.RowKey))
            {
                throw new ArgumentException($"A submit may change row '{change.Key.RowKey}' once only.", nameof(changes));
            }

            var needsPayload = change.Kind != EntityChangeKind.Delete;
            if (needsPayload != change.Payload is not null)
            {
                throw new ArgumentException($"A {change.Kind} change {(needsPayload ? "needs" : "takes no")} payload.", nameof(changes));
            }

            if (change.Kind == EntityChangeKind.Update && string.IsNullOrEmpty(change.IfMatch))
            {
                throw new ArgumentException("An Update change needs the ETag it expects.", nameof(changes));
            }
        }
    }

    private static bool ChangedBefore(IReadOnlyList<EntityChange> changes, int count, string rowKey)
    {
        for (var j = 0; j < count; j++)
        {
            if (string.Equals(changes[j].Key.RowKey, rowKey, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="value"/> can be a PartitionKey or RowKey: for input from outside
    /// (a ticket reference in a URL), which is answered "not found" rather than thrown on.</summary>
    public static bool IsValidKeyPart(string? value) =>
        value is not null && value.Length <= MaxKeyLength && !value.Any(IsRefused);

    private static bool IsRefused(char c) => c is '/' or '\\' or '#' or '?' || char.IsControl(c);

    private static void ValidateKeyPart(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length > MaxKeyLength)
        {
            throw new ArgumentException($"{name} is longer than {MaxKeyLength} characters.", name);
        }

        foreach (var c in value)
        {
            if (IsRefused(c))
            {
                throw new ArgumentException($"{name} '{value}' contains '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}', which Table Storage refuses in keys.", name);
            }
        }
    }
}
