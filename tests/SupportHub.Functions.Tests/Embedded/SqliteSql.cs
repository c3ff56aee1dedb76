using Microsoft.Data.Sqlite;

namespace SupportHub.Functions.Tests.Embedded;

/// <summary>Plain SQL on a test's own connection (the SQLite tests that work below the hub's store).</summary>
internal static class SqliteSql
{
    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row, as invariant text ("" for NULL or no row).</summary>
    public static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
