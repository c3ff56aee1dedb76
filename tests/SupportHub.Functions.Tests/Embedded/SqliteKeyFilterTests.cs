using System.Security.Cryptography;
using SupportHub.Functions.Embedded;
using SupportHub.Testing;
using SupportHub.Testing.Workflows;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Embedded;

// The key filter answers lookups that find nothing without reading the file. What must hold: a key
// that exists is never reported absent — after a reopen, while the filter is built or rebuilt beside
// writes, and never because another SqliteDatabase wrote to the file.
public sealed class SqliteKeyFilterTests : IDisposable
{
    private const string Table = "ticketindex";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string DatabaseFile => _folder.File(SqliteDatabase.FileName);

    private SqliteDatabase Owner(int minLog2Bits = SqliteKeyFilter.MinLog2Bits) =>
        new(DatabaseFile, SqliteCheckpointing.Default, [Table], minLog2Bits);

    [Fact]
    public async Task LookupsOfKeysNeverWritten_AreAnsweredWithoutARead_AndWrittenOnesAreFound()
    {
        using var database = Owner();
        var filter = await ReadyAsync(database);
        var store = new SqliteEntityStore(database);
        await store.CreateAsync(Table, Key(1), "{\"n\":1}", CancellationToken.None);
        await store.SetAsync("other", Key(2), "{\"n\":2}", CancellationToken.None);

        var before = filter.Answered;
        var found = await store.GetManyAsync(Table, [Key(1), Key(3), Key(4)], CancellationToken.None);
        Assert.Equal("{\"n\":1}", found[0]?.Payload);
        Assert.Null(found[1]);
        Assert.Null(found[2]);
        Assert.Null(await store.GetAsync(Table, Key(5), CancellationToken.None));
        // Keys 3, 4 and 5 never reached the file (a false positive would read it, and find nothing too).
        Assert.InRange(filter.Answered - before, 2, 3);

        // Another table is not kept: always read.
        Assert.Equal("{\"n\":2}", (await store.GetAsync("other", Key(2), CancellationToken.None))?.Payload);
        Assert.True(filter.MayExist("other", Key(99)));
    }

