using System.Data.Common;
using Microsoft.Data.Sqlite;

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

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(connectionString));
        return base.DisposeAsync();
    }
}
