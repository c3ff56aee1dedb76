using SupportHub.Embedded;
using SupportHub.Storage;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Embedded;

// The writer runs the writes of a batch each in a savepoint of its own, in one transaction. What must
// hold: a write that throws fails alone and leaves nothing behind, whether it threw before changing a
// row (the usual conflict) or after; every other write of its batch commits, and each runs once.
public sealed class SqliteWriterTests : IDisposable
{
    private const string Table = "writertest";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _folder = new();
    private readonly SqliteDatabase _database;
    private readonly SqliteEntityStore _store;

    public SqliteWriterTests()
    {
        _database = SqliteDatabase.InFolder(_folder.Path);
        _store = new SqliteEntityStore(_database);
    }

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    private static EntityKey Key(string name) => new("p", name);

    [Fact]
    public async Task AWriteThatThrowsAfterChangingRows_IsUndoneAlone_AndTheOthersOfItsBatchCommit()
    {
        var runs = new Dictionary<string, int>();
        var (gate, first) = Blocking("g", runs);
        var before = Create("a", runs);
        var failing = _database.WriteAsync<bool>(writer =>
        {
            Count(runs, "b");
            SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key("b"), "{}")]);
            throw new InvalidOperationException("b broke after writing");
        }, CancellationToken.None);
        var after = Create("c", runs);
        gate.Set();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Patience));
        Assert.Equal("b broke after writing", thrown.Message);
        var etags = await Task.WhenAll(first, before, after).WaitAsync(Patience);

        Assert.Null(await _store.GetAsync(Table, Key("b"), CancellationToken.None));
        string[] names = ["g", "a", "c"];
        for (var i = 0; i < names.Length; i++)
        {
            // What each write returned is what its committed run wrote.
            Assert.Equal(etags[i], (await _store.GetAsync(Table, Key(names[i]), CancellationToken.None))?.ETag);
        }
        // Rolled back to its own savepoint: no other write ran again.
        Assert.Equal(1, runs["g"]);
        Assert.Equal(1, runs["a"]);
        Assert.Equal(1, runs["b"]);
        Assert.Equal(1, runs["c"]);
    }

    [Fact]
    public async Task AWriteThatThrowsBeforeChangingARow_FailsAlone_AndNoOtherRunsAgain()
    {
        await _store.CreateAsync(Table, Key("taken"), "{\"first\":true}", CancellationToken.None);
        var runs = new Dictionary<string, int>();
        var (gate, first) = Blocking("g", runs);
        var before = Create("a", runs);
        var conflicting = _database.WriteAsync(
            writer => SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key("fresh"), "{}"), EntityChange.Create(Key("taken"), "{}")]),
            CancellationToken.None);
        var after = Create("c", runs);
        gate.Set();

        var conflict = await Assert.ThrowsAsync<EntityConflictException>(() => conflicting.WaitAsync(Patience));
        Assert.Equal(EntityConflictKind.AlreadyExists, conflict.Kind);
        await Task.WhenAll(first, before, after).WaitAsync(Patience);

        Assert.Null(await _store.GetAsync(Table, Key("fresh"), CancellationToken.None));
        Assert.Equal("{\"first\":true}", (await _store.GetAsync(Table, Key("taken"), CancellationToken.None))?.Payload);
        Assert.NotNull(await _store.GetAsync(Table, Key("a"), CancellationToken.None));
        Assert.NotNull(await _store.GetAsync(Table, Key("c"), CancellationToken.None));
        Assert.Equal(1, runs["g"]);
        Assert.Equal(1, runs["a"]);
        Assert.Equal(1, runs["c"]);
    }

    // Two deliveries of one email create the same index row in one batch: the second fails with
    // AlreadyExists and reads the first's row to answer with its ticket. It found nothing (and intake
    // answered 500) while the conflict was reported before the batch committed.
    [Fact]
    public async Task AConflictWithAnEarlierWriteOfTheBatch_IsReportedOnceThatWriteIsReadable()
    {
        var runs = new Dictionary<string, int>();
        var (gate, first) = Blocking("g", runs);
        var winner = Create("k", runs);
        var loser = _database.WriteAsync(
            writer => SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key("k"), "{}")]), CancellationToken.None);
        // The last write of the batch holds its commit until the loser's caller has looked (or for a
        // second, when the loser is rightly not answered before the commit).
        var holdCommit = new ManualResetEventSlim(false);
        var last = _database.WriteAsync(writer =>
        {
            holdCommit.Wait(TimeSpan.FromSeconds(1));
            return SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key("z"), "{}")])[0]!;
        }, CancellationToken.None);
        var seenByLoser = loser.ContinueWith(async failed =>
        {
            var row = await _store.GetAsync(Table, Key("k"), CancellationToken.None);
            holdCommit.Set();
            return (failed.Exception?.InnerException, row);
        }, TaskScheduler.Default).Unwrap();
        gate.Set();

        var (exception, row) = await seenByLoser.WaitAsync(Patience);
        await Task.WhenAll(first, winner, last).WaitAsync(Patience);

        Assert.Equal(EntityConflictKind.AlreadyExists, Assert.IsType<EntityConflictException>(exception).Kind);
        Assert.Equal(await winner, row?.ETag);
    }

    [Fact]
    public async Task AfterAWriteFailed_LaterBatchesWriteAsBefore_AndNoETagRepeats()
    {
        var runs = new Dictionary<string, int>();
        var (gate, first) = Blocking("g", runs);
        var failing = _database.WriteAsync<bool>(writer =>
        {
            SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key("x"), "{}")]);
            throw new InvalidOperationException("x broke");
        }, CancellationToken.None);
        gate.Set();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Patience));
        await first.WaitAsync(Patience);

        var etags = new List<string> { (await _store.GetAsync(Table, Key("g"), CancellationToken.None))!.ETag };
        for (var i = 0; i < 20; i++)
        {
            etags.Add(await _store.SetAsync(Table, Key($"later{i}"), "{}", CancellationToken.None));
        }
        Assert.Equal(etags.Count, etags.Distinct(StringComparer.Ordinal).Count());
        Assert.Null(await _store.GetAsync(Table, Key("x"), CancellationToken.None));
    }

    // A write that creates its row and then waits until the gate opens, holding the writer so that the
    // writes queued meanwhile join its batch.
    private (ManualResetEventSlim Gate, Task<string> Write) Blocking(string name, Dictionary<string, int> runs)
    {
        var gate = new ManualResetEventSlim(false);
        var write = _database.WriteAsync(writer =>
        {
            Count(runs, name);
            var etag = SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key(name), "{}")])[0]!;
            gate.Wait(Patience);
            return etag;
        }, CancellationToken.None);
        return (gate, write);
    }

    private Task<string> Create(string name, Dictionary<string, int> runs) =>
        _database.WriteAsync(writer =>
        {
            Count(runs, name);
            return SqliteEntityStore.Apply(writer, Table, [EntityChange.Create(Key(name), "{}")])[0]!;
        }, CancellationToken.None);

    // Runs on the writer thread only; read after the writes completed.
    private static void Count(Dictionary<string, int> runs, string name) =>
        runs[name] = runs.GetValueOrDefault(name) + 1;
}
