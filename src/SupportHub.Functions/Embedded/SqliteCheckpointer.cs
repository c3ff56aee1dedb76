using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;

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
// before and its write-back (below) — until one finds at most FinishFrames new frames, and then the
// writer is asked to copy the rest itself between two batches (SqliteWriter.FinishCheckpoint); its
// next BEGIN restarts the WAL. Every commit waits while the writer finishes, so that rest must be
// small: asking after a fixed two passes left it 3,000–5,000 frames (each write-back lets that many
// arrive) and the finish took 13–38 ms at 5,000 intake requests/s; asking once a pass found at most
// 512 new frames, it took 1–4 ms (probes of bench/load.sh with RATE=5000). SQLite's own
// automatic checkpoint stays on in the writer, at a far larger size, should this thread fall behind.
//
// The restart is the one moment intake feels a checkpoint. A pass that did not copy every frame
// (under load, none does) leaves the database file's pages to the OS unsynced; the pass that finally
// copies the last frame fsyncs the file, and with everything copied since the last restart still
// unwritten that fsync was tens of MB: the disk was saturated for 40–300 ms and the writer's commit
// fsyncs queued behind it (probe of bench/load.sh: every 0.5-s window with a restart had p99 of
// 30–140 ms, every other one 13–20 ms). So, once catching up, the thread first writes the file's
// dirty pages back a MiB at a time (sync_file_range on Linux; the commits' fsyncs get between two
// chunks), and the last fsync finds little left to write. The WAL also restarts only past 1 GiB, not
// 128 MB: a quarter as many restarts under sustained load. The WAL file keeps its largest size on disk
// (SQLite reuses it from the start); at a desk's usual pace it restarts long before that, whenever a
// pass finds nothing more to copy. Neither changes what is durable: SQLite's own fsyncs are as before.

