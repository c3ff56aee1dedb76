using SupportHub.Embedded;
using SupportHub.Storage;
using SupportHub.Testing;
using SupportHub.Testing.Storage;

namespace SupportHub.Functions.Tests.Embedded;

public sealed class SqliteEntityStoreTests : EntityStoreContract
{
    private readonly TemporaryDirectory _folder = new();
    private SqliteDatabase? _database;

    protected override Task<IEntityStore> CreateStoreAsync()
    {
        _database = SqliteDatabase.InFolder(_folder.Path);
        return Task.FromResult<IEntityStore>(new SqliteEntityStore(_database));
    }

    protected override Task AfterStoreDisposedAsync()
    {
        _database?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Set_ThenReopenTheFile_EntityAndETagSurvive()
    {
        var etag = await Store.SetAsync(Table, new EntityKey("p1", "state"), "{\"v\":1}", CancellationToken.None);
        _database!.Dispose();

        using var reopened = SqliteDatabase.InFolder(_folder.Path);
        var read = await new SqliteEntityStore(reopened).GetAsync(Table, new EntityKey("p1", "state"), CancellationToken.None);

        Assert.Equal(("{\"v\":1}", etag), (read?.Payload, read?.ETag));
    }

    [Fact]
    public async Task GetMany_EndsItsReadTransaction_TheConnectionSeesLaterWrites()
    {
        // GetMany reads in one transaction on a pooled read connection: one left open would pin that
        // connection to its snapshot (later reads on it stale, the WAL never restarting) and fail the next BEGIN.
        var key = new EntityKey("p1", "r1");
        await Store.SetAsync(Table, key, "{\"v\":1}", CancellationToken.None);
        Assert.Equal("{\"v\":1}", (await Store.GetManyAsync(Table, [key, new EntityKey("p1", "none")], CancellationToken.None))[0]?.Payload);

        for (var v = 2; v <= 4; v++)
        {
            await Store.SetAsync(Table, key, $"{{\"v\":{v}}}", CancellationToken.None);
            Assert.Equal($"{{\"v\":{v}}}", (await Store.GetAsync(Table, key, CancellationToken.None))?.Payload);
            Assert.Equal($"{{\"v\":{v}}}", (await Store.GetManyAsync(Table, [key], CancellationToken.None))[0]?.Payload);
        }
    }

    [Fact]
    public async Task Writes_TwoDatabasesOnOneFileAndAReopen_NeverRepeatAnETag()
    {
        // ETag numbers are taken from the file's counter once per batch (SqliteWriter): two writers on
        // one file (two processes) and a reopen must still never hand out the same one twice.
        using var other = SqliteDatabase.InFolder(_folder.Path);
        var stores = new IEntityStore[] { Store, new SqliteEntityStore(other) };
        var etags = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            stores[i % 2].SetAsync(Table, new EntityKey($"p{i}", "r"), "{}", CancellationToken.None))));
        _database!.Dispose();
        using var reopened = SqliteDatabase.InFolder(_folder.Path);
        var after = await new SqliteEntityStore(reopened).SetAsync(Table, new EntityKey("p0", "r"), "{}", CancellationToken.None);

        Assert.Equal(41, etags.Append(after).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Update_TwoStoresOnOneFileRacing_ExactlyOneWins()
    {
        // Two writers (two processes, in the hub: pump and HTTP) read the same version and both update it.
        using var other = SqliteDatabase.InFolder(_folder.Path);
        var stores = new IEntityStore[] { Store, new SqliteEntityStore(other) };
        var key = new EntityKey("p1", "state");
        var etag = await Store.CreateAsync(Table, key, "{\"v\":0}", CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await stores[i % 2].UpdateAsync(Table, key, $"{{\"v\":{i + 1}}}", etag, CancellationToken.None);
                return true;
            }
            catch (EntityConflictException)
            {
                return false;
            }
        })));

        Assert.Single(outcomes, won => won);
    }
}
