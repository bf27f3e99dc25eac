using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MailTls.Resolver;

/// <summary>
/// One cached domain (RFC 8461 §5): the policy as fetched (text, id, fetch time, expiry = fetch time + max_age), and
/// the last failed fetch (id and time) for the per-id backoff (§3.3). A row may carry only a failure.
/// </summary>
public sealed record StsCacheEntry(
    string Domain,
    string? PolicyId,
    string? PolicyText,
    DateTimeOffset? FetchedAt,
    DateTimeOffset? ExpiresAt,
    string? FailedId,
    DateTimeOffset? FailedAt)
{
    /// <summary>True when a policy is held and has not expired at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => PolicyText is not null && ExpiresAt > now;

    /// <summary>A time as stored (Unix milliseconds, or NULL).</summary>
    internal static object Ms(DateTimeOffset? t) => t is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    /// <summary>A row of <c>SELECT domain, policy_id, policy, fetched_at, expires_at, failed_id, failed_at</c>.</summary>
    internal static StsCacheEntry FromRow(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), Text(r, 1), Text(r, 2), Time(r, 3), Time(r, 4), Text(r, 5), Time(r, 6));

    private static DateTimeOffset? Time(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static string? Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}

/// <summary>Persistent storage of <see cref="StsCacheEntry"/> rows.</summary>
public interface IStsPolicyStore : IDisposable
{
    Task<StsCacheEntry?> GetAsync(string domain, CancellationToken cancellationToken = default);

    Task PutAsync(StsCacheEntry entry, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StsCacheEntry>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes one domain, or every row when <paramref name="domain"/> is null; returns the rows deleted.</summary>
    Task<int> FlushAsync(string? domain, CancellationToken cancellationToken = default);
}

/// <summary>The <c>internal</c> cache type: process memory, lost on restart.</summary>
public sealed class MemoryStsPolicyStore : IStsPolicyStore
{
    private readonly ConcurrentDictionary<string, StsCacheEntry> rows = new(StringComparer.Ordinal);

    public Task<StsCacheEntry?> GetAsync(string domain, CancellationToken cancellationToken = default) =>
        Task.FromResult(rows.TryGetValue(domain, out var e) ? e : null);

    public Task PutAsync(StsCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        rows[entry.Domain] = entry;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StsCacheEntry>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StsCacheEntry>>([.. rows.Values.OrderBy(e => e.Domain, StringComparer.Ordinal)]);

    public Task<int> FlushAsync(string? domain, CancellationToken cancellationToken = default)
    {
        if (domain is null)
        {
            var n = rows.Count;
            rows.Clear();
            return Task.FromResult(n);
        }

        return Task.FromResult(rows.TryRemove(domain, out _) ? 1 : 0);
    }

    public void Dispose()
    {
    }
}

/// <summary>
/// The <c>sqlite</c> cache type: one table, WAL, synchronous=FULL (a row written before the reply survives SIGKILL and
/// power loss), busy timeout; connections pooled as in the report store.
/// </summary>
public sealed class SqliteStsPolicyStore : IStsPolicyStore
{
    private readonly string connectionString;

    public SqliteStsPolicyStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS sts_policy (
              domain TEXT PRIMARY KEY,
              policy_id TEXT,
              policy TEXT,
              fetched_at INTEGER,
              expires_at INTEGER,
              failed_id TEXT,
              failed_at INTEGER)
            """;
        cmd.ExecuteNonQuery();
    }

    // Microsoft.Data.Sqlite is synchronous underneath: each operation runs on the thread pool, never on the caller's
    // thread, which may be a socket I/O thread (the daemon runs socket completions inline).
    public Task<StsCacheEntry?> GetAsync(string domain, CancellationToken cancellationToken = default) => Task.Run(
        () =>
        {
            using var c = Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT domain, policy_id, policy, fetched_at, expires_at, failed_id, failed_at FROM sts_policy WHERE domain = $d";
            cmd.Parameters.AddWithValue("$d", domain);
            using var r = cmd.ExecuteReader();
            return r.Read() ? Row(r) : null;
        },
        cancellationToken);

    public Task PutAsync(StsCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Task.Run(
            () =>
            {
                using var c = Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = """
                    INSERT INTO sts_policy (domain, policy_id, policy, fetched_at, expires_at, failed_id, failed_at)
                    VALUES ($d, $id, $p, $f, $e, $fid, $fat)
                    ON CONFLICT(domain) DO UPDATE SET policy_id = excluded.policy_id, policy = excluded.policy,
                      fetched_at = excluded.fetched_at, expires_at = excluded.expires_at, failed_id = excluded.failed_id, failed_at = excluded.failed_at
                    """;
                cmd.Parameters.AddWithValue("$d", entry.Domain);
                cmd.Parameters.AddWithValue("$id", (object?)entry.PolicyId ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$p", (object?)entry.PolicyText ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$f", StsCacheEntry.Ms(entry.FetchedAt));
                cmd.Parameters.AddWithValue("$e", StsCacheEntry.Ms(entry.ExpiresAt));
                cmd.Parameters.AddWithValue("$fid", (object?)entry.FailedId ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$fat", StsCacheEntry.Ms(entry.FailedAt));
                cmd.ExecuteNonQuery();
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<StsCacheEntry>> ListAsync(CancellationToken cancellationToken = default) => Task.Run(
        () =>
        {
            using var c = Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT domain, policy_id, policy, fetched_at, expires_at, failed_id, failed_at FROM sts_policy ORDER BY domain";
            using var r = cmd.ExecuteReader();
            var list = new List<StsCacheEntry>();
            while (r.Read())
            {
                list.Add(Row(r));
            }

            return (IReadOnlyList<StsCacheEntry>)list;
        },
        cancellationToken);

    public Task<int> FlushAsync(string? domain, CancellationToken cancellationToken = default) => Task.Run(
        () =>
        {
            using var c = Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = domain is null ? "DELETE FROM sts_policy" : "DELETE FROM sts_policy WHERE domain = $d";
            if (domain is not null)
            {
                cmd.Parameters.AddWithValue("$d", domain);
            }

            return cmd.ExecuteNonQuery();
        },
        cancellationToken);

    public void Dispose() => SqliteConnection.ClearPool(new SqliteConnection(connectionString));

    private static StsCacheEntry Row(SqliteDataReader r) => StsCacheEntry.FromRow(r);

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout={(int)Limits.ResolverStoreBusyTimeout.TotalMilliseconds}");
        cmd.ExecuteNonQuery();
        return connection;
    }
}
