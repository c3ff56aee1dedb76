using Microsoft.Data.Sqlite;
using SupportHub.Functions.Embedded;
using SupportHub.Testing;

namespace SupportHub.Functions.Tests.Embedded;

// The store and the queue run their statements through SqliteStatement (SQLite's C API) instead of
// SqliteCommand. What that layer must get right: values arrive as bound (the empty string is not
// NULL), a statement is reusable after every kind of run (finished, abandoned mid-rows, failed), and
// errors are Microsoft.Data.Sqlite's SqliteException with SQLite's code.
public sealed class SqliteStatementTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();
    private readonly SqliteConnection _connection;
    private readonly SqliteStatements _statements;

    public SqliteStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={_folder.File("statements.db")};Pooling=False");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY, v TEXT NULL, n INTEGER NULL) WITHOUT ROWID;";
        create.ExecuteNonQuery();
        _statements = new SqliteStatements(_connection);
    }

    public void Dispose()
    {
        _statements.Dispose();
        _connection.Dispose();
        _folder.Dispose();
    }

    private const string Insert = "INSERT INTO t (k, v, n) VALUES (?1, ?2, ?3)";
    private const string Select = "SELECT v, n, typeof(v) FROM t WHERE k = ?1";

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("ünïcødé ✓ 𝄞 \"quoted\" 'single'")]
    public void Bind_Text_RoundTripsExactly(string value)
    {
        Assert.Equal(1, _statements.Get(Insert).Bind(1, "key").Bind(2, value).Bind(3, 7).Execute());

        using var row = _statements.Get(Select).Bind(1, "key").Query();
        Assert.True(row.Read());
        Assert.Equal(value, row.GetString(0));
        Assert.Equal("text", row.GetString(2)); // the empty string is text, not NULL
        Assert.Equal(7, row.GetInt64(1));
        Assert.False(row.Read());
    }

    [Theory]
    [InlineData(1364)] // the most encoded on the stack
    [InlineData(1365)] // the fewest in a pooled array
    [InlineData(100_000)]
    public void Bind_LongText_RoundTripsExactly(int length)
    {
        var value = string.Concat(Enumerable.Range(0, length).Select(i => (i % 7) switch { 0 => 'é', 1 => '✓', _ => (char)('a' + i % 26) }));
        _statements.Get(Insert).Bind(1, "key").Bind(2, value).Bind(3, 1).Execute();
        _statements.Get(Insert).Bind(1, "short").Bind(2, "after").Bind(3, 2).Execute();

        using (var row = _statements.Get(Select).Bind(1, "key").Query())
        {
            Assert.True(row.Read());
            Assert.Equal(value, row.GetString(0));
        }
        using var next = _statements.Get(Select).Bind(1, "short").Query();
        Assert.True(next.Read());
        Assert.Equal("after", next.GetString(0));
    }

    [Fact]
    public void Bind_Null_StoresNull()
    {
        _statements.Get(Insert).Bind(1, "key").Bind(2, null).Execute();

        using var row = _statements.Get(Select).Bind(1, "key").Query();
        Assert.True(row.Read());
        Assert.Null(row.GetStringOrNull(0));
        Assert.True(row.IsNull(1)); // never bound: NULL
        Assert.Equal("null", row.GetString(2));
    }

    [Fact]
    public void Bind_Int64_KeepsTheFullRange()
    {
        _statements.Get(Insert).Bind(1, "min").Bind(3, long.MinValue).Execute();
        _statements.Get(Insert).Bind(1, "max").Bind(3, long.MaxValue).Execute();

        Assert.Equal(long.MinValue, _statements.Get("SELECT n FROM t WHERE k = ?1").Bind(1, "min").ScalarInt64());
        Assert.Equal(long.MaxValue, _statements.Get("SELECT n FROM t WHERE k = ?1").Bind(1, "max").ScalarInt64());
        Assert.Null(_statements.Get("SELECT n FROM t WHERE k = ?1").Bind(1, "absent").ScalarInt64());
    }

    [Fact]
    public void Query_LeftBeforeTheLastRow_ResetsForTheNextRun()
    {
        foreach (var key in new[] { "a", "b", "c" })
        {
            _statements.Get(Insert).Bind(1, key).Bind(2, key.ToUpperInvariant()).Execute();
        }

        using (var rows = _statements.Get("SELECT v FROM t WHERE k >= ?1 ORDER BY k").Bind(1, "a").Query())
        {
            Assert.True(rows.Read());
            Assert.Equal("A", rows.GetString(0));
        }

        // Run again with another value: it starts over, not where the last run stopped.
        using var again = _statements.Get("SELECT v FROM t WHERE k >= ?1 ORDER BY k").Bind(1, "b").Query();
        Assert.True(again.Read());
        Assert.Equal("B", again.GetString(0));
        Assert.True(again.Read());
        Assert.Equal("C", again.GetString(0));
        Assert.False(again.Read());
    }

    [Fact]
    public void Execute_ConstraintViolated_ThrowsSqliteExceptionAndStaysUsable()
    {
        _statements.Get(Insert).Bind(1, "key").Bind(2, "first").Execute();

        var error = Assert.Throws<SqliteException>(() => _statements.Get(Insert).Bind(1, "key").Bind(2, "second").Execute());
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);

        Assert.Equal(1, _statements.Get(Insert).Bind(1, "other").Bind(2, "third").Execute());
        using var row = _statements.Get(Select).Bind(1, "key").Query();
        Assert.True(row.Read());
        Assert.Equal("first", row.GetString(0));
    }

    [Fact]
    public void Get_AfterARunThatThrewBeforeRunning_HasNoValuesBoundFromIt()
    {
        // A caller bound a value and then failed before running the statement.
        _statements.Get(Insert).Bind(1, "stale").Bind(2, "stale").Bind(3, 1);

        // The next caller binds only the key: the others must be NULL, not the stale values.
        _statements.Get(Insert).Bind(1, "fresh").Execute();
        using var row = _statements.Get(Select).Bind(1, "fresh").Query();
        Assert.True(row.Read());
        Assert.True(row.IsNull(0));
        Assert.True(row.IsNull(1));
        Assert.Null(_statements.Get("SELECT n FROM t WHERE k = ?1").Bind(1, "stale").ScalarInt64());
    }

    [Fact]
    public void New_TwoStatementsInOneText_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => _statements.Get("DELETE FROM t; DELETE FROM t"));
        Assert.Contains("One statement at a time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_BadSql_ThrowsSqliteExceptionNamingTheProblem()
    {
        var error = Assert.Throws<SqliteException>(() => _statements.Get("SELECT v FROM missing_table"));
        Assert.Contains("missing_table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Execute_InsideATransactionRolledBack_LeavesNothing()
    {
        using (var transaction = _connection.BeginTransaction())
        {
            _statements.Get(Insert).Bind(1, "key").Execute();
            transaction.Rollback();
        }

        Assert.Equal(0, _statements.Get("SELECT count(*) FROM t WHERE k = ?1").Bind(1, "key").ScalarInt64());
    }
}
