using Microsoft.Data.Sqlite;

namespace SupportHub.Embedded;

/// <summary>
/// One connection to the file with its commands, each prepared once per SQL text and reused (a
/// SqliteCommand keeps its prepared statement until its text changes). Parameters are positional,
/// written <c>$1</c>, <c>$2</c>… in the SQL. Used by one thread at a time: the writer's own, or a
/// reader taken from the pool.
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The transaction the commands run in (the writer's batch), or null.</summary>
    public SqliteTransaction? Transaction { get; set; }

    public SqliteCommand Command(string sql, params object?[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 1; i <= values.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter("$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
            }
            _commands[sql] = command;
        }
        if (command.Parameters.Count != values.Length)
        {
            throw new ArgumentException($"The statement takes {command.Parameters.Count} values, not {values.Length}.", nameof(values));
        }
        command.Transaction = Transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command;
    }

    public int Execute(string sql, params object?[] values) => Command(sql, values).ExecuteNonQuery();

    public object? Scalar(string sql, params object?[] values) => Command(sql, values).ExecuteScalar();

    public SqliteDataReader Query(string sql, params object?[] values) => Command(sql, values).ExecuteReader();

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
        connection.Dispose();
    }
}
