using Microsoft.Data.Sqlite;

namespace SupportHub.Functions.Embedded;

// The embedded hub's one SQLite file: the entity store and the durable queue share it, so a
// restart (or a crash) loses nothing that was committed. WAL lets readers run beside the single
// writer. Within this process every write goes through one SqliteWriter (group commit: one
// IMMEDIATE transaction for whatever writes are waiting, see there); other connections only read.
// Two processes on the same file queue on the busy timeout instead of failing on a lock upgrade.
// Except when one keeps the file's entity keys in memory (the hub, SqliteKeyFilter): then it alone
// writes entities, and the others on the file read, and send and receive queue messages.
// The WAL is copied into the file by a background thread (SqliteCheckpointer), not inside a commit.
// synchronous=FULL: a committed transaction survives power loss, not only a crash. Connections open
// the file through SqliteWalVfs: SQLite's default VFS with a commit's WAL frames written in one system
// call instead of two per frame; the file itself is as any SQLite would write it.

/// <summary>The SQLite file under the data folder, its schema, and connections to it.</summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The file's name inside <c>SupportHub:DataPath</c>.</summary>
    public const string FileName = "supporthub.db";

    /// <summary>How long a statement waits for another writer's lock before it fails.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private const int SchemaVersion = 1;

    private readonly string _connectionString;
    private readonly SqliteWriter _writer;
    private readonly SqliteCheckpointer _checkpointer;

    /// <summary>Read connections kept beyond this many idle ones are closed.</summary>
    private const int MaxIdleReaders = 64;

    private readonly System.Collections.Concurrent.ConcurrentBag<SqliteReader> _readers = [];
    private volatile bool _disposed;

    public SqliteDatabase(string filePath)
        : this(filePath, SqliteCheckpointing.Default)
    {
    }

    /// <param name="keyTables">Entity tables whose keys this database keeps in memory, to answer lookups
    /// that find nothing without reading the file (<see cref="SqliteKeyFilter"/>); only when no other
    /// SqliteDatabase has the file open, and then this one alone writes entities to it.</param>
    public SqliteDatabase(string filePath, IReadOnlyCollection<string> keyTables)
        : this(filePath, SqliteCheckpointing.Default, keyTables)
    {
    }

    internal SqliteDatabase(string filePath, SqliteCheckpointing checkpointing, IReadOnlyCollection<string>? keyTables = null, int keyFilterMinLog2Bits = SqliteKeyFilter.MinLog2Bits)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        FilePath = Path.GetFullPath(filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = SqliteWalVfs.FileUri(FilePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
        // Before anything is written: an owner's key filter must see every entity written after it opens.
        if (keyTables is { Count: > 0 } && TryLock(FileShare.None) is { } exclusive)
        {
            _keysLock = exclusive;
            KeyFilter = new SqliteKeyFilter(this, keyTables, keyFilterMinLog2Bits);
        }
        else
        {
            _keysLock = TryLock(FileShare.ReadWrite);
        }
        try
        {
            CreateSchema();
            _checkpointer = new SqliteCheckpointer(OpenAsync(CancellationToken.None).GetAwaiter().GetResult(), checkpointing, FilePath);
        }
        catch
        {
            _keysLock?.Dispose();
            throw;
        }
        try
        {
            _writer = new SqliteWriter(OpenWriter(checkpointing), _checkpointer, KeyFilter);
        }
        catch
        {
            _checkpointer.Dispose();
            _keysLock?.Dispose();
            throw;
        }
        KeyFilter?.Start();
    }

    /// <summary>The lock beside the file that says who may write entities: held exclusively by the SqliteDatabase
    /// that keeps a <see cref="KeyFilter"/>, shared by every other one; null while another one holds it exclusively.</summary>
    private FileStream? _keysLock;
    private readonly Lock _keysLockGate = new();

    /// <summary>The file's key filter, when this SqliteDatabase keeps one (see the constructor).</summary>
    internal SqliteKeyFilter? KeyFilter { get; }

    /// <summary>The file beside the database whose lock tells who writes entities (see <see cref="SqliteKeyFilter"/>).</summary>
    private string KeysLockPath => FilePath + "-keys";

    // .NET takes an advisory lock on the file it opens (flock on Unix: exclusive for FileShare.None,
    // shared otherwise; a share mode on Windows): a sharing violation means someone holds it the other way.
    private FileStream? TryLock(FileShare share)
    {
        try
        {
            return new FileStream(KeysLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Throws unless this SqliteDatabase may write entities: not while another one on the file keeps a key
    /// filter (its lookups would miss the rows written here). Checked again at every write, so once that
    /// one has closed the file, writes go through.</summary>
    internal void EnsureEntityWrites()
    {
        if (Volatile.Read(ref _keysLock) is not null)
        {
            return;
        }
        lock (_keysLockGate)
        {
            if (_keysLock is null && TryLock(FileShare.ReadWrite) is { } shared)
            {
                Volatile.Write(ref _keysLock, shared);
            }
        }
        if (_keysLock is null)
        {
            throw new InvalidOperationException(
                $"Another process on '{FilePath}' (the hub, or another SqliteDatabase) keeps the file's entity keys in memory, so it alone writes entities: write through it, or stop it first. Queues and reads work from here.");
        }
    }

    public string FilePath { get; }

    /// <summary>The database in <paramref name="dataPath"/> (created when missing).</summary>
    public static SqliteDatabase InFolder(string dataPath) => new(Path.Combine(dataPath, FileName));

    /// <summary>The database in <paramref name="dataPath"/>, keeping the keys of <paramref name="keyTables"/> in memory (see the constructor).</summary>
    public static SqliteDatabase InFolder(string dataPath, IReadOnlyCollection<string> keyTables) => new(Path.Combine(dataPath, FileName), keyTables);

    /// <summary>
    /// Runs <paramref name="work"/> on one of the file's read connections, kept open with their statements
    /// prepared: a point read is then a bind and a step, not an open, a parse and a close (parsing the
    /// SQL was most of the cost of a point read under load). In WAL mode a reader never waits for the
    /// writer. A connection whose work threw is closed rather than reused.
    /// </summary>
    internal T Read<T>(Func<SqliteReader, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_readers.TryTake(out var reader))
        {
            reader = new SqliteReader(OpenAsync(CancellationToken.None).GetAwaiter().GetResult());
        }
        T result;
        try
        {
            result = work(reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
        if (_disposed || _readers.Count >= MaxIdleReaders)
        {
            reader.Dispose();
        }
        else
        {
            _readers.Add(reader);
        }
        return result;
    }

    /// <summary>An open pooled connection for reads only; dispose it to return it to the pool. No per-connection
    /// settings: in WAL mode a reader does not wait for the writer, and two PRAGMA statements on every
    /// open were most of the cost of a point read. (A rare SQLITE_BUSY, during recovery of the WAL, is
    /// retried by Microsoft.Data.Sqlite until the connection's default timeout, the busy timeout.)</summary>
    public async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    // The writer's connection. Its page cache is larger than SQLite's 2 MB default: index rows keyed by
    // hashes land on random pages, and a small cache read most of them back from the file (a pread
    // each) on every write. It grows only as pages are used. Checkpoints are the checkpointer's (see
    // there): SQLite's own, in the writer's COMMIT, only past a far larger WAL.
    private SqliteConnection OpenWriter(SqliteCheckpointing checkpointing)
    {
        var connection = OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA cache_size = -{WriterCacheKiB}; PRAGMA wal_autocheckpoint = {checkpointing.WriterPages};";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The writer's page cache, in KiB.</summary>
    private const int WriterCacheKiB = 64 * 1024;

    /// <summary>An open connection with the per-connection settings applied; dispose it to return it to the pool.
    /// temp_store = MEMORY: every write runs in its own savepoint (see SqliteWriter), and SQLite keeps a
    /// savepoint's page copies in a temporary file by default — one more write system call per page.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the file's single writer, in a transaction shared with
    /// the other writes waiting at the time (see <see cref="SqliteWriter"/>); completes once committed.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteWriter, T> work, CancellationToken cancellationToken) =>
        _writer.WriteAsync(work, cancellationToken);

    /// <summary>Stops the writer and closes the pooled connections to the file, so it can be reopened, copied or deleted.</summary>
    public void Dispose()
    {
        _disposed = true;
        KeyFilter?.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
        _writer.Dispose();
        _checkpointer.Dispose();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        // Last: the file is closed before another SqliteDatabase may claim it.
        _keysLock?.Dispose();
    }

    private void CreateSchema()
    {
        using var connection = OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var command = connection.CreateCommand();

        // journal_mode is a property of the file: set once, it stays WAL for every later connection.
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite file '{FilePath}' could not be switched to WAL mode (it is in '{mode}' mode).");
        }

        command.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException($"SQLite file '{FilePath}' has schema version {version}; this build knows {SchemaVersion}. Use a newer build or another DataPath.");
        }

        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS counters (
                name TEXT NOT NULL PRIMARY KEY,
                value INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE IF NOT EXISTS entities (
                table_name TEXT NOT NULL,
                partition_key TEXT NOT NULL,
                row_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                etag TEXT NOT NULL,
                PRIMARY KEY (table_name, partition_key, row_key)
            ) WITHOUT ROWID;

            -- Times are NodaTime Instants as ticks since the Unix epoch (exact, and ordered as integers).
            CREATE TABLE IF NOT EXISTS queue_messages (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                body TEXT NOT NULL,
                enqueued_at INTEGER NOT NULL,
                visible_at INTEGER NOT NULL,
                delivery_count INTEGER NOT NULL DEFAULT 0,
                lock_token TEXT NULL UNIQUE,
                last_reason TEXT NULL
            );
            CREATE INDEX IF NOT EXISTS queue_messages_deliverable ON queue_messages (queue, visible_at, sequence);

            CREATE TABLE IF NOT EXISTS queue_dead_letters (
                sequence INTEGER PRIMARY KEY,
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                body TEXT NOT NULL,
                enqueued_at INTEGER NOT NULL,
                delivery_count INTEGER NOT NULL,
                dead_lettered_at INTEGER NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS queue_dead_letters_by_queue ON queue_dead_letters (queue, dead_lettered_at, sequence);

            -- Duplicate detection: ids accepted within the window, per queue.
            CREATE TABLE IF NOT EXISTS queue_seen_ids (
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                accepted_at INTEGER NOT NULL,
                PRIMARY KEY (queue, message_id)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS queue_seen_ids_by_age ON queue_seen_ids (accepted_at);

            PRAGMA user_version = {SchemaVersion};
            """;
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}

/// <summary>A read connection of the file with its prepared statements (see <see cref="SqliteDatabase.Read"/>).</summary>
internal sealed class SqliteReader(SqliteConnection connection) : IDisposable
{
    private readonly SqliteStatements _statements = new(connection);

    /// <summary>The prepared statement for <paramref name="sql"/>, with no values bound yet.</summary>
    public SqliteStatement Statement(string sql) => _statements.Get(sql);

    public void Dispose()
    {
        _statements.Dispose();
        connection.Dispose();
    }
}

/// <summary>One connection's statements, prepared once per SQL text and reused (the connection stays the owner's).</summary>
internal sealed class SqliteStatements(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);

    /// <summary>The statement for <paramref name="sql"/>, reset, with no values bound yet.</summary>
    public SqliteStatement Get(string sql)
    {
        if (_statements.TryGetValue(sql, out var statement))
        {
            // A run that threw between binding and running left its values bound.
            statement.Reset();
        }
        else
        {
            statement = new SqliteStatement(connection, sql);
            _statements[sql] = statement;
        }
        return statement;
    }

    /// <summary>Finalizes the statements; the connection is closed after this, by its owner.</summary>
    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
        _statements.Clear();
    }
}
