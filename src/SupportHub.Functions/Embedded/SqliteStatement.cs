using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SupportHub.Functions.Embedded;

// The hub's own statements run through SQLite's C API (SQLitePCLRaw, which Microsoft.Data.Sqlite is
// built on) rather than SqliteCommand. A SqliteCommand run allocates a data reader, a statement
// enumerator, a SqliteParameter per value and a binder per parameter on every execution, and goes
// through its own checks and busy loop around sqlite3_step: under intake load that machinery was a
// fifth of the hub's allocations and most of the writer thread's managed time, on the one thread
// every write waits for. Here a statement is prepared once per connection (SQLITE_PREPARE_PERSISTENT),
// its values are bound by position, and it is reset after each run, so a run allocates nothing but the
// strings it returns. Connections are still opened, configured and pooled by Microsoft.Data.Sqlite,
// and transactions still begin and commit through it; errors are its SqliteException.

/// <summary>One prepared statement of one connection, run many times: bind by position (<c>?1</c>, <c>?2</c>…), then
/// <see cref="Execute"/> or <see cref="Query"/>. Not thread-safe: it belongs to whoever holds the connection.</summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement, out string tail);
        SqliteException.ThrowExceptionForRC(rc, _db);
        if (!string.IsNullOrWhiteSpace(tail))
        {
            _statement.Dispose();
            throw new ArgumentException($"One statement at a time; this SQL goes on after the first: '{tail.Trim()}'.", nameof(sql));
        }
        Sql = sql;
    }

    public string Sql { get; }

    /// <summary>Binds text (or NULL when <paramref name="value"/> is null) to the 1-based parameter <paramref name="index"/>.</summary>
    /// <remarks>As UTF-8, the file's encoding: bound as UTF-16, SQLite converted every value itself, a byte at a
    /// time (a sixteenth of the writer thread's CPU under intake load); .NET's encoder is vectorized. SQLite
    /// copies the bytes (SQLITE_TRANSIENT), so the buffer is free again when this returns.</remarks>
    public SqliteStatement Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return this;
        }
        var most = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (most <= StackBytes)
        {
            Span<byte> buffer = stackalloc byte[most];
            var length = Encoding.UTF8.GetBytes(value, buffer);
            Check(raw.sqlite3_bind_text(_statement, index, buffer[..length]));
            return this;
        }
        var rented = ArrayPool<byte>.Shared.Rent(most);
        try
        {
            var length = Encoding.UTF8.GetBytes(value, rented);
            Check(raw.sqlite3_bind_text(_statement, index, rented.AsSpan(0, length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return this;
    }

    // Values up to about 1,300 characters are encoded on the stack, larger ones in a pooled array.
    private const int StackBytes = 4096;

    /// <summary>Binds an integer to the 1-based parameter <paramref name="index"/>.</summary>
    public SqliteStatement Bind(int index, long value)
    {
        Check(raw.sqlite3_bind_int64(_statement, index, value));
        return this;
    }

    /// <summary>Runs the statement to its end and resets it; the number of rows it inserted, updated or deleted.</summary>
    public int Execute()
    {
        try
        {
            while (Step())
            {
            }
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Starts the statement: read its rows from what this returns, and dispose that to reset the statement.</summary>
    public SqliteRows Query() => new(this);

    /// <summary>The first column of the first row as an integer, or null when there is no row or it is NULL.</summary>
    public long? ScalarInt64()
    {
        using var rows = Query();
        return rows.Read() && !rows.IsNull(0) ? rows.GetInt64(0) : null;
    }

    /// <summary>Whether the current row's <paramref name="column"/> is NULL.</summary>
    internal bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    internal string GetString(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

    internal long GetInt64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>One step: true with a row to read, false at the end. An error resets the statement and throws.</summary>
    internal bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }
        Reset();
        SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    /// <summary>Ends the current run and clears the bound values, ready for the next.</summary>
    internal void Reset()
    {
        // sqlite3_reset repeats the last step's error code; that step has already reported it.
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Dispose() => _statement.Dispose();
}

/// <summary>The rows of a started statement; disposing resets the statement for its next run.</summary>
internal readonly struct SqliteRows(SqliteStatement statement) : IDisposable
{
    /// <summary>Moves to the next row; false after the last.</summary>
    public bool Read() => statement.Step();

    public bool IsNull(int column) => statement.IsNull(column);

    public string GetString(int column) => statement.GetString(column);

    public string? GetStringOrNull(int column) => statement.IsNull(column) ? null : statement.GetString(column);

    public long GetInt64(int column) => statement.GetInt64(column);

    public int GetInt32(int column) => checked((int)statement.GetInt64(column));

    public void Dispose() => statement.Reset();
}
