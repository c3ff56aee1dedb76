using SupportHub.Functions.Embedded;
using SupportHub.Testing;
using SupportHub.Workflows;

namespace SupportHub.Functions.Tests.Embedded;

// The WAL is copied into the database file by SqliteCheckpointer, off the commit path, and starts
// over once it is large even while writes never pause. SQLite's own automatic checkpoint in the
// writer is set out of reach in these tests, so what they see is the checkpointer's doing.
public sealed class SqliteCheckpointTests : IDisposable
{
    private const string Table = "checkpoints";
    private const int NeverByTheWriter = 1_000_000;

    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string DatabaseFile => _folder.File(SqliteDatabase.FileName);

    [Fact]
    public async Task Writes_AreCopiedIntoTheDatabaseFile_InTheBackground()
    {
        using var database = new SqliteDatabase(DatabaseFile, new SqliteCheckpointing(TimeSpan.FromMilliseconds(100), NeverByTheWriter, NeverByTheWriter));
        var store = new SqliteEntityStore(database);
        var before = new FileInfo(DatabaseFile).Length;

        // About 2.4 MB in 300 commits: in the WAL first, in the file only once a checkpoint copied it.
        for (var i = 0; i < 300; i++)
        {
            await store.SetAsync(Table, new EntityKey($"p{i}", "r"), Payload(i, 8000), CancellationToken.None);
        }

        var copied = await Eventually(() => new FileInfo(DatabaseFile).Length >= before + 2_000_000, TimeSpan.FromSeconds(10));
        Assert.True(copied, $"The database file is {new FileInfo(DatabaseFile).Length} bytes (was {before}): the WAL was not checkpointed.");
    }

