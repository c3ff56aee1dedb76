using SupportHub.Storage;

namespace SupportHub.Testing.Storage;

// The behaviour every IEntityStore must show: in-memory, SQLite, and (later) Table Storage against
// Azurite. Derive, implement CreateStoreAsync, and every fact below runs against your store. The
// facts use fresh table names, so a store shared between tests (an Azurite account) works too.

public abstract class EntityStoreContract : IAsyncLifetime
{
    private IEntityStore? _store;

    protected IEntityStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A table no other test uses.</summary>
    protected string Table { get; } = NewTableName();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        await AfterStoreDisposedAsync();
    }

    /// <summary>The store under test; it may already hold other tests' tables.</summary>
    protected abstract Task<IEntityStore> CreateStoreAsync();

    /// <summary>Removes what the store left behind (files, for instance).</summary>
    protected virtual Task AfterStoreDisposedAsync() => Task.CompletedTask;

    protected static string NewTableName() => "t" + Guid.NewGuid().ToString("N")[..16];

    private static EntityKey Key(string rowKey, string partitionKey = "p1") => new(partitionKey, rowKey);

    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task Get_MissingEntity_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Table, Key("nope"), None));
    }

    [Fact]
    public async Task GetMany_ReturnsEachKeysEntityInOrder_NullWhereMissing()
    {
        var first = await Store.CreateAsync(Table, Key("a"), """{"n":1}""", None);
        var second = await Store.CreateAsync(Table, Key("b", "p2"), """{"n":2}""", None);
        await Store.CreateAsync(NewTableName(), Key("c"), """{"other":"table"}""", None);

        var read = await Store.GetManyAsync(Table, [Key("b", "p2"), Key("missing"), Key("a"), Key("c"), Key("a")], None);

        Assert.Equal(5, read.Count);
        Assert.Equal(new StoredEntity(Key("b", "p2"), """{"n":2}""", second), read[0]);
        Assert.Null(read[1]);
        Assert.Equal(new StoredEntity(Key("a"), """{"n":1}""", first), read[2]);
        Assert.Null(read[3]); // in another table
        Assert.Equal(read[2], read[4]);
        Assert.Empty(await Store.GetManyAsync(Table, [], None));
        Assert.Equal([null], await Store.GetManyAsync(NewTableName(), [Key("a")], None));
    }

    [Fact]
    public async Task GetMany_WithAKeyOrTableTableStorageRefuses_ThrowsArgumentException()
    {
        await Store.CreateAsync(Table, Key("a"), "{}", None);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync(Table, [Key("a"), Key("bad/key")], None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync("bad table", [Key("a")], None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetManyAsync(Table, null!, None));
    }

    [Fact]
    public async Task Create_NewKey_IsReadBackWithItsETag()
    {
        const string payload = """{"subject":"Zahlungsseite down — 支払い","n":1}""";

        var etag = await Store.CreateAsync(Table, Key("r1"), payload, None);

        var read = await Store.GetAsync(Table, Key("r1"), None);
        Assert.NotNull(read);
        Assert.Equal(Key("r1"), read.Key);
        Assert.Equal(payload, read.Payload);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task Create_ExistingKey_ThrowsAlreadyExistsAndKeepsTheEntity()
    {
        var etag = await Store.CreateAsync(Table, Key("r1"), "{\"v\":1}", None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.CreateAsync(Table, Key("r1"), "{\"v\":2}", None));

        Assert.Equal(EntityConflictKind.AlreadyExists, conflict.Kind);
        Assert.Equal(Key("r1"), conflict.Key);
        Assert.Equal(Table, conflict.Table);
        var read = await Store.GetAsync(Table, Key("r1"), None);
        Assert.Equal(("{\"v\":1}", etag), (read!.Payload, read.ETag));
    }

    [Fact]
    public async Task Set_MissingThenExisting_CreatesThenReplacesWithNewETag()
    {
        var first = await Store.SetAsync(Table, Key("r1"), "{\"v\":1}", None);
        var second = await Store.SetAsync(Table, Key("r1"), "{\"v\":2}", None);

        Assert.NotEqual(first, second);
        var read = await Store.GetAsync(Table, Key("r1"), None);
        Assert.Equal(("{\"v\":2}", second), (read!.Payload, read.ETag));
    }

    [Fact]
    public async Task Update_CurrentETag_ReplacesAndChangesETag()
    {
        var etag = await Store.CreateAsync(Table, Key("r1"), "{\"v\":1}", None);

        var updated = await Store.UpdateAsync(Table, Key("r1"), "{\"v\":2}", etag, None);

        Assert.NotEqual(etag, updated);
        var read = await Store.GetAsync(Table, Key("r1"), None);
        Assert.Equal(("{\"v\":2}", updated), (read!.Payload, read.ETag));
    }

    [Fact]
    public async Task Update_StaleETag_ThrowsETagMismatchAndKeepsTheWinner()
    {
        // Two writers read the same version; the second to write must lose, not overwrite.
        await Store.CreateAsync(Table, Key("r1"), "{\"v\":0}", None);
        var read = (await Store.GetAsync(Table, Key("r1"), None))!;
        var winner = await Store.UpdateAsync(Table, Key("r1"), "{\"v\":\"winner\"}", read.ETag, None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(
            () => Store.UpdateAsync(Table, Key("r1"), "{\"v\":\"loser\"}", read.ETag, None));

        Assert.Equal(EntityConflictKind.ETagMismatch, conflict.Kind);
        Assert.Equal(Key("r1"), conflict.Key);
        var after = await Store.GetAsync(Table, Key("r1"), None);
        Assert.Equal(("{\"v\":\"winner\"}", winner), (after!.Payload, after.ETag));
    }

    [Fact]
    public async Task Update_MissingEntity_ThrowsNotFound()
    {
        var etag = await Store.CreateAsync(Table, Key("r1"), "{}", None);
        await Store.DeleteAsync(Table, Key("r1"), null, None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.UpdateAsync(Table, Key("r1"), "{}", etag, None));

        Assert.Equal(EntityConflictKind.NotFound, conflict.Kind);
        Assert.Null(await Store.GetAsync(Table, Key("r1"), None));
    }

    [Fact]
    public async Task Delete_CurrentETag_Removes()
    {
        var etag = await Store.CreateAsync(Table, Key("r1"), "{}", None);

        await Store.DeleteAsync(Table, Key("r1"), etag, None);

        Assert.Null(await Store.GetAsync(Table, Key("r1"), None));
    }

    [Fact]
    public async Task Delete_StaleETag_ThrowsETagMismatchAndKeeps()
    {
        var stale = await Store.CreateAsync(Table, Key("r1"), "{\"v\":1}", None);
        await Store.SetAsync(Table, Key("r1"), "{\"v\":2}", None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.DeleteAsync(Table, Key("r1"), stale, None));

        Assert.Equal(EntityConflictKind.ETagMismatch, conflict.Kind);
        Assert.Equal("{\"v\":2}", (await Store.GetAsync(Table, Key("r1"), None))!.Payload);
    }

    [Fact]
    public async Task Delete_UnconditionalOnMissingEntity_Succeeds()
    {
        await Store.DeleteAsync(Table, Key("never-written"), null, None);

        Assert.Null(await Store.GetAsync(Table, Key("never-written"), None));
    }

    [Fact]
    public async Task Delete_ConditionalOnMissingEntity_ThrowsNotFound()
    {
        var etag = await Store.CreateAsync(Table, Key("r1"), "{}", None);
        await Store.DeleteAsync(Table, Key("r1"), null, None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.DeleteAsync(Table, Key("r1"), etag, None));

        Assert.Equal(EntityConflictKind.NotFound, conflict.Kind);
    }

    [Fact]
    public async Task Create_AfterDelete_NeverReusesTheOldETag()
    {
        // A writer holding the ETag of a deleted entity must not overwrite its successor.
        var old = await Store.CreateAsync(Table, Key("r1"), "{\"v\":1}", None);
        await Store.DeleteAsync(Table, Key("r1"), old, None);
        await Store.CreateAsync(Table, Key("r1"), "{\"v\":2}", None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.UpdateAsync(Table, Key("r1"), "{\"v\":3}", old, None));

        Assert.Equal(EntityConflictKind.ETagMismatch, conflict.Kind);
    }

    [Fact]
    public async Task Write_SameKeyInTwoTablesAndPartitions_KeepsThemApart()
    {
        var otherTable = NewTableName();
        await Store.SetAsync(Table, Key("r1", "p1"), "{\"at\":\"p1\"}", None);
        await Store.SetAsync(Table, Key("r1", "p2"), "{\"at\":\"p2\"}", None);
        await Store.SetAsync(otherTable, Key("r1", "p1"), "{\"at\":\"other\"}", None);

        Assert.Equal("{\"at\":\"p1\"}", (await Store.GetAsync(Table, Key("r1", "p1"), None))!.Payload);
        Assert.Equal("{\"at\":\"p2\"}", (await Store.GetAsync(Table, Key("r1", "p2"), None))!.Payload);
        Assert.Equal("{\"at\":\"other\"}", (await Store.GetAsync(otherTable, Key("r1", "p1"), None))!.Payload);
    }

    [Fact]
    public async Task Query_Partition_ReturnsOnlyItsRowsInOrdinalRowKeyOrder()
    {
        // Written out of order, with upper case sorting before lower case (ordinal, not culture).
        foreach (var rowKey in new[] { "b", "a", "C", "a-2", "c" })
        {
            await Store.SetAsync(Table, Key(rowKey), $"{{\"k\":\"{rowKey}\"}}", None);
        }

        await Store.SetAsync(Table, Key("a", "p2"), "{}", None);

        var page = await Store.QueryAsync(Table, "p1", RowKeyRange.All, 100, null, None);

        Assert.Equal(["C", "a", "a-2", "b", "c"], page.Entities.Select(e => e.Key.RowKey));
        Assert.All(page.Entities, e => Assert.Equal($"{{\"k\":\"{e.Key.RowKey}\"}}", e.Payload));
        Assert.Null(page.Continuation);
    }

    [Fact]
    public async Task Query_UnknownTableOrPartition_ReturnsEmptyPage()
    {
        var page = await Store.QueryAsync(NewTableName(), "p1", RowKeyRange.All, 10, null, None);

        Assert.Empty(page.Entities);
        Assert.Null(page.Continuation);
    }

    [Fact]
    public async Task Query_Prefix_ReturnsOnlyKeysWithThatPrefix()
    {
        // The outbox pattern: rows "outbox-…" beside the "state" row of the same partition.
        foreach (var rowKey in new[] { "outbox-0001", "outbox-0002", "outboy", "outbo", "state", "out" })
        {
            await Store.SetAsync(Table, Key(rowKey), "{}", None);
        }

        var page = await Store.QueryAsync(Table, "p1", RowKeyRange.Prefix("outbox-"), 100, null, None);

        Assert.Equal(["outbox-0001", "outbox-0002"], page.Entities.Select(e => e.Key.RowKey));
    }

    [Fact]
    public async Task Query_Range_IncludesFromAndExcludesBefore()
    {
        foreach (var rowKey in new[] { "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23" })
        {
            await Store.SetAsync(Table, Key(rowKey), "{}", None);
        }

        var page = await Store.QueryAsync(Table, "p1", new RowKeyRange("2026-11-21", "2026-11-23"), 100, null, None);

        Assert.Equal(["2026-11-21", "2026-11-22"], page.Entities.Select(e => e.Key.RowKey));
    }

    [Fact]
    public async Task Query_Paging_VisitsEveryRowOnceInOrder()
    {
        var expected = Enumerable.Range(0, 23).Select(i => $"row-{i:D3}").ToList();
        await Store.SubmitAsync(Table, expected.Select(k => EntityChange.Set(Key(k), "{}")).ToList(), None);

        // A page may hold fewer rows than asked (even none) and still continue: follow continuations
        // until there is none, as a Table Storage client must.
        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await Store.QueryAsync(Table, "p1", RowKeyRange.Prefix("row-"), 5, continuation, None);
            Assert.True(page.Entities.Count <= 5);
            seen.AddRange(page.Entities.Select(e => e.Key.RowKey));
            continuation = page.Continuation;
            Assert.True(++pages <= 100, "paging does not end");
        }
        while (continuation is not null);

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Query_PageSizeEqualsRowCount_ReturnsEveryRowAndNoMore()
    {
        foreach (var rowKey in new[] { "a", "b", "c" })
        {
            await Store.SetAsync(Table, Key(rowKey), "{}", None);
        }

        var first = await Store.QueryAsync(Table, "p1", RowKeyRange.All, 3, null, None);
        var rest = first.Continuation is null
            ? []
            : (await Store.QueryAsync(Table, "p1", RowKeyRange.All, 3, first.Continuation, None)).Entities;

        Assert.Equal(["a", "b", "c"], first.Entities.Select(e => e.Key.RowKey));
        Assert.Empty(rest);
    }

    [Fact]
    public async Task Submit_AllPreconditionsHold_AppliesEveryChangeAndReturnsETags()
    {
        // The workflow runtime's save: state updated under its ETag, outbox rows created, a done row deleted.
        var state = await Store.CreateAsync(Table, Key("state"), "{\"v\":1}", None);
        await Store.CreateAsync(Table, Key("outbox-0001"), "{\"sent\":true}", None);

        var etags = await Store.SubmitAsync(
            Table,
            [
                EntityChange.Update(Key("state"), "{\"v\":2}", state),
                EntityChange.Create(Key("outbox-0002"), "{\"notify\":\"bob\"}"),
                EntityChange.Set(Key("outbox-0003"), "{\"timer\":\"ack\"}"),
                EntityChange.Delete(Key("outbox-0001")),
            ],
            None);

        Assert.Equal(4, etags.Count);
        Assert.Null(etags[3]);
        var rows = (await Store.QueryAsync(Table, "p1", RowKeyRange.All, 100, null, None)).Entities;
        Assert.Equal(["outbox-0002", "outbox-0003", "state"], rows.Select(r => r.Key.RowKey));
        Assert.Equal([etags[1], etags[2], etags[0]], rows.Select(r => r.ETag));
        Assert.Equal("{\"v\":2}", rows[2].Payload);
    }

    [Fact]
    public async Task Submit_OneStaleETag_WritesNothingAndNamesTheConflictingKey()
    {
        var stale = await Store.CreateAsync(Table, Key("state"), "{\"v\":1}", None);
        var current = await Store.UpdateAsync(Table, Key("state"), "{\"v\":2}", stale, None);
        await Store.CreateAsync(Table, Key("keep"), "{\"v\":\"kept\"}", None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.SubmitAsync(
            Table,
            [
                EntityChange.Create(Key("outbox-0001"), "{}"),
                EntityChange.Delete(Key("keep")),
                EntityChange.Update(Key("state"), "{\"v\":3}", stale),
            ],
            None));

        Assert.Equal((EntityConflictKind.ETagMismatch, Key("state")), (conflict.Kind, conflict.Key));
        Assert.Null(await Store.GetAsync(Table, Key("outbox-0001"), None));
        Assert.Equal("{\"v\":\"kept\"}", (await Store.GetAsync(Table, Key("keep"), None))!.Payload);
        Assert.Equal(current, (await Store.GetAsync(Table, Key("state"), None))!.ETag);
    }

    [Fact]
    public async Task Submit_CreateOfExistingKey_WritesNothing()
    {
        await Store.CreateAsync(Table, Key("outbox-0001"), "{\"v\":1}", None);

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.SubmitAsync(
            Table,
            [EntityChange.Set(Key("state"), "{}"), EntityChange.Create(Key("outbox-0001"), "{\"v\":2}")],
            None));

        Assert.Equal((EntityConflictKind.AlreadyExists, Key("outbox-0001")), (conflict.Kind, conflict.Key));
        Assert.Null(await Store.GetAsync(Table, Key("state"), None));
        Assert.Equal("{\"v\":1}", (await Store.GetAsync(Table, Key("outbox-0001"), None))!.Payload);
    }

    [Fact]
    public async Task Submit_DeleteOfMissingEntity_WritesNothing()
    {
        // Inside a transaction Table Storage fails a delete of a missing entity even without If-Match.
        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => Store.SubmitAsync(
            Table,
            [EntityChange.Set(Key("state"), "{}"), EntityChange.Delete(Key("gone"))],
            None));

        Assert.Equal((EntityConflictKind.NotFound, Key("gone")), (conflict.Kind, conflict.Key));
        Assert.Null(await Store.GetAsync(Table, Key("state"), None));
    }

    [Fact]
    public async Task Submit_HundredChanges_IsAccepted()
    {
        var changes = Enumerable.Range(0, EntityStoreLimits.MaxChangesPerSubmit)
            .Select(i => EntityChange.Create(Key($"r{i:D3}"), "{}"))
            .ToList();

        var etags = await Store.SubmitAsync(Table, changes, None);

        // One ETag per change. They need not differ from each other: an ETag is compared only with
        // the same entity's, and Table Storage dates the entities of one transaction alike (Azurite
        // gave 98 distinct ETags for 100 rows).
        Assert.Equal(100, etags.Count);
        Assert.All(etags, etag => Assert.False(string.IsNullOrEmpty(etag)));
        var rows = (await Store.QueryAsync(Table, "p1", RowKeyRange.All, 1000, null, None)).Entities;
        Assert.Equal(etags, rows.Select(r => r.ETag));
    }

    [Fact]
    public async Task Submit_InvalidTransaction_ThrowsArgumentExceptionAndWritesNothing()
    {
        // Each is something Table Storage refuses as a batch; refusing it everywhere keeps local runs honest.
        List<IReadOnlyList<EntityChange>> invalid =
        [
            [],
            Enumerable.Range(0, 101).Select(i => EntityChange.Set(Key($"r{i}"), "{}")).ToList(),
            [EntityChange.Set(Key("a", "p1"), "{}"), EntityChange.Set(Key("b", "p2"), "{}")],
            [EntityChange.Set(Key("a"), "{}"), EntityChange.Delete(Key("a"))],
        ];

        foreach (var changes in invalid)
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SubmitAsync(Table, changes, None));
        }

        Assert.Empty((await Store.QueryAsync(Table, "p1", RowKeyRange.All, 1000, null, None)).Entities);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\nb")]
    public async Task Set_KeyTableStorageRefuses_ThrowsArgumentException(string badKey)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(Table, Key(badKey), "{}", None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(Table, Key("r", badKey), "{}", None));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1abc")]
    [InlineData("ab-c")]
    public async Task Set_InvalidTableName_ThrowsArgumentException(string badTable)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SetAsync(badTable, Key("r"), "{}", None));
    }
}
