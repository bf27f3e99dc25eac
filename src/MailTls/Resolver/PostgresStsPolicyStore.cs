using MailTls.Reports.Storage;
using Npgsql;

namespace MailTls.Resolver;

/// <summary>
/// The <c>postgres</c> cache type: the same one-table schema as <see cref="SqliteStsPolicyStore"/> (times in Unix
/// milliseconds), upsert <c>ON CONFLICT (domain)</c>, so several resolvers may share one cache (as
/// postfix-mta-sts-resolver's postgres backend). The connection is a <c>postgres://user:pass@host:port/db</c> URL
/// (as in <c>reports --db</c>); the table is created on first use. Every write is committed before the reply.
/// </summary>
public sealed class PostgresStsPolicyStore : IStsPolicyStore
{
    private const string Columns = "domain, policy_id, policy, fetched_at, expires_at, failed_id, failed_at";
    private readonly NpgsqlDataSource dataSource;
    private Task? schema;

    public PostgresStsPolicyStore(string url)
    {
        var builder = ReportDatabase.PostgresConnectionString(url);
        builder.MaxPoolSize = Limits.ResolverPostgresPoolSize;
        builder.Timeout = (int)Limits.ResolverPostgresConnectTimeout.TotalSeconds;
        Description = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>The location without the password.</summary>
    public string Description { get; }

    public async Task<StsCacheEntry?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        await SchemaAsync().ConfigureAwait(false);
        var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM sts_policy WHERE domain = @d");
        await using (cmd.ConfigureAwait(false))
        {
            cmd.Parameters.AddWithValue("d", domain);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (r.ConfigureAwait(false))
            {
                return await r.ReadAsync(cancellationToken).ConfigureAwait(false) ? StsCacheEntry.FromRow(r) : null;
            }
        }
    }

    public async Task PutAsync(StsCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await SchemaAsync().ConfigureAwait(false);
        var cmd = dataSource.CreateCommand($"""
            INSERT INTO sts_policy ({Columns}) VALUES (@d, @id, @p, @f, @e, @fid, @fat)
            ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy = excluded.policy,
              fetched_at = excluded.fetched_at, expires_at = excluded.expires_at, failed_id = excluded.failed_id, failed_at = excluded.failed_at
            """);
        await using (cmd.ConfigureAwait(false))
        {
            cmd.Parameters.AddWithValue("d", entry.Domain);
            cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)entry.PolicyId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("p", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)entry.PolicyText ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("f", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = StsCacheEntry.Ms(entry.FetchedAt) });
            cmd.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = StsCacheEntry.Ms(entry.ExpiresAt) });
            cmd.Parameters.Add(new NpgsqlParameter("fid", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)entry.FailedId ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("fat", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = StsCacheEntry.Ms(entry.FailedAt) });
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<StsCacheEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        await SchemaAsync().ConfigureAwait(false);
        var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM sts_policy ORDER BY domain COLLATE \"C\"");
        await using (cmd.ConfigureAwait(false))
        {
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (r.ConfigureAwait(false))
            {
                var list = new List<StsCacheEntry>();
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(StsCacheEntry.FromRow(r));
                }

                return list;
            }
        }
    }

    public async Task<int> FlushAsync(string? domain, CancellationToken cancellationToken = default)
    {
        await SchemaAsync().ConfigureAwait(false);
        var cmd = dataSource.CreateCommand(domain is null ? "DELETE FROM sts_policy" : "DELETE FROM sts_policy WHERE domain = @d");
        await using (cmd.ConfigureAwait(false))
        {
            if (domain is not null)
            {
                cmd.Parameters.AddWithValue("d", domain);
            }

            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => dataSource.Dispose();

    /// <summary>The table, created once; a failed attempt (database down at start) is retried by the next call.</summary>
    private Task SchemaAsync()
    {
        var current = Volatile.Read(ref schema);
        if (current is not null && !current.IsFaulted && !current.IsCanceled)
        {
            return current;
        }

        Interlocked.CompareExchange(ref schema, CreateSchemaAsync(), current);
        return Volatile.Read(ref schema)!;
    }

    private async Task CreateSchemaAsync()
    {
        var cmd = dataSource.CreateCommand("""
            CREATE TABLE IF NOT EXISTS sts_policy (
              domain TEXT PRIMARY KEY,
              policy_id TEXT,
              policy TEXT,
              fetched_at BIGINT,
              expires_at BIGINT,
              failed_id TEXT,
              failed_at BIGINT)
            """);
        await using (cmd.ConfigureAwait(false))
        {
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }
}
