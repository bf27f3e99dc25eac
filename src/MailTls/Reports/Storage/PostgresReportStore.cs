using System.Data.Common;
using Npgsql;

namespace MailTls.Reports.Storage;

/// <summary>
/// The scale store: PostgreSQL through Npgsql, the same schema and SQL as SQLite. Writers of the same natural key
/// are serialised with a transaction-scoped advisory lock, so concurrent servers and imports cannot both store a
/// "first" revision.
/// </summary>
public sealed class PostgresReportStore : SqlReportStore
{
    private readonly NpgsqlDataSource dataSource;

    public PostgresReportStore(string url, TimeProvider? time = null)
        : base(time)
    {
        var builder = ReportDatabase.PostgresConnectionString(url);
        Description = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Description { get; }

    protected override (string Id, string BigInt, string Blob) Types => ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", "BYTEA");

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    protected override bool LocksNaturalKeys => true;

    protected override async Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken)
    {
        var cmd = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@k)");
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@k", key);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