    [Fact]
    public async Task SteadyWrites_PastTheRestartSize_TheWalStartsOverAndNothingIsLost()
    {
        // Restart past 1 MB of WAL (256 pages); 16 writers keep the single writer busy with ~40 MB, so
        // it is never idle when a background pass ends: only the writer's own finishing pass restarts it.
        using var database = new SqliteDatabase(DatabaseFile, new SqliteCheckpointing(TimeSpan.FromMilliseconds(20), 256, NeverByTheWriter));
        var store = new SqliteEntityStore(database);
        const int Writers = 16, PerWriter = 250, Size = 10_000;
        using var stop = new CancellationTokenSource();
        var readFailures = 0;
        var reader = Task.Run(async () =>
        {
            // Readers beside the checkpoints and restarts: a written row always reads back whole.
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(Writers * PerWriter);
                if (await store.GetAsync(Table, Key(i), CancellationToken.None) is { } row && row.Payload != Payload(i, Size))
                {
                    Interlocked.Increment(ref readFailures);
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < PerWriter; n++)
            {
                var i = w * PerWriter + n;
                await store.SetAsync(Table, Key(i), Payload(i, Size), CancellationToken.None);
            }
        })));
        await stop.CancelAsync();
        await reader;

        // The WAL header counts its restarts (the checkpoint sequence number, bytes 12–15, big-endian).
        // And the file, which keeps its largest length, never held all of the 40 MB written (about
        // 6–17 MB here: the frames written while the checkpointer writes the file's pages back before
        // each restart). Since that write-back paces the passes, the writers leave gaps in which a pass
        // can copy everything, so this test no longer tells whether the writer's finishing pass is needed.
        var header = new byte[32];
        using (var walFile = new FileStream(DatabaseFile + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            walFile.ReadExactly(header);
        }
        var restarts = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
        var wal = new FileInfo(DatabaseFile + "-wal").Length;
        Assert.True(restarts >= 2, $"The WAL started over {restarts} times.");
        Assert.True(wal < 32_000_000, $"The WAL grew to {wal} bytes: it did not start over in time.");
        Assert.Equal(0, readFailures);
        for (var i = 0; i < Writers * PerWriter; i++)
        {
            Assert.Equal(Payload(i, Size), (await store.GetAsync(Table, Key(i), CancellationToken.None))?.Payload);
        }
    }

    [Fact]
    public async Task Reopen_AfterCheckpointsAndRestarts_EveryRowIsThere()
    {
        var checkpointing = new SqliteCheckpointing(TimeSpan.FromMilliseconds(10), 64, NeverByTheWriter);
        using (var database = new SqliteDatabase(DatabaseFile, checkpointing))
        {
            var store = new SqliteEntityStore(database);
            await Task.WhenAll(Enumerable.Range(0, 600).Select(i => store.SetAsync(Table, Key(i), Payload(i, 3000), CancellationToken.None)));
        }

        using var reopened = new SqliteDatabase(DatabaseFile, checkpointing);
        var again = new SqliteEntityStore(reopened);
        for (var i = 0; i < 600; i++)
        {
            Assert.Equal(Payload(i, 3000), (await again.GetAsync(Table, Key(i), CancellationToken.None))?.Payload);
        }
    }

    [Fact]
    public async Task WhileTheWriterIsAskedToFinish_NoBackgroundPassRuns_AndPassesResumeOnceItHas()
    {
        // The checkpointer alone, beside a plain connection that writes and reports each commit as the
        // writer would, but never finishes: so the request to finish stays open as long as the test likes.
        using var writer = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        writer.Open();
        using (var setup = writer.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (i INTEGER PRIMARY KEY, v TEXT NOT NULL);";
            setup.ExecuteNonQuery();
        }
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        connection.Open();
        using var checkpointer = new SqliteCheckpointer(connection, new SqliteCheckpointing(TimeSpan.FromMilliseconds(20), 64, NeverByTheWriter), DatabaseFile);
        var written = 0;
        void Write()
        {
            using var insert = writer.CreateCommand();
            insert.CommandText = "INSERT INTO t (i, v) VALUES ($i, $v)";
            insert.Parameters.AddWithValue("$i", written);
            insert.Parameters.AddWithValue("$v", Payload(written++, 40_000));
            insert.ExecuteNonQuery();
            checkpointer.Committed();
        }

        // Writes back to back (about ten pages each) keep the WAL past the restart size (64 pages): a
        // pass seldom finds everything copied, so the passes catch up and then ask the writer to finish.
        var asked = false;
        for (var until = DateTime.UtcNow.AddSeconds(20); !asked && DateTime.UtcNow < until; asked = checkpointer.RestartWanted)
        {
            Write();
        }
        Assert.True(asked, "The checkpointer never asked the writer to finish.");

        // While it waits for the writer, new frames are not copied: a pass now would hold the
        // checkpoint lock the writer's own finishing pass needs. (Should the last pass have copied
        // everything, the next write starts the WAL over by itself; the frames after it still wait.)
        for (var n = 0; n < 20; n++)
        {
            Write();
            await Task.Delay(10);
        }
        await Task.Delay(200); // ten intervals
        var (frames, copied) = WalIndex();
        Assert.True(copied < frames, $"A pass ran while the writer was asked to finish: {copied} of the WAL's {frames} frames are copied.");

        // Once the writer says it finished, the passes go on and copy what came in meanwhile.
        checkpointer.Restarted();
        Write();
        Assert.True(await Eventually(() => WalIndex().Backfilled > copied, TimeSpan.FromSeconds(10)), "No pass ran after the writer finished.");
    }

    [Theory]
    // The first catching-up pass writes the file back first, however few frames came.
    [InlineData(0, 0, false)]
    // Then the writer is asked once a pass found at most FinishFrames (512) new frames...
    [InlineData(1, 512, true)]
    [InlineData(3, 40, true)]
    // ...not while more keep coming (the writer would stop every commit while it copies them)...
    [InlineData(1, 513, false)]
    [InlineData(7, 5_000, false)]
    // ...but after MaxCatchingUp passes it is asked however many come, so the WAL still starts over.
    [InlineData(8, 5_000, true)]
    // The pass right after the writer's finish (-1) still sees the old frames: it does not ask again.
    [InlineData(-1, 0, false)]
    public void WhileCatchingUp_TheWriterIsAsked_OnceAPassFoundFewNewFrames(int catchingUp, long arrived, bool asked)
    {
        Assert.Equal(8, SqliteCheckpointer.MaxCatchingUp);
        Assert.Equal(asked, SqliteCheckpointer.ReadyForWriter(catchingUp, arrived, SqliteCheckpointing.Default.FinishFrames));
    }

    // The WAL index (the -shm file, format in SQLite's walformat.html): the header's mxFrame (bytes
    // 16–19) and the checkpoint info's nBackfill (bytes 96–99), in the machine's byte order.
    private (uint Frames, uint Backfilled) WalIndex()
    {
        var index = new byte[100];
        using (var shm = new FileStream(DatabaseFile + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            shm.ReadExactly(index);
        }
        return (BitConverter.ToUInt32(index, 16), BitConverter.ToUInt32(index, 96));
    }

    private static EntityKey Key(int i) => new($"p{i}", "r");

    // Distinct per row and not compressible into fewer pages: a row is checked whole.
    private static string Payload(int i, int size)
    {
        var text = $"{{\"i\":{i},\"pad\":\"";
        var pad = new System.Text.StringBuilder(size);
        var state = (uint)(i * 2654435761u + 1);
        while (pad.Length < size)
        {
            state = state * 1664525u + 1013904223u;
            pad.Append((char)('a' + (state >> 27)));
        }
        return text + pad + "\"}";
    }

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }
}
