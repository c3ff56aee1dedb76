using Microsoft.Data.Sqlite;
using SupportHub.Functions.Embedded;
using SupportHub.Testing;
using static SupportHub.Functions.Tests.Embedded.SqliteSql;

namespace SupportHub.Functions.Tests.Embedded;

// SqliteWalVfs gathers a WAL's frame writes and gives them to the OS in one call. What it must keep:
// every byte SQLite wrote reaches the file before anyone can need it (its own reads of frames spilled
// mid-transaction, a frame rewritten in place, another connection reading a commit that was not
// synced), a rollback still leaves nothing, and the file is an ordinary SQLite file for any other
// connection. And what it is for: far fewer write system calls per commit. The count is the
// process's own (/proc/self/io), so these tests run alone, after the parallel ones.
[Collection(SerialMeasurementCollection.Name)]
public sealed class SqliteWalVfsTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Row(int i, int round, int size) => $"{i}:{round}:".PadRight(size, (char)('a' + (i + round) % 26));

    /// <summary>A connection through the VFS, in WAL mode, with <paramref name="pragmas"/> applied.</summary>
    private static SqliteConnection Open(string file, string pragmas = "")
    {
        var connection = new SqliteConnection($"Data Source={SqliteWalVfs.FileUri(file)};Pooling=False");
        connection.Open();
        Execute(connection, $"PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; {pragmas}");
        return connection;
    }

    /// <summary>A connection with SQLite's default VFS, as any other program would open the file.</summary>
    private static SqliteConnection OpenPlain(string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        return connection;
    }


    private static void Upsert(SqliteConnection connection, SqliteTransaction transaction, int rows, int round, int size)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO t (i, v) VALUES ($i, $v) ON CONFLICT (i) DO UPDATE SET v = excluded.v";
        var i = command.Parameters.Add("$i", SqliteType.Integer);
        var v = command.Parameters.Add("$v", SqliteType.Text);
        for (var n = 0; n < rows; n++)
        {
            i.Value = n;
            v.Value = Row(n, round, size);
            command.ExecuteNonQuery();
        }
    }

    private static void AssertRows(SqliteConnection connection, int rows, int round, int size, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT i, v FROM t ORDER BY i";
        using var reader = command.ExecuteReader();
        var n = 0;
        while (reader.Read())
        {
            Assert.Equal(n, reader.GetInt32(0));
            Assert.Equal(Row(n, round, size), reader.GetString(1));
            n++;
        }
        Assert.Equal(rows, n);
    }


    [Fact]
    public void ATransactionLargerThanTheCache_SpillsRewritesAndReadsItsFrames_AndCommitsOrRollsBackWhole()
    {
        var file = _folder.File("spill.db");
        const int Rows = 400, Size = 3000; // about 400 pages against a cache of 20: SQLite spills to the WAL mid-transaction
        using (var connection = Open(file, "PRAGMA cache_size = 20; PRAGMA cache_spill = 10;"))
        {
            Execute(connection, "CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT NOT NULL);");
            using (var transaction = connection.BeginTransaction())
            {
                // Written, then every row written again (frames of this transaction rewritten in place,
                // spilled pages read back from the WAL), then read in the transaction.
                Upsert(connection, transaction, Rows, 1, Size);
                Upsert(connection, transaction, Rows, 2, Size);
                AssertRows(connection, Rows, 2, Size, transaction);
                transaction.Commit();
            }

            using (var transaction = connection.BeginTransaction())
            {
                Upsert(connection, transaction, Rows, 3, Size);
                AssertRows(connection, Rows, 3, Size, transaction);
                transaction.Rollback();
            }
            AssertRows(connection, Rows, 2, Size);
        }

        // Another program, SQLite's default VFS, reads the file and its WAL as they are.
        using var plain = OpenPlain(file);
        AssertRows(plain, Rows, 2, Size);
        Assert.Equal("ok", Scalar(plain, "PRAGMA integrity_check"));
    }

    [Fact]
    public void ACommitThatIsNotSynced_IsReadableAtOnceByAnotherConnection()
    {
        // synchronous=OFF: no sync at commit, so only the flush after the commit frame puts the frames
        // in the file before SQLite publishes the transaction to the other connection.
        var file = _folder.File("nosync.db");
        using var writer = Open(file, "PRAGMA synchronous = OFF;");
        Execute(writer, "CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT NOT NULL);");
        using var reader = OpenPlain(file);
        for (var round = 1; round <= 20; round++)
        {
            using (var transaction = writer.BeginTransaction())
            {
                Upsert(writer, transaction, 30, round, 1500);
                transaction.Commit();
            }
            AssertRows(reader, 30, round, 1500);
        }
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with space, #hash, ?question, %percent & ünïcødé")]
    public void TheUri_OpensTheFileAtExactlyThePath(string folder)
    {
        var file = Path.Combine(_folder.Path, folder, SqliteDatabase.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using (var connection = Open(file))
        {
            Execute(connection, "CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO t VALUES (0, 'x');");
        }

        Assert.Equal([SqliteDatabase.FileName], Directory.GetFiles(Path.GetDirectoryName(file)!).Select(Path.GetFileName));
        using var plain = OpenPlain(file);
        Assert.Equal("x", Scalar(plain, "SELECT v FROM t WHERE i = 0"));
    }

    [Fact]
    public void OnLinux_ACommit_IsAFewWriteSystemCalls_NotTwoPerFrame()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the count comes from /proc/self/io (the hub's CI runs on Linux)
        }
        // The same commit of about 170 pages (WAL frames) through the VFS and through SQLite's default one.
        long Commit(SqliteConnection connection)
        {
            Execute(connection, "CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, v TEXT NOT NULL);");
            var before = WriteCalls();
            using (var transaction = connection.BeginTransaction())
            {
                Upsert(connection, transaction, 150, 1, 3000);
                transaction.Commit();
            }
            return WriteCalls() - before;
        }

        long gathered, plain;
        using (var connection = Open(_folder.File("gathered.db")))
        {
            gathered = Commit(connection);
        }
        using (var connection = OpenPlain(_folder.File("plain.db")))
        {
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
            plain = Commit(connection);
        }

        // 170 frames of 4,120 bytes in writes of up to 128 KiB: 6 calls and the WAL header.
        Assert.True(plain >= 300, $"SQLite's default VFS made {plain} write calls for the commit: the count does not see them.");
        Assert.True(gathered <= 30, $"Through the VFS the commit took {gathered} write calls (the default VFS: {plain}).");
    }

    /// <summary>The write system calls this process made so far (write, pwrite…).</summary>
    private static long WriteCalls() =>
        long.Parse(File.ReadAllLines("/proc/self/io").Single(l => l.StartsWith("syscw:", StringComparison.Ordinal))["syscw:".Length..].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Tests that measure the whole process (its system calls): they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialMeasurementCollection
{
    public const string Name = "Serial measurements";
}