    [Fact]
    public async Task Reopened_OnAFileWithRows_EveryRowIsFound()
    {
        const int Rows = 3000;
        using (var plain = new SqliteDatabase(DatabaseFile))
        {
            var store = new SqliteEntityStore(plain);
            for (var i = 0; i < Rows; i += 100)
            {
                await store.SubmitAsync(Table, [.. Enumerable.Range(i, 100).Select(n => EntityChange.Create(Key(n), $"{{\"n\":{n}}}"))], CancellationToken.None);
            }
        }

        // The smallest filter 1,024 bits: only sizing it for the rows found makes it hold 20 bits per key.
        using var database = Owner(minLog2Bits: 10);
        var filter = await ReadyAsync(database);
        var reopened = new SqliteEntityStore(database);
        for (var i = 0; i < Rows; i += 50)
        {
            var found = await reopened.GetManyAsync(Table, [.. Enumerable.Range(i, 50).Select(Key)], CancellationToken.None);
            Assert.All(found.Select((row, n) => (row, n)), x => Assert.Equal($"{{\"n\":{i + x.n}}}", x.row?.Payload));
        }
        Assert.True(filter.Bits >= Rows * 20L, $"{filter.Bits} bits for {Rows} keys");
        // A Create of a row the file has is still refused: the writer reads when the filter says it may exist.
        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => reopened.CreateAsync(Table, Key(17), "{}", CancellationToken.None));
        Assert.Equal(EntityConflictKind.AlreadyExists, conflict.Kind);
    }

    [Fact]
    public async Task WhileTheFilterIsBuiltAndRebuilt_BesideWrites_AWrittenKeyIsAlwaysFound()
    {
        // 1,024 bits to start with: half of them are set after about a hundred keys, so the filter is
        // rebuilt, twice as large, again and again while eight writers go on. Every key read back right
        // after its write completed must be found, and one never written must not be.
        using var database = Owner(minLog2Bits: 10);
        var store = new SqliteEntityStore(database);
        const int Writers = 8, PerWriter = 400;
        var missing = 0;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                var n = w * PerWriter + i;
                await store.CreateAsync(Table, Key(n), "{}", CancellationToken.None);
                if (await store.GetAsync(Table, Key(n), CancellationToken.None) is null)
                {
                    Interlocked.Increment(ref missing);
                }
                if ((await store.GetManyAsync(Table, [Key(-1 - n), Key(n)], CancellationToken.None)) is not [null, { }])
                {
                    Interlocked.Increment(ref missing);
                }
            }
        })));

        Assert.Equal(0, missing);
        var filter = await ReadyAsync(database);
        await filter.Build;
        Assert.True(filter.Bits >= 1 << 15, $"the filter was not rebuilt past {filter.Bits} bits for {Writers * PerWriter} keys");
        var all = await store.GetManyAsync(Table, [.. Enumerable.Range(0, Writers * PerWriter).Select(Key)], CancellationToken.None);
        Assert.DoesNotContain(null, all);
    }

    [Fact]
    public async Task AnotherDatabaseOnTheFile_MayNotWriteEntitiesWhileTheOwnerHasIt_ButQueuesAndReads()
    {
        var owner = Owner();
        try
        {
            await ReadyAsync(owner);
            await new SqliteEntityStore(owner).CreateAsync(Table, Key(1), "{}", CancellationToken.None);

            using var other = new SqliteDatabase(DatabaseFile);
            Assert.Null(other.KeyFilter);
            var store = new SqliteEntityStore(other);
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetAsync(Table, Key(2), "{}", CancellationToken.None));
            Assert.Contains("keeps the file's entity keys in memory", refused.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetAsync("other", Key(2), "{}", CancellationToken.None));
            await Assert.ThrowsAsync<InvalidOperationException>(() => store.DeleteAsync(Table, Key(1), null, CancellationToken.None));
            Assert.NotNull(await store.GetAsync(Table, Key(1), CancellationToken.None));
            var queue = new SqliteMessageQueue(other, NodaTime.SystemClock.Instance, MessageQueueOptions.Default);
            await queue.SendAsync("q", new OutgoingMessage("m1", "{}"), CancellationToken.None);

            // Once the owner has closed the file, the same database writes.
            owner.Dispose();
            await store.SetAsync(Table, Key(2), "{}", CancellationToken.None);
            Assert.NotNull(await store.GetAsync(Table, Key(2), CancellationToken.None));
        }
        finally
        {
            owner.Dispose();
        }
    }

    [Fact]
    public async Task ADatabaseOpenedWhileAnotherHasTheFile_KeepsNoFilter_AndBothWrite()
    {
        using var first = new SqliteDatabase(DatabaseFile);
        using var second = Owner();
        Assert.Null(second.KeyFilter);

        await new SqliteEntityStore(first).CreateAsync(Table, Key(1), "{}", CancellationToken.None);
        await new SqliteEntityStore(second).CreateAsync(Table, Key(2), "{}", CancellationToken.None);
        var found = await new SqliteEntityStore(second).GetManyAsync(Table, [Key(1), Key(2)], CancellationToken.None);
        Assert.DoesNotContain(null, found);
    }

    [Fact]
    public void Bits_NeverMissAnAddedHash_AndAtHalfFullAnswerMostOthers()
    {
        var bits = new SqliteKeyFilter.KeyBits(20);
        var random = new Random(20261122);
        var added = new List<ulong>();
        while (!bits.HalfSet)
        {
            var hash = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            bits.Add(hash);
            added.Add(hash);
        }
        Assert.All(added, hash => Assert.True(bits.Contains(hash)));
        // 7 probes at half the bits set: 0.5^7 ≈ 0.8 % of absent hashes look present.
        var falsePositives = Enumerable.Range(0, 100_000).Count(_ => bits.Contains((ulong)random.NextInt64()));
        Assert.InRange(falsePositives, 0, 2_000);
        // About ln 2 · 2^20 / 7 ≈ 104,000 keys fill half of 2^20 bits.
        Assert.InRange(added.Count, 90_000, 115_000);
    }

    /// <summary>The database's key filter once its first build has finished.</summary>
    internal static async Task<SqliteKeyFilter> ReadyAsync(SqliteDatabase database)
    {
        var filter = database.KeyFilter ?? throw new InvalidOperationException("The database keeps no key filter.");
        var deadline = DateTime.UtcNow + Patience;
        while (!filter.Ready)
        {
            Assert.True(DateTime.UtcNow < deadline, "the key filter was not built in time");
            await Task.Delay(10);
        }
        return filter;
    }

    // Keys shaped as intake's: a kind and a hash.
    private static EntityKey Key(int n) => new("source", Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(n))));
}

/// <summary>The store's contract with the key filter on for the contract's table, built before the first fact.</summary>
public sealed class SqliteEntityStoreWithKeyFilterTests : EntityStoreContract
{
    private readonly TemporaryDirectory _folder = new();
    private SqliteDatabase? _database;

    protected override async Task<IEntityStore> CreateStoreAsync()
    {
        _database = new SqliteDatabase(_folder.File(SqliteDatabase.FileName), [Table]);
        await SqliteKeyFilterTests.ReadyAsync(_database);
        return new SqliteEntityStore(_database);
    }

    protected override Task AfterStoreDisposedAsync()
    {
        _database?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
