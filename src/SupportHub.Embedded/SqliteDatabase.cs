using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SupportHub.Storage;

namespace SupportHub.Embedded;

// The embedded hub's one SQLite file: the entity store and the durable queue share it, so a restart
// (or a crash) loses nothing that was committed, and intake's decision, index rows and message are
// one transaction. Plain SQLite, used as documented: WAL so readers run beside the writer; every
// write of this process through one SqliteWriter (group commit); synchronous=FULL, so a committed
// transaction survives power loss; SQLite's own checkpoints, with the WAL file cut back to
// journal_size_limit after each. Other processes (the `supporthub deadletters` command) may open
// the file too: they wait on the busy timeout for the write lock.
//
// Opening checks the file before anything trusts it: a file that is not SQLite (its header), is cut
// short (its length), or fails PRAGMA quick_check is refused with DamagedDatabaseException. The hub
// then does not start: starting empty would hand out ticket references a second time.

/// <summary>The SQLite file under the data folder, its schema, and connections to it.</summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The file's name inside <c>SupportHub:DataPath</c>.</summary>
    public const string FileName = "supporthub.db";

    /// <summary>2: intake's decision rows always hold their command; reference counter written with each new ticket.</summary>
    public const int SchemaVersion = 2;

    /// <summary>How long a statement waits for another process's write lock before it fails.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The WAL file is cut back to this size after a checkpoint (it may grow past it meanwhile).</summary>
    public const long JournalSizeLimit = 32L * 1024 * 1024;

    private const int MaxIdleReaders = 16;

    private static readonly byte[] Header = "SQLite format 3\0"u8.ToArray();

    private readonly string _connectionString;
    private readonly SqliteWriter _writer;
    private readonly ConcurrentBag<SqliteSession> _readers = [];
    private volatile bool _disposed;

    private SqliteDatabase(string filePath)
    {
        FilePath = filePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = filePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
        CreateSchema();
        _writer = new SqliteWriter(Open(), filePath);
    }

    public string FilePath { get; }

    /// <summary>Opens (or creates) the database file at <paramref name="filePath"/>, after checking it.</summary>
    /// <exception cref="DamagedDatabaseException">The file is not a sound SQLite database of this hub.</exception>
    public static SqliteDatabase Open(string filePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        var path = Path.GetFullPath(filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        CheckFile(path);
        try
        {
            return new SqliteDatabase(path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB)
        {
            throw new DamagedDatabaseException(path, $"SQLite reports: {e.Message}", e);
        }
    }

    /// <summary>The database in <paramref name="dataPath"/> (created when missing).</summary>
    public static SqliteDatabase InFolder(string dataPath) => Open(Path.Combine(dataPath, FileName));

    /// <summary>When the last write failed for want of disk space (or a failing disk); null once writes commit again.</summary>
    public StoreUnavailableException? Unavailable => _writer.Unavailable;

    /// <summary>Runs <paramref name="work"/> on the file's single writer, in a transaction shared with
    /// the other writes waiting at the time; completes once committed.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteSession, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer.WriteAsync(work, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> on one of the file's read connections (kept open with their
    /// prepared commands). In WAL mode a reader never waits for the writer. A connection whose work threw
    /// is closed rather than reused.</summary>
    internal T Read<T>(Func<SqliteSession, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_readers.TryTake(out var reader))
        {
            reader = new SqliteSession(Open());
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

    /// <summary>Stops the writer and closes the connections to the file, so it can be reopened, copied or deleted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _writer.Dispose();
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    // Every connection: wait for another process's lock rather than fail; FULL durability in WAL mode.
    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA journal_size_limit = {JournalSizeLimit};";
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // Before SQLite reads the file: its header and length. An empty file (or none) is a new database.
    private static void CheckFile(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length == 0)
        {
            if (File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0)
            {
                throw new DamagedDatabaseException(path, "the file is empty but its write-ahead log (-wal) is not: the database file was cut short or replaced");
            }
            return;
        }
        Span<byte> header = stackalloc byte[100];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        if (read < Header.Length || !header[..Header.Length].SequenceEqual(Header))
        {
            throw new DamagedDatabaseException(path, "its first bytes are not an SQLite header (the file was overwritten or is not a database)");
        }
        if (read < 100)
        {
            throw new DamagedDatabaseException(path, $"it is {file.Length} bytes long, shorter than an SQLite header: it was cut short");
        }
        // Page size: bytes 16–17, big-endian; 1 means 65536.
        var pageSize = (header[16] << 8) | header[17];
        pageSize = pageSize == 1 ? 65536 : pageSize;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0 || file.Length % pageSize != 0)
        {
            throw new DamagedDatabaseException(path, $"its length ({file.Length} bytes) is not a whole number of {pageSize}-byte pages: it was cut short");
        }
    }

    private void CreateSchema()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();

        command.CommandText = "PRAGMA quick_check;";
        var problems = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read() && problems.Count < 5)
            {
                problems.Add(reader.GetString(0));
            }
        }
        if (problems is not ["ok"])
        {
            throw new DamagedDatabaseException(FilePath, $"PRAGMA quick_check found: {string.Join("; ", problems)}");
        }

        // journal_mode is a property of the file: set once, it stays WAL for every later connection.
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite file '{FilePath}' could not be switched to WAL mode (it is in '{mode}' mode).");
        }

        command.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = "SELECT count(*) FROM sqlite_schema WHERE name = 'entities';";
        var used = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
        if (version > SchemaVersion)
        {
            throw new DamagedDatabaseException(FilePath, $"it has schema version {version}, and this build knows {SchemaVersion}: run a newer build, or set SupportHub__DataPath to another folder");
        }
        if (used && version < SchemaVersion)
        {
            throw new DamagedDatabaseException(FilePath,
                $"it was written by an earlier build (schema version {version}), whose intake decisions and reference counter this build cannot read: "
                + "let that build finish its queues and keep the file as an archive, then start this build with a new SupportHub__DataPath");
        }

        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS entities (
                table_name TEXT NOT NULL,
                partition_key TEXT NOT NULL,
                row_key TEXT NOT NULL,
                payload TEXT NOT NULL,
                etag TEXT NOT NULL,
                PRIMARY KEY (table_name, partition_key, row_key)
            ) WITHOUT ROWID;

            -- Times are NodaTime Instants as ticks since the Unix epoch (exact, and ordered as integers).
            -- priority: 1 for an emergency's messages, 0 otherwise; a queue delivers higher first.
            CREATE TABLE IF NOT EXISTS queue_messages (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                body TEXT NOT NULL,
                priority INTEGER NOT NULL DEFAULT 0,
                enqueued_at INTEGER NOT NULL,
                visible_at INTEGER NOT NULL,
                delivery_count INTEGER NOT NULL DEFAULT 0,
                lock_token TEXT NULL UNIQUE,
                last_reason TEXT NULL
            );
            CREATE INDEX IF NOT EXISTS queue_messages_deliverable ON queue_messages (queue, priority DESC, visible_at, sequence);

            CREATE TABLE IF NOT EXISTS queue_dead_letters (
                sequence INTEGER PRIMARY KEY,
                queue TEXT NOT NULL,
                message_id TEXT NOT NULL,
                body TEXT NOT NULL,
                priority INTEGER NOT NULL DEFAULT 0,
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

/// <summary>The database file cannot be trusted: the hub refuses to start on it rather than start empty.</summary>
public sealed class DamagedDatabaseException(string filePath, string problem, Exception? innerException = null)
    : Exception($"The database '{filePath}' cannot be used: {problem}. Restore it from a backup (stop the hub, copy the backup over it "
        + "and remove its -wal and -shm files), or move the data folder aside to start a new, empty hub (ticket references then start again at 1001).", innerException)
{
    public string FilePath { get; } = filePath;
}