/// <summary>Checkpoints the file's WAL on a background thread while writes are committed.</summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCheckpointing _settings;
    private readonly ManualResetEventSlim _written = new(false);
    private readonly ManualResetEventSlim _restarted = new(false);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly DirtyPageWriter _writeBack;
    private bool _restartWanted;

    /// <summary>Passes with a write-back each, at most, before the writer is asked to finish however many frames keep coming.</summary>
    internal const int MaxCatchingUp = 8;
    private int _disposed;

    /// <param name="connection">A connection of its own (the writer's and the readers' are busy).</param>
    /// <param name="databaseFile">The database file, whose dirty pages are written back before a restart.</param>
    public SqliteCheckpointer(SqliteConnection connection, SqliteCheckpointing settings, string databaseFile)
    {
        _connection = connection;
        _settings = settings;
        _writeBack = new DirtyPageWriter(databaseFile);
        _thread = new Thread(Run) { IsBackground = true, Name = "SupportHub SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>The WAL is past the restart size and the background passes have caught up: the writer should
    /// copy the last few frames itself between two batches.</summary>
    public bool RestartWanted => Volatile.Read(ref _restartWanted);

    /// <summary>The writer copied every frame: its next BEGIN starts the WAL from the beginning.</summary>
    public void Restarted()
    {
        Volatile.Write(ref _restartWanted, false);
        _restarted.Set();
    }

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
        _writeBack.Dispose();
        _written.Dispose();
        _restarted.Dispose();
        _stop.Dispose();
    }

    /// <summary>While catching up, after a pass that found <paramref name="arrived"/> new frames, <paramref name="catchingUp"/>
    /// passes with a write-back into it: whether the writer should now copy the rest itself. Not on the first
    /// catching-up pass (the file's pages are written back first), then once a pass found at most
    /// <paramref name="finishFrames"/> new frames, or after <see cref="MaxCatchingUp"/> passes however many come.</summary>
    internal static bool ReadyForWriter(int catchingUp, long arrived, int finishFrames) =>
        catchingUp >= 1 && (arrived <= finishFrames || catchingUp >= MaxCatchingUp);

    private void Run()
    {
        using var checkpoint = _connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        var token = _stop.Token;
        var catchingUp = 0;
        long previousFrames = 0;
        try
        {
            while (true)
            {
                if (RestartWanted)
                {
                    // The writer is finishing the checkpoint between two batches. A pass of this thread
                    // now would hold the checkpoint lock the writer's needs: its pass would find frames
                    // left and it would try again, copy and fsync included, after each of its next
                    // batches (a probe saw three in a row, p99 52 ms in that half second). So wait.
                    _restarted.Wait(_settings.Interval, token);
                    continue;
                }
                _written.Wait(token);
                // Writes committed from here on are left for the next pass.
                _written.Reset();
                var started = Environment.TickCount64;
                var wait = _settings.Interval;
                try
                {
                    // One row: busy (another checkpoint ran), frames in the WAL, frames copied.
                    using var result = checkpoint.ExecuteReader();
                    var frames = result.Read() ? result.GetInt64(1) : 0;
                    // Frames written since the pass before (while it and its write-back ran).
                    var arrived = frames - previousFrames;
                    previousFrames = frames;
                    if (frames >= _settings.RestartPages)
                    {
                        wait = TimeSpan.Zero;
                        // The writer's finish stops every commit while it copies what the passes have
                        // not, and fsyncs the file with what they left unwritten: ask only once a pass
                        // found few new frames, the file's pages written back before it (each round
                        // shorter than the one before). The one pass that may run between the writer's
                        // finish and its next BEGIN (which restarts the WAL) still sees the old frames:
                        // it must not ask again (-1). Should the restart not happen (a reader kept the
                        // WAL), the passes after it ask again.
                        if (ReadyForWriter(catchingUp, arrived, _settings.FinishFrames))
                        {
                            catchingUp = -1;
                            _restarted.Reset();
                            Volatile.Write(ref _restartWanted, true);
                        }
                        else
                        {
                            _writeBack.Run(token);
                            catchingUp++;
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

/// <summary>Writes a file's dirty pages in the OS page cache back to disk a chunk at a time, each chunk
/// finished before the next starts, so other writers' fsyncs on the same disk wait for one chunk at most.
/// A hint for the OS only (sync_file_range, Linux): durability still rests on SQLite's own fsyncs.
/// Elsewhere it does nothing.</summary>
internal sealed class DirtyPageWriter(string path) : IDisposable
{
    /// <summary>How much of the file one call covers (the writes within it are as many dirty pages as it holds).</summary>
    private const long Chunk = 1 << 20;

    // SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER: write the range's
    // dirty pages and wait until they are on disk.
    private const uint WriteAndWait = 1 | 2 | 4;

    // Opened once and kept until disposed: closing any descriptor of the file drops the POSIX locks
    // SQLite's connections in this process hold on it.
    private SafeFileHandle? _file;
    private bool _unsupported = !OperatingSystem.IsLinux();

    /// <summary>Writes the file's dirty pages back, chunk by chunk, until done or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>Whether it ran (false where the OS call is missing or failed).</returns>
    public bool Run(CancellationToken cancellationToken)
    {
        if (_unsupported)
        {
            return false;
        }
        try
        {
            _file ??= File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(_file);
            for (long offset = 0; offset < length && !cancellationToken.IsCancellationRequested; offset += Chunk)
            {
                if (SyncFileRange(_file, offset, Chunk, WriteAndWait) != 0)
                {
                    _unsupported = true;
                    return false;
                }
            }
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or EntryPointNotFoundException or DllNotFoundException)
        {
            _unsupported = true;
            return false;
        }
    }

    public void Dispose() => _file?.Dispose();

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(SafeFileHandle file, long offset, long count, uint flags);
}

/// <summary>When the embedded file's WAL is checkpointed (see <see cref="SqliteCheckpointer"/>).</summary>
/// <param name="Interval">At least this long between two background passes while writes come in.</param>
/// <param name="RestartPages">The WAL size, in pages, past which the passes catch up and the writer then restarts the WAL.</param>
/// <param name="WriterPages">SQLite's own automatic checkpoint in the writer, in pages: only should the background thread fall behind.</param>
/// <param name="FinishFrames">While catching up: the writer is asked to finish once a pass finds no more new frames than this.</param>
internal sealed record SqliteCheckpointing(TimeSpan Interval, int RestartPages, int WriterPages, int FinishFrames = 512)
{
    /// <summary>A pass a second; the WAL restarts past 1 GiB (4 KiB pages), the writer checkpoints itself at 4 GiB;
    /// the writer finishes once a pass found at most 2 MiB of new frames.</summary>
    public static SqliteCheckpointing Default { get; } = new(TimeSpan.FromSeconds(1), 262_144, 1_048_576);
}
