using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MailTls.Reports.Storage;

/// <summary>
/// The default store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a committed batch survives a
/// crash of the process or the machine before <see cref="IReportStore.StoreAsync"/> returns. Writers take the
/// lock up front (BEGIN IMMEDIATE) and wait up to <see cref="Limits.ReportStoreBusyTimeout"/> for each other.
/// </summary>
public sealed class SqliteReportStore : SqlReportStore
{
    private readonly string connectionString;

    public SqliteReportStore(string path, TimeProvider? time = null)
        : base(time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Limits.ReportStoreBusyTimeout.TotalSeconds,
        }.ToString();
    }

    public string Path { get; }

    public override string Description => Path;

    protected override (string Id, string BigInt, string Blob) Types => ("INTEGER PRIMARY KEY", "INTEGER", "BLOB");

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecAsync(connection, null,
                $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; PRAGMA busy_timeout={(int)Limits.ReportStoreBusyTimeout.TotalMilliseconds}",
                cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <summary>
    /// Rows are written through SQLite's own prepared statements, bound by position: Microsoft.Data.Sqlite looks every
    /// parameter up by name on every execution, which cost as much as the insert itself (bench/RESULTS.md, issue 8 run 2).
    /// </summary>
    internal override WriteStatement Prepare(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<string> names) =>
        new RawStatement(((SqliteConnection)connection).Handle!, sql, names);

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        return base.DisposeAsync();
    }

    /// <summary>
    /// A statement prepared with sqlite3_prepare_v2; parameter names resolved once; text bound from a reused UTF-8
    /// buffer. A plain INSERT that ends in <c>RETURNING id</c> runs without it and reads sqlite3_last_insert_rowid:
    /// the same id, without RETURNING's per-row work (~2 µs a row, bench/MailTls.Bench sqlite-insert).
    /// </summary>
    private sealed class RawStatement : WriteStatement
    {
        private const string ReturningId = "RETURNING id";
        private readonly sqlite3 db;
        private readonly sqlite3_stmt stmt;
        private readonly int[] slots;
        private readonly bool rowId;
        private byte[] utf8 = new byte[1024];

        public RawStatement(sqlite3 db, string sql, IReadOnlyList<string> names)
        {
            this.db = db;
            var text = sql.TrimEnd();
            rowId = text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
                && text.EndsWith(ReturningId, StringComparison.Ordinal)
                && !text.Contains("ON CONFLICT", StringComparison.OrdinalIgnoreCase);
            Check(raw.sqlite3_prepare_v2(db, rowId ? text[..^ReturningId.Length] : sql, out stmt));
            slots = new int[names.Count];
            for (var i = 0; i < slots.Length; i++)
            {
                slots[i] = raw.sqlite3_bind_parameter_index(stmt, names[i]);
                if (slots[i] == 0)
                {
                    stmt.Dispose();
                    throw new ArgumentException($"parameter {names[i]} is not in the statement", nameof(names));
                }
            }
        }

        public override void Set(int index, long value) => Check(raw.sqlite3_bind_int64(stmt, slots[index], value));

        public override void Set(int index, string? value)
        {
            if (value is null)
            {
                Check(raw.sqlite3_bind_null(stmt, slots[index]));
                return;
            }

            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (max > utf8.Length)
            {
                utf8 = new byte[Math.Max(max, utf8.Length * 2)];
            }

            var n = Encoding.UTF8.GetBytes(value, utf8);
            Check(raw.sqlite3_bind_text(stmt, slots[index], utf8.AsSpan(0, n))); // SQLITE_TRANSIENT: copied now
        }

        public override void Set(int index, byte[] value) => Check(raw.sqlite3_bind_blob(stmt, slots[index], value));

        public override void SetText(int index, byte[]? utf8) =>
            Check(utf8 is null ? raw.sqlite3_bind_null(stmt, slots[index]) : raw.sqlite3_bind_text(stmt, slots[index], utf8));

        public override ValueTask<bool> ExecuteAsync(long[]? row, CancellationToken cancellationToken)
        {
            try
            {
                var rc = raw.sqlite3_step(stmt);
                if (rowId)
                {
                    Done(rc);
                    if (row is not null)
                    {
                        row[0] = raw.sqlite3_last_insert_rowid(db);
                    }

                    return ValueTask.FromResult(row is not null);
                }

                if (rc == raw.SQLITE_ROW)
                {
                    for (var i = 0; row is not null && i < row.Length; i++)
                    {
                        row[i] = raw.sqlite3_column_int64(stmt, i);
                    }

                    // Finish the statement (RETURNING rows are produced after the change is made).
                    while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
                    {
                    }

                    Done(rc);
                    return ValueTask.FromResult(row is not null);
                }

                Done(rc);
                return ValueTask.FromResult(false);
            }
            finally
            {
                raw.sqlite3_reset(stmt);
            }
        }

        public override void Dispose() => stmt.Dispose();

        private void Done(int rc)
        {
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
    }
}
