using Microsoft.Data.Sqlite;

namespace SupportHub.Functions.Embedded;

// Checkpoints off the commit path. In WAL mode every commit appends its pages to the -wal file, and
// a checkpoint copies them into the database file (random writes, then an fsync of each file).
// SQLite runs one by default inside the COMMIT that takes the WAL past 1,000 pages: under load that
// was one commit in a few, holding the single writer — and every request waiting on its batch — for
// 10–20 ms, and checkpoints that small copy the same hot pages over and over. Here a thread of its
// own, with its own connection, runs a PASSIVE checkpoint about once a second while writes come in:
// it takes no lock the writer or a reader waits for, and one pass copies a page once however often
// it was written since the last. (Measured with bench/load.sh: intake ~3,700 → ~5,200 accepted/s.)
//
// The WAL starts from the beginning again only at a writer's BEGIN after every frame was copied.
// Under steady writes that never happens by itself (new frames arrive while a pass runs), so once the
// WAL is past RestartPages the passes run back to back — each copies what came in during the one
// before, a few frames by the third — and then the writer is asked to copy the rest itself between
// two batches (SqliteWriter.FinishCheckpoint); its next BEGIN restarts the WAL. SQLite's own
// automatic checkpoint stays on in the writer, at a far larger size, should this thread fall behind.

/// <summary>Checkpoints the file's WAL on a background thread while writes are committed.</summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCheckpointing _settings;
    private readonly ManualResetEventSlim _written = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private bool _restartWanted;
    private int _disposed;

    /// <param name="connection">A connection of its own (the writer's and the readers' are busy).</param>
    public SqliteCheckpointer(SqliteConnection connection, SqliteCheckpointing settings)
    {
        _connection = connection;
        _settings = settings;
        _thread = new Thread(Run) { IsBackground = true, Name = "SupportHub SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>The WAL is past the restart size and the background passes have caught up: the writer should
    /// copy the last few frames itself between two batches.</summary>
    public bool RestartWanted => Volatile.Read(ref _restartWanted);

    /// <summary>The writer copied every frame: its next BEGIN starts the WAL from the beginning.</summary>
    public void Restarted() => Volatile.Write(ref _restartWanted, false);

    /// <summary>Called by the writer after a commit: a pass follows within the interval.</summary>
    public void Committed()
    {
        if (!_written.IsSet)
        {
            _written.Set();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stop.Cancel();
        _thread.Join();
        _connection.Dispose();
        _written.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        using var checkpoint = _connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        var token = _stop.Token;
        var catchingUp = 0;
        try
        {
            while (true)
            {
                _written.Wait(token);
                // Writes committed from here on are left for the next pass.
                _written.Reset();
                var started = Environment.TickCount64;
                var wait = _settings.Interval;
                try
                {
                    // One row: busy (another checkpoint ran), frames in the WAL, frames copied.
                    using var result = checkpoint.ExecuteReader();
                    if (result.Read() && result.GetInt64(1) >= _settings.RestartPages)
                    {
                        wait = TimeSpan.Zero;
                        if (++catchingUp >= 2)
                        {
                            Volatile.Write(ref _restartWanted, true);
                        }
                    }
                    else
                    {
                        catchingUp = 0;
                    }
                }
                catch (SqliteException)
                {
                    // A disk error: the writer's next COMMIT meets it too and reports it to its callers;
                    // this thread tries again after the next write.
                }
                var rest = wait - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
                if (rest > TimeSpan.Zero && token.WaitHandle.WaitOne(rest))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the last connection to the file to close checkpoints what is left.
        }
    }
}

/// <summary>When the embedded file's WAL is checkpointed (see <see cref="SqliteCheckpointer"/>).</summary>
/// <param name="Interval">At least this long between two background passes while writes come in.</param>
/// <param name="RestartPages">The WAL size, in pages, past which the passes catch up and the writer then restarts the WAL.</param>
/// <param name="WriterPages">SQLite's own automatic checkpoint in the writer, in pages: only should the background thread fall behind.</param>
internal sealed record SqliteCheckpointing(TimeSpan Interval, int RestartPages, int WriterPages)
{
    /// <summary>A pass a second; the WAL restarts at 128 MB (4 KiB pages), the writer checkpoints itself at 512 MB.</summary>
    public static SqliteCheckpointing Default { get; } = new(TimeSpan.FromSeconds(1), 32_768, 131_072);
}
