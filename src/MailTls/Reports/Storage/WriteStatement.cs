using System.Data.Common;

namespace MailTls.Reports.Storage;

/// <summary>
/// One prepared write statement of a batch, executed once per row: parameters are set by position (the order of the
/// names given when it was prepared), so the row loop never looks a parameter up by name. The store writes every
/// row through this, whatever the driver: <see cref="DbWriteStatement"/> (ADO.NET, PostgreSQL) or SQLite's raw
/// statement (<see cref="SqliteReportStore"/>), which binds without ADO.NET's per-execution work.
/// </summary>
internal abstract class WriteStatement : IDisposable
{
    public abstract void Set(int index, long value);

    public abstract void Set(int index, string? value);

    public abstract void Set(int index, byte[] value);

    /// <summary>Sets a text parameter from UTF-8 bytes (null = SQL NULL).</summary>
    public abstract void SetText(int index, byte[]? utf8);

    /// <summary>Runs the statement; the first row of its result (RETURNING) goes into <paramref name="row"/>; false when there is none.</summary>
    public abstract ValueTask<bool> ExecuteAsync(long[]? row, CancellationToken cancellationToken);

    public abstract void Dispose();
}

/// <summary>A <see cref="WriteStatement"/> over an ADO.NET command (prepared by the driver on first use).</summary>
internal sealed class DbWriteStatement : WriteStatement
{
    private readonly DbCommand command;

    public DbWriteStatement(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<string> names)
    {
        command = SqlReportStore.Command(connection, transaction, sql);
        foreach (var n in names)
        {
            var p = command.CreateParameter();
            p.ParameterName = n;
            command.Parameters.Add(p);
        }
    }

    public override void Set(int index, long value) => command.Parameters[index].Value = value;

    public override void Set(int index, string? value) => command.Parameters[index].Value = (object?)value ?? DBNull.Value;

    public override void Set(int index, byte[] value) => command.Parameters[index].Value = value;

    public override void SetText(int index, byte[]? utf8) => command.Parameters[index].Value = utf8 is null ? DBNull.Value : System.Text.Encoding.UTF8.GetString(utf8);

    public override async ValueTask<bool> ExecuteAsync(long[]? row, CancellationToken cancellationToken)
    {
        if (row is null)
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        for (var i = 0; i < row.Length; i++)
        {
            row[i] = Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
        }

        return true;
    }

    public override void Dispose() => command.Dispose();
}
