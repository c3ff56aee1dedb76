using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SupportHub.Functions.Embedded;

// Group commit. SQLite has one writer at a time, and with synchronous=FULL every commit waits for
// an fsync of the WAL. Letting every caller open its own connection and BEGIN IMMEDIATE made them
// queue on the file lock (SQLite's busy handler sleeps 1, 2, 5 … 100 ms between tries) and paid one
// fsync per write: under 64 concurrent intake requests that was ~100 writes/s with p99 in seconds.
//
// Instead every write of this process goes to one thread with one connection. It takes whatever
// writes are waiting, runs them one after another in a single IMMEDIATE transaction, and commits
// once: a write whose work throws (an ETag conflict, a bad key) fails alone; the others commit
// together. A write runs without a savepoint of its own: a savepoint copies every page the write
// first touches into SQLite's in-memory sub-journal and frees the copies at its RELEASE, and under
// intake load that was a sixth of the writer thread's CPU (perf), on the thread every write waits
// for. The writes that fail in practice (a conflict, a lost lock) find so before they change a row,
// so a write that throws with the connection's total change count unmoved has nothing to undo and
// fails alone. One that throws after changing rows (or when SQLite ended the transaction itself)
// rolls the whole transaction back; the writes before it in the batch then run again, each in a
// SAVEPOINT of its own as the rest of that batch does, and it fails alone. So a write's work may
// run twice: it must act only on the database through the writer, and only its last run's result
// is returned. A caller's task completes only
// after the COMMIT returned, so "the write succeeded" still means "it is on disk" (synchronous=FULL):
// the durability promise is unchanged, the fsync is shared. Another process on the same file still
// queues on the busy timeout, as before.
//
// Statements are prepared once per SQL text on the writer's connection and run through SQLite's C
// API (SqliteStatement), the savepoints included. ETag
// numbers come from the file's counter, read once per batch and written back once before COMMIT:
// the batch holds the file's write lock, so no other process takes a number in between (a write
// rolled back to its savepoint leaves a gap, never a repeat).

/// <summary>The single writer of an embedded SQLite file: runs write transactions in batches that commit together.</summary>
internal sealed class SqliteWriter : IDisposable
{
    /// <summary>At most this many writes share one commit, so one batch cannot hold the lock for long.</summary>
    private const int MaxBatch = 512;

    private readonly Channel<PendingWrite> _pending = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly Thread _thread;
    private readonly SqliteStatements _statements;
    private SqliteTransaction? _transaction;
    private long _lastETag; // the last ETag number handed out in this batch; -1 until the counter is read

    private readonly SqliteCheckpointer _checkpointer;

    /// <param name="checkpointer">Told of each commit; when it asks, the writer finishes a checkpoint between two batches.</param>
    /// <param name="keys">The file's key filter, if its database keeps one: writes mark their keys in it.</param>
    public SqliteWriter(SqliteConnection connection, SqliteCheckpointer checkpointer, SqliteKeyFilter? keys = null)
    {
        _connection = connection;
        _checkpointer = checkpointer;
        Keys = keys;
        _statements = new SqliteStatements(connection);
        _thread = new Thread(Run) { IsBackground = true, Name = "SupportHub SQLite writer" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> in a transaction and completes once it is committed. An
    /// exception from the work rolls back what it wrote and is rethrown to the caller. The work may run
    /// more than once (see the top of this file): it must act on the database only through the writer.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteWriter, T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(work, cancellationToken);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqliteWriter));
        }
        return pending.Task;
    }

    /// <summary>The file's key filter, if its database keeps one: work that writes an entity row marks its key
    /// first (<see cref="SqliteKeyFilter.Mark"/>), and may ask it whether a row exists before reading.</summary>
    public SqliteKeyFilter? Keys { get; }

    /// <summary>For work running on the writer: the prepared statement for <paramref name="sql"/>, run in the
    /// current transaction, with no values bound yet.</summary>
    public SqliteStatement Statement(string sql) => _statements.Get(sql);

    /// <summary>For work running on the writer: the next ETag number, never handed out before in this file.</summary>
    public long NextETagNumber()
    {
        if (_lastETag < 0)
        {
            _lastETag = Statement("SELECT value FROM counters WHERE name = 'etag'").ScalarInt64() ?? 0;
            _eTagsTaken = true;
        }
        return ++_lastETag;
    }

    private bool _eTagsTaken;

