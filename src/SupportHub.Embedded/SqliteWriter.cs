using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SupportHub.Storage;

namespace SupportHub.Embedded;

// Group commit. SQLite has one writer at a time, and with synchronous=FULL every commit waits for an
// fsync. So every write of this process goes to one thread with one connection, which takes whatever
// writes are waiting (up to MaxBatch), runs each in a SAVEPOINT of its own inside one IMMEDIATE
// transaction, and commits once: the fsync is shared. A write whose work throws (an ETag conflict, a
// bad key) is rolled back to its savepoint and fails alone; the others commit. A caller's task
// completes only after COMMIT returned, so "the write succeeded" means "it is on disk" — and so does
// a failure: a conflict with an earlier write of the same batch is reported once that write is
// committed, so a caller who reads the row it conflicted with finds it (intake's answer to a message
// that raced in twice depends on that).
//
// When the disk is full or failing (SQLITE_FULL, SQLITE_IOERR) SQLite may end the transaction
// itself: every write of the batch then fails with StoreUnavailableException and nothing of it
// happened. Later batches try again, so the hub carries on once space returns.

/// <summary>The single writer of an embedded SQLite file.</summary>
internal sealed class SqliteWriter : IDisposable
{
    /// <summary>At most this many writes share one commit, so one batch cannot hold the lock for long.</summary>
    private const int MaxBatch = 256;

    private readonly Channel<PendingWrite> _pending = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteSession _session;
    private readonly string _filePath;
    private readonly Thread _thread;

    public SqliteWriter(SqliteConnection connection, string filePath)
    {
        _session = new SqliteSession(connection);
        _filePath = filePath;
        _thread = new Thread(Run) { IsBackground = true, Name = "SupportHub SQLite writer" };
        _thread.Start();
    }

    /// <summary>How long after a write failed for want of disk space the store still counts as unavailable,
    /// although a small write may have fitted meanwhile: as long as intake tells clients to wait (Retry-After).</summary>
    public static readonly TimeSpan UnavailableFor = TimeSpan.FromSeconds(30);

    private StoreUnavailableException? _lastFailure;
    private long _lastFailureAt;

    /// <summary>Why writes failed for want of disk space or a failing disk, while the last such failure
    /// is under <see cref="UnavailableFor"/> old; otherwise null. A full disk still takes some small
    /// writes (a delete, a row that fits a free page): one of them committing does not mean intake's
    /// writes will, and /healthz said Healthy on a full disk when a commit cleared it.</summary>
    public StoreUnavailableException? Unavailable
    {
        get
        {
            var failure = Volatile.Read(ref _lastFailure);
            return failure is not null && Environment.TickCount64 - Volatile.Read(ref _lastFailureAt) < (long)UnavailableFor.TotalMilliseconds
                ? failure
                : null;
        }
    }

    /// <summary>Runs <paramref name="work"/> in a transaction and completes once it is committed. An
    /// exception from the work rolls back what it wrote and is rethrown to the caller.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken)
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

    public void Dispose()
    {
        _pending.Writer.TryComplete();
        _thread.Join();
        _session.Dispose();
    }

    private void Run()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        var done = new List<PendingWrite>(MaxBatch);
        var failed = new List<(PendingWrite Write, Exception Exception)>();
        while (_pending.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            done.Clear();
            failed.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var write))
            {
                if (!write.Cancelled)
                {
                    batch.Add(write);
                }
            }
            if (batch.Count == 0)
            {
                continue;
            }

            SqliteTransaction? transaction = null;
            try
            {
                transaction = _session.Connection.BeginTransaction(deferred: false);
                _session.Transaction = transaction;
                foreach (var write in batch)
                {
                    transaction.Save("w");
                    try
                    {
                        write.Execute(_session);
                    }
                    catch (Exception exception) when (!IsStorageFailure(exception))
                    {
                        transaction.Rollback("w");
                        transaction.Release("w");
                        failed.Add((write, exception));
                        continue;
                    }
                    transaction.Release("w");
                    done.Add(write);
                }
                transaction.Commit();
                foreach (var write in done)
                {
                    write.Succeed();
                }
                foreach (var (write, exception) in failed)
                {
                    write.Fail(exception);
                }
            }
            catch (Exception exception)
            {
                // The disk, the file lock or SQLite itself failed outside a write's own work: the
                // transaction is rolled back, so none of the batch happened (a write that failed alone
                // fails with this too: what it conflicted with may not have happened either).
                TryRollback(transaction);
                var failure = Describe(exception);
                if (failure is StoreUnavailableException unavailable)
                {
                    Volatile.Write(ref _lastFailureAt, Environment.TickCount64);
                    Volatile.Write(ref _lastFailure, unavailable);
                }
                foreach (var write in batch)
                {
                    write.Fail(failure);
                }
            }
            finally
            {
                _session.Transaction = null;
                transaction?.Dispose();
            }
        }
    }

    private static void TryRollback(SqliteTransaction? transaction)
    {
        try
        {
            transaction?.Rollback();
        }
        catch (Exception)
        {
            // SQLite ended the transaction itself (it does on SQLITE_FULL and I/O errors): nothing to undo.
        }
    }

    /// <summary>A full or failing disk: the write may succeed later, and the hub should say so (503), not stop.</summary>
    internal static bool IsStorageFailure(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR };

    private Exception Describe(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL } => new StoreUnavailableException(
            $"The disk holding '{_filePath}' is full: nothing was written. Free some space; the hub carries on by itself.", exception),
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_IOERR } => new StoreUnavailableException(
            $"Writing '{_filePath}' failed with an I/O error ({exception.Message}): nothing was written.", exception),
        _ => exception,
    };

    private abstract class PendingWrite
    {
        public abstract bool Cancelled { get; }

        public abstract void Execute(SqliteSession session);

        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override bool Cancelled
        {
            get
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
                _completion.TrySetCanceled(cancellationToken);
                return true;
            }
        }

        public override void Execute(SqliteSession session) => _result = work(session);

        public override void Succeed() => _completion.TrySetResult(_result);

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
