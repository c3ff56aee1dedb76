using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SupportHub.Functions.Embedded;
using SupportHub.Testing;
using static SupportHub.Functions.Tests.Embedded.SqliteSql;

namespace SupportHub.Functions.Tests.Embedded;

// SqlitePageCache is SQLite's default page cache that skips a truncate with nothing to remove. What it
// must keep: a truncate that has something to remove is passed on (a connection whose file another
// connection changed reads the new pages, not the ones it had), and SQLite under splits, rebalances,
// rollbacks and eviction leaves the same rows and an intact file. What it is for: the commits of a
// b-tree that rebalances (a page parked at the lock-byte page's number) no longer reach the default
// cache's truncate. The bound itself is tested on its own below.
public sealed class SqlitePageCacheTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static SqliteConnection Open(string file, string pragmas = "")
    {
        var connection = new SqliteConnection($"Data Source={SqliteWalVfs.FileUri(file)};Pooling=False");
        connection.Open();
        Execute(connection, $"PRAGMA journal_mode = WAL; {pragmas}");
        return connection;
    }



    [Fact]
    public async Task AFreshProcessThatOpensTheHubsDatabase_RunsSqliteWithIt()
    {
        // The hub's own path, in a process of its own (this one installs it in the module initializer below):
        // SqliteDatabase opens its file through SqliteWalVfs, which installs the page cache before SQLite starts.
        using var probe = DotnetProcess.Start(
            Path.Combine(AppContext.BaseDirectory, "SupportHub.QueueCrashProbe.dll"),
            [_folder.Path, "tickets-inbound", "2026-11-22T12:00:00Z", "30"]);
        var line = await probe.WaitForLineAsync(l => l.StartsWith("page cache: ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Equal("page cache: installed", line);
        // And this process's SQLite has it too (the tests below rely on that).
        Assert.True(SqlitePageCache.Install());
        Assert.True(SqlitePageCache.Installed);
    }

    [Fact]
    public void AConnectionWhoseFileAnotherChanged_ReadsTheNewPages_NotTheOnesItHad()
    {
        // The reader's cache holds every page of the table; each commit of the writer makes SQLite clear it
        // (a truncate to nothing) at the reader's next transaction. Skipped, the reader would see old rows.
        var file = _folder.File("two.db");
        using var writer = Open(file);
        Execute(writer, "CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT NOT NULL);");
        Execute(writer, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO t SELECT i, 'round 0' FROM n;");
        using var reader = Open(file);
        for (var round = 1; round <= 5; round++)
        {
            Assert.Equal($"round {round - 1}", Scalar(reader, "SELECT v FROM t WHERE i = 250"));
            Assert.Equal("500", Scalar(reader, $"SELECT count(*) FROM t WHERE v = 'round {round - 1}'"));
            Execute(writer, $"UPDATE t SET v = 'round {round}'; INSERT INTO t VALUES ({1000 + round}, 'extra');");
            Execute(writer, $"DELETE FROM t WHERE i = {1000 + round};");
        }
        Assert.Equal("round 5", Scalar(reader, "SELECT v FROM t WHERE i = 250"));
    }

    [Fact]
    public void RandomInsertsDeletesAndRollbacks_LeaveExactlyTheCommittedRows_InAnIntactFile()
    {
        // Random keys and sizes (leaf splits and rebalances of three b-trees, pages renumbered through the
        // lock-byte page's number), a cache of 50 pages (eviction, spills), a quarter of the transactions
        // rolled back after growing the file, savepoints rolled back inside committed ones.
        var file = _folder.File("random.db");
        var random = new Random(20261122);
        var model = new Dictionary<string, string>();
        var skippedBefore = SqlitePageCache.TruncatesSkipped;
        var renumberedBefore = SqlitePageCache.RenumberedAboveBound;
        using (var connection = Open(file, "PRAGMA cache_size = 50;"))
        {
            Execute(connection, "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID; CREATE INDEX tv ON t (v);");
            for (var round = 0; round < 120; round++)
            {
                var pending = new Dictionary<string, string>(model);
                using var transaction = connection.BeginTransaction();
                for (var n = random.Next(1, 80); n > 0; n--)
                {
                    var key = $"k{random.Next(0, 3000):D5}";
                    if (random.Next(5) == 0)
                    {
                        Run(connection, transaction, "DELETE FROM t WHERE k = $k", key, null);
                        pending.Remove(key);
                    }
                    else
                    {
                        var value = $"{key}:{round}:" + new string((char)('a' + random.Next(26)), random.Next(10, 700));
                        Run(connection, transaction, "INSERT INTO t (k, v) VALUES ($k, $v) ON CONFLICT (k) DO UPDATE SET v = excluded.v", key, value);
                        pending[key] = value;
                    }
                }
                if (random.Next(6) == 0)
                {
                    // A savepoint rolled back: its rows go, the transaction's others stay.
                    var saved = new Dictionary<string, string>(pending);
                    transaction.Save("s");
                    for (var n = 0; n < 40; n++)
                    {
                        var key = $"s{round:D3}{n:D2}";
                        Run(connection, transaction, "INSERT INTO t (k, v) VALUES ($k, $v)", key, new string('s', 600));
                    }
                    transaction.Rollback("s");
                    pending = saved;
                }
                if (random.Next(4) == 0)
                {
                    transaction.Rollback();
                }
                else
                {
                    transaction.Commit();
                    model = pending;
                }
            }
            AssertRows(connection, model);
            Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check"));
        }

        // A new connection (a new cache) reads the same.
        using (var again = Open(file))
        {
            AssertRows(again, model);
        }
        Assert.True(SqlitePageCache.RenumberedAboveBound > renumberedBefore,
            "No page was renumbered above its cache's bound: the rebalance this cache is for did not happen here.");
        Assert.True(SqlitePageCache.TruncatesSkipped > skippedBefore, "No truncate was skipped.");
    }

    private static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql, string key, string? value)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$k", key);
        if (value is not null)
        {
            command.Parameters.AddWithValue("$v", value);
        }
        command.ExecuteNonQuery();
    }

    private static void AssertRows(SqliteConnection connection, Dictionary<string, string> expected)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT k, v FROM t ORDER BY k";
        using var reader = command.ExecuteReader();
        var actual = new List<KeyValuePair<string, string>>();
        while (reader.Read())
        {
            actual.Add(new(reader.GetString(0), reader.GetString(1)));
        }
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual);
    }

    // ---- The bound, on its own. ----

    [Fact]
    public void Bound_CoversEveryPageFetched_AndNothingAbove()
    {
        var cache = new SqlitePageCache.Cache();
        Assert.True(cache.NoneFrom(1));
        cache.Fetched(1);
        cache.Fetched(40);
        cache.Fetched(7);
        Assert.False(cache.NoneFrom(40));
        Assert.False(cache.NoneFrom(2));
        Assert.True(cache.NoneFrom(41));
    }

    [Fact]
    public void Bound_AfterARebalanceSwapThroughTheLockBytePage_IsBackToWhatWasFetched()
    {
        // balance_nonroot: A (30) -> 262,145; B (20) -> 30; A (262,145) -> 20.
        const uint LockBytePage = 262_145;
        var cache = new SqlitePageCache.Cache();
        cache.Fetched(20);
        cache.Fetched(30);
        Assert.True(cache.Renumbered(30, LockBytePage));
        Assert.False(cache.NoneFrom(31)); // a page has that number for now
        Assert.False(cache.Renumbered(20, 30));
        Assert.False(cache.Renumbered(LockBytePage, 20));
        Assert.True(cache.NoneFrom(31));
        Assert.False(cache.NoneFrom(30));
    }

    [Fact]
    public void Bound_KeepsAPageRenumberedAboveIt_UntilATruncateRemovesIt()
    {
        var cache = new SqlitePageCache.Cache();
        cache.Fetched(10);
        Assert.True(cache.Renumbered(3, 100));
        cache.Fetched(100); // found again under its new number: still tracked as renumbered
        Assert.False(cache.NoneFrom(50));
        cache.Truncated(50);
        Assert.True(cache.NoneFrom(50));
        Assert.True(cache.NoneFrom(11));
        Assert.False(cache.NoneFrom(10));
    }

    [Fact]
    public void Bound_AfterATruncate_IsBelowItsLimit_AndGrowsWithLaterFetches()
    {
        var cache = new SqlitePageCache.Cache();
        cache.Fetched(100);
        cache.Truncated(40);
        Assert.True(cache.NoneFrom(40));
        Assert.False(cache.NoneFrom(39));
        cache.Fetched(45);
        Assert.False(cache.NoneFrom(40));
        Assert.True(cache.NoneFrom(46));
        cache.Truncated(1);
        Assert.True(cache.NoneFrom(1));
    }

    [Fact]
    public void Bound_WithMoreRenumberingsAboveItThanItTracks_IsAnything_UntilATruncate()
    {
        var cache = new SqlitePageCache.Cache();
        cache.Fetched(5);
        for (uint i = 0; i <= SqlitePageCache.TrackedHighKeys; i++)
        {
            cache.Renumbered(1, 1000 + i);
        }
        cache.Renumbered(1000, 2); // one moved back down: the others are untracked, still no bound
        Assert.False(cache.NoneFrom(uint.MaxValue));
        cache.Truncated(6);
        Assert.True(cache.NoneFrom(6));
        Assert.False(cache.NoneFrom(5));
    }
}

internal static class SqlitePageCacheModule
{
    // Every test of this assembly runs with the hub's page cache, whichever test opens SQLite first (some open
    // plain connections, which would initialize SQLite with its default cache).
#pragma warning disable CA2255 // a test assembly's setup, not a library's
    [ModuleInitializer]
    internal static void InstallPageCache() => SqlitePageCache.Install();
#pragma warning restore CA2255
}