    // Writes the counter back, outside every write's savepoint, just before COMMIT.
    private void SaveETagCounter()
    {
        if (!_eTagsTaken)
        {
            return;
        }
        Statement("INSERT INTO counters (name, value) VALUES ('etag', ?1) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
            .Bind(1, _lastETag)
            .Execute();
    }

    public void Dispose()
    {
        _pending.Writer.TryComplete();
        _thread.Join();
        _statements.Dispose();
        _connection.Dispose();
    }

    private void Run()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        var db = _connection.Handle!;
        while (_pending.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            (_lastETag, _eTagsTaken) = (-1, false);
            try
            {
                _transaction = _connection.BeginTransaction(deferred: false);
            }
            catch (Exception exception)
            {
                // The file cannot be locked (another process held it past the busy timeout) or the
                // disk failed: the writes waiting now fail, later ones try again.
                while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var write))
                {
                    write.Fail(exception);
                    batch.Add(write);
                }
                continue;
            }
            try
            {
                var savepoints = false; // set once a write failed after changing rows: the rest of the batch runs in savepoints
                while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var write))
                {
                    if (write.Cancelled)
                    {
                        continue;
                    }
                    if (savepoints)
                    {
                        RunInSavepoint(write, batch);
                        continue;
                    }
                    var changes = raw.sqlite3_total_changes(db);
                    try
                    {
                        write.Execute(this);
                        batch.Add(write);
                    }
                    catch (Exception exception)
                    {
                        write.Fail(exception);
                        if (raw.sqlite3_get_autocommit(db) == 0 && raw.sqlite3_total_changes(db) == changes)
                        {
                            continue; // it changed nothing: nothing to undo
                        }
                        RunAgainInSavepoints(batch);
                        savepoints = true;
                    }
                }
                SaveETagCounter();
                _transaction.Commit();
                foreach (var write in batch)
                {
                    write.Succeed();
                }
                _checkpointer.Committed();
            }
            catch (Exception exception)
            {
                // A statement outside every write, a savepoint or the COMMIT failed (the disk, the
                // lock): the transaction rolled back, so none of the batch happened.
                foreach (var write in batch)
                {
                    write.Fail(exception);
                }
            }
            finally
            {
                DisposeTransaction();
            }
            if (_checkpointer.RestartWanted)
            {
                FinishCheckpoint();
            }
        }
    }

    // Runs one write inside a savepoint of its own: if it throws, what it wrote is undone and it fails alone.
    private void RunInSavepoint(PendingWrite write, List<PendingWrite> batch)
    {
        Statement("SAVEPOINT w").Execute();
        try
        {
            write.Execute(this);
            Statement("RELEASE w").Execute();
            batch.Add(write);
        }
        catch (Exception exception)
        {
            Statement("ROLLBACK TO w").Execute();
            Statement("RELEASE w").Execute();
            write.Fail(exception);
        }
    }

    // A write failed after changing rows: rolls the transaction back, begins it again and runs the writes
    // that had succeeded in it again, each in a savepoint (one that fails now fails alone). If this fails,
    // every one of them fails.
    private void RunAgainInSavepoints(List<PendingWrite> batch)
    {
        var before = batch.ToArray();
        batch.Clear();
        try
        {
            DisposeTransaction();
            (_lastETag, _eTagsTaken) = (-1, false);
            _transaction = _connection.BeginTransaction(deferred: false);
            foreach (var write in before)
            {
                RunInSavepoint(write, batch);
            }
        }
        catch (Exception exception)
        {
            foreach (var write in before)
            {
                write.Fail(exception);
            }
            throw;
        }
    }

    // Ends the current transaction: rolled back unless it was committed (Microsoft.Data.Sqlite issues no
    // ROLLBACK when SQLite ended it itself). Never throws: it runs in the batch's finally, after a failed
    // batch's callers were told, and the writer thread must live on; a ROLLBACK that failed leaves the
    // transaction open, and the next BEGIN reports that to its own callers.
    private void DisposeTransaction()
    {
        var transaction = _transaction;
        _transaction = null;
        try
        {
            transaction?.Dispose();
        }
        catch (SqliteException)
        {
        }
    }

    // Between two batches, after the last one's callers were answered: copies the frames the background
    // passes have not (a few: they ran back to back before asking), so that the next BEGIN starts the WAL
    // from the beginning again. A reader still on an old snapshot, or a background pass running right
    // now, leaves frames behind: then it tries again after the next batch.
    private void FinishCheckpoint()
    {
        try
        {
            using var result = Statement("PRAGMA wal_checkpoint(PASSIVE)").Query();
            if (result.Read() && result.GetInt64(0) == 0 && result.GetInt64(1) == result.GetInt64(2))
            {
                _checkpointer.Restarted();
            }
        }
        catch (SqliteException)
        {
            // A disk error: the next batch's COMMIT meets it too, and reports it to its callers.
        }
    }

    private abstract class PendingWrite
    {
        public abstract bool Cancelled { get; }

        public abstract void Execute(SqliteWriter writer);

        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqliteWriter, T> work, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        // Cancellation is honoured only before the work starts: a started write commits or fails with its batch.
        public override bool Cancelled => cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

        public override void Execute(SqliteWriter writer) => _result = work(writer);

        public override void Succeed() => _completion.TrySetResult(_result);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
