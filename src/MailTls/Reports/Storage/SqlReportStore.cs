using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MailTls.Reports.Storage;

/// <summary>
/// The store logic shared by SQLite and PostgreSQL: the same tables, the same SQL (both speak
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>), idempotency on the natural key plus content hash. A second
/// report with the same natural key and different content is stored as a new revision (<c>revision</c> n+1); the
/// earlier revisions are kept for audit but no longer counted (<c>is_current = 0</c>).
/// </summary>
public abstract partial class SqlReportStore : IReportStore
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TimeProvider time;

    protected SqlReportStore(TimeProvider? time) => this.time = time ?? TimeProvider.System;

    public abstract string Description { get; }

    /// <summary>SQL type of an auto-numbered primary key, a 64-bit integer and a byte string.</summary>
    protected abstract (string Id, string BigInt, string Blob) Types { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Begins the write transaction (SQLite: BEGIN IMMEDIATE, so the writer lock is taken up front).</summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>True when concurrent writers must lock natural keys (<see cref="LockAsync"/>); SQLite has one writer.</summary>
    protected virtual bool LocksNaturalKeys => false;

    /// <summary>Serialises writers of one natural key across processes (PostgreSQL advisory lock).</summary>

    protected virtual Task LockAsync(DbConnection connection, DbTransaction transaction, long key, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await LockAsync(connection, tx, 0x6d61696c746c73, cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, tx, $"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc {Types.BigInt} NOT NULL)", cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<long>();
        {
            var cmd = Command(connection, tx, "SELECT version FROM schema_migrations");
            await using var cmdScope = cmd.ConfigureAwait(false);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);

            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
            }
        }

        foreach (var m in ReportSchema.Migrations.Where(m => !applied.Contains(m.Version)))
        {
            var sql = m.Sql.Replace("{ID}", Types.Id, StringComparison.Ordinal)
                .Replace("{BIGINT}", Types.BigInt, StringComparison.Ordinal)
                .Replace("{BLOB}", Types.Blob, StringComparison.Ordinal);
            foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await ExecAsync(connection, tx, statement, cancellationToken).ConfigureAwait(false);
            }

            var insert = Command(connection, tx, "INSERT INTO schema_migrations (version, name, applied_utc) VALUES (@v, @n, @t)");
            await using var insertScope = insert.ConfigureAwait(false);
            Add(insert, "@v", m.Version);
            Add(insert, "@n", m.Name);
            Add(insert, "@t", time.GetUtcNow().ToUnixTimeSeconds());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applied schema versions, for tests and diagnostics.</summary>
    public async Task<IReadOnlyList<long>> SchemaVersionsAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = Command(connection, null, "SELECT version FROM schema_migrations ORDER BY version");
        await using var cmdScope = cmd.ConfigureAwait(false);
        var list = new List<long>();
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        }

        return list;
    }

    public async Task<IReadOnlyList<IngestOutcome>> StoreAsync(IReadOnlyList<PipelineItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var outcomes = new IngestOutcome[items.Count];
        if (items.Count == 0)
        {
            return outcomes;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var writer = new BatchWriter(this, connection, tx, now);
        await using var writerScope = writer.ConfigureAwait(false);

        // Locks (PostgreSQL) are taken in key order so that concurrent batches cannot deadlock.
        // SQLite has one writer (BEGIN IMMEDIATE), so it needs neither the locks nor the sort.
        IEnumerable<int> order = LocksNaturalKeys
            ? Enumerable.Range(0, items.Count).OrderBy(i => items[i] is ReportItem r ? LockKey(r.Report.NaturalKey) : long.MinValue).ToList()
            : Enumerable.Range(0, items.Count);
        long? lastLock = null;
        foreach (var i in order)
        {
            switch (items[i])
            {
                case RefusedItem refused:
                    outcomes[i] = new IngestOutcome(IngestStatus.Refused, null, refused.Reason);
                    break;
                case QuarantineItem q:
                    await writer.QuarantineAsync(q, cancellationToken).ConfigureAwait(false);
                    outcomes[i] = new IngestOutcome(IngestStatus.Quarantined, null, q.Reason);
                    break;
                case ReportItem r:
                    var key = LocksNaturalKeys ? LockKey(r.Report.NaturalKey) : 0;
                    if (LocksNaturalKeys && lastLock != key)
                    {
                        await LockAsync(connection, tx, key, cancellationToken).ConfigureAwait(false);
                        lastLock = key;
                    }

                    outcomes[i] = await writer.ReportAsync(r.Report, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentException("unknown pipeline item " + items[i].GetType().Name, nameof(items));
            }
        }

        await writer.FlushAggregatesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    private static long LockKey(string naturalKey) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(naturalKey)), 0);

    /// <summary>Prepared commands reused over one batch (SQLite prepares once per command text).</summary>
    private sealed class BatchWriter : IAsyncDisposable
    {
        private readonly DbCommand lookup;
        private readonly DbCommand insertReport;
        private readonly DbCommand insertPolicy;
        private readonly DbCommand insertFailure;
        private readonly DbCommand insertQuarantine;
        private readonly DbConnection connection;
        private readonly DbTransaction tx;
        private readonly long now;

        // Deltas of the daily aggregates accumulated over the batch and written once, in key order, before commit.
        private readonly SortedDictionary<long, (long Reports, long Ok, long Failed)> dailyTotals = [];
        private readonly SortedDictionary<(long Day, string ResultType), (long Reports, long Failed)> dailyFailures = new(
            Comparer<(long Day, string ResultType)>.Create((a, b) => a.Day != b.Day ? a.Day.CompareTo(b.Day) : string.CompareOrdinal(a.ResultType, b.ResultType)));

        public BatchWriter(SqlReportStore store, DbConnection connection, DbTransaction tx, long now)
        {
            _ = store;
            this.connection = connection;
            this.tx = tx;
            this.now = now;
            lookup = Command(connection, tx,
                "SELECT id, revision FROM reports WHERE sender = @s AND report_id = @r AND start_utc = @a AND end_utc = @b AND content_sha256 = @h");
            Params(lookup, "@s", "@r", "@a", "@b", "@h");
            insertReport = Command(connection, tx, """
                INSERT INTO reports (sender, organization_name, contact_info, report_id, start_utc, end_utc, day, content_sha256, revision,
                    is_current, successful_sessions, failed_sessions, deviation_codes, deviations, source_kind, source_name, tenant,
                    message_id, file_name, received_utc, raw_format, raw)
                SELECT @s, @o, @c, @r, @a, @b, @d, @h,
                    COALESCE((SELECT MAX(revision) FROM reports WHERE sender = @s AND report_id = @r AND start_utc = @a AND end_utc = @b), 0) + 1,
                    1, @ok, @fail, @codes, @dev, @sk, @sn, @t, @m, @f, @now, @rf, @raw
                WHERE 1 = 1
                ON CONFLICT DO NOTHING RETURNING id, revision
                """);
            Params(insertReport, "@s", "@o", "@c", "@r", "@a", "@b", "@d", "@h", "@ok", "@fail", "@codes", "@dev", "@sk", "@sn", "@t", "@m", "@f", "@now", "@rf", "@raw");
            insertPolicy = Command(connection, tx, """
                INSERT INTO policies (report_pk, seq, policy_type, policy_domain, policy_strings, mx_hosts, sts_mode, sts_max_age, sts_mx,
                    tlsa_records, successful_sessions, failed_sessions, day, sender, is_current)
                VALUES (@rp, @seq, @pt, @pd, @ps, @mx, @mode, @age, @smx, @tlsa, @ok, @fail, @d, @s, 1) RETURNING id
                """);
            Params(insertPolicy, "@rp", "@seq", "@pt", "@pd", "@ps", "@mx", "@mode", "@age", "@smx", "@tlsa", "@ok", "@fail", "@d", "@s");
            insertFailure = Command(connection, tx, """
                INSERT INTO failures (report_pk, policy_pk, result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,
                    failed_sessions, additional_information, failure_reason_code, day, sender, policy_type, policy_domain, is_current)
                VALUES (@rp, @pp, @rt, @sip, @mxh, @helo, @rip, @n, @info, @code, @d, @s, @pt, @pd, 1)
                """);
            Params(insertFailure, "@rp", "@pp", "@rt", "@sip", "@mxh", "@helo", "@rip", "@n", "@info", "@code", "@d", "@s", "@pt", "@pd");
            insertQuarantine = Command(connection, tx, """
                INSERT INTO quarantine (received_utc, source_kind, source_name, tenant, reason, codes, raw_sha256, raw)
                VALUES (@now, @sk, @sn, @t, @reason, @codes, @h, @raw) ON CONFLICT DO NOTHING
                """);
            Params(insertQuarantine, "@now", "@sk", "@sn", "@t", "@reason", "@codes", "@h", "@raw");
        }

        public async Task QuarantineAsync(QuarantineItem q, CancellationToken cancellationToken)
        {
            Set(insertQuarantine, now, q.Source.Kind, q.Source.Name, q.Source.Tenant, q.Reason, string.Join(' ', q.Codes),
                Convert.ToHexStringLower(SHA256.HashData(q.Raw)), ReportNormalizer.Gzip(q.Raw));
            await insertQuarantine.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task<IngestOutcome> ReportAsync(NormalizedReport r, CancellationToken cancellationToken)
        {
            var hash = Convert.ToHexStringLower(r.ContentSha256);
            var start = r.Start.ToUnixTimeSeconds();
            var end = r.End.ToUnixTimeSeconds();
            var deviations = r.Deviations.Count == 0
                ? "[]"
                : JsonSerializer.Serialize(r.Deviations.Select(d => new StoredDeviation(d.Code, d.Severity.ToString().ToLowerInvariant(), d.Message)), JsonOptions);

            // One statement in the common case: the insert numbers the revision itself (the natural key's highest
            // revision + 1) and the unique index on natural key + content hash turns a duplicate into no row.
            Set(insertReport, r.Sender, r.OrganizationName, r.ContactInfo, r.ReportId, start, end, r.Day, hash,
                r.SuccessfulSessions, r.FailedSessions, r.Deviations.Count == 0 ? string.Empty : string.Join(' ', r.Deviations.Select(d => d.Code)), deviations,
                r.Source.Kind, r.Source.Name, r.Source.Tenant, r.Source.MessageId, r.Source.FileName, now, r.RawFormat, r.RawCompressed);
            long reportPk;
            int revision;
            {
                var inserted = await insertReport.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var insertedScope = inserted.ConfigureAwait(false);
                if (!await inserted.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    reportPk = 0;
                    revision = 0;
                }
                else
                {
                    reportPk = Convert.ToInt64(inserted.GetValue(0), CultureInfo.InvariantCulture);
                    revision = Convert.ToInt32(inserted.GetValue(1), CultureInfo.InvariantCulture);
                }
            }

            if (revision == 0)
            {
                Set(lookup, r.Sender, r.ReportId, start, end, hash);
                var existing = await lookup.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var existingScope = existing.ConfigureAwait(false);
                return await existing.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new IngestOutcome(IngestStatus.Duplicate, r.ReportId, "already stored", Convert.ToInt32(existing.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(existing.GetValue(0), CultureInfo.InvariantCulture))
                    : new IngestOutcome(IngestStatus.Duplicate, r.ReportId, "already stored");
            }

            if (revision > 1)
            {
                await SupersedeAsync(r, start, end, reportPk, cancellationToken).ConfigureAwait(false);
            }

            var seq = 0;
            foreach (var p in r.Policies)
            {
                Set(insertPolicy, reportPk, seq++, p.PolicyType, p.PolicyDomain, JsonOrNull(p.PolicyStrings), JsonOrNull(p.MxHosts), p.StsMode,
                    p.StsMaxAge, JsonOrNull(p.StsMx), JsonOrNull(p.TlsaRecords), p.SuccessfulSessions, p.FailedSessions, r.Day, r.Sender);
                var policyPk = Convert.ToInt64(await insertPolicy.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                foreach (var f in p.Failures)
                {
                    Set(insertFailure, reportPk, policyPk, f.ResultType, f.SendingMtaIp, f.ReceivingMxHostname, f.ReceivingMxHelo, f.ReceivingIp,
                        f.FailedSessions, f.AdditionalInformation, f.FailureReasonCode, r.Day, r.Sender, p.PolicyType, p.PolicyDomain);
                    await insertFailure.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            AddTotals(r.Day, 1, r.SuccessfulSessions, r.FailedSessions);
            foreach (var g in r.Policies.SelectMany(p => p.Failures).GroupBy(f => f.ResultType, StringComparer.Ordinal))
            {
                AddFailures(r.Day, g.Key, 1, g.Sum(f => f.FailedSessions));
            }

            return new IngestOutcome(IngestStatus.Imported, r.ReportId, revision == 1 ? null : $"revision {revision}: same natural key, different content", revision, reportPk);
        }

        /// <summary>Writes the batch's aggregate deltas (upserts in key order, so concurrent PostgreSQL writers cannot deadlock).</summary>
        public async Task FlushAggregatesAsync(CancellationToken cancellationToken)
        {
            if (dailyTotals.Count > 0)
            {
                var cmd = Command(connection, tx, """
                    INSERT INTO daily_totals (day, reports, successful_sessions, failed_sessions) VALUES (@d, @n, @ok, @fail)
                    ON CONFLICT (day) DO UPDATE SET reports = daily_totals.reports + excluded.reports,
                        successful_sessions = daily_totals.successful_sessions + excluded.successful_sessions,
                        failed_sessions = daily_totals.failed_sessions + excluded.failed_sessions
                    """);
                await using var cmdScope = cmd.ConfigureAwait(false);
                Params(cmd, "@d", "@n", "@ok", "@fail");
                foreach (var (day, (n, ok, failed)) in dailyTotals)
                {
                    if ((n, ok, failed) != (0, 0, 0))
                    {
                        Set(cmd, day, n, ok, failed);
                        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            if (dailyFailures.Count > 0)
            {
                var cmd = Command(connection, tx, """
                    INSERT INTO daily_failures (day, result_type, reports, failed_sessions) VALUES (@d, @rt, @n, @fail)
                    ON CONFLICT (day, result_type) DO UPDATE SET reports = daily_failures.reports + excluded.reports,
                        failed_sessions = daily_failures.failed_sessions + excluded.failed_sessions
                    """);
                await using var cmdScope = cmd.ConfigureAwait(false);
                Params(cmd, "@d", "@rt", "@n", "@fail");
                foreach (var ((day, type), (n, failed)) in dailyFailures)
                {
                    if ((n, failed) != (0, 0))
                    {
                        Set(cmd, day, type, n, failed);
                        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            dailyTotals.Clear();
            dailyFailures.Clear();
        }

        // A new revision was stored: the earlier current one(s) of the natural key stop counting (kept for audit),
        // and their contribution leaves the aggregates.
        private async Task SupersedeAsync(NormalizedReport r, long start, long end, long newPk, CancellationToken cancellationToken)
        {
            var superseded = new List<(long Id, long Ok, long Failed)>();
            {
                var cmd = Command(connection, tx, """
                    SELECT id, successful_sessions, failed_sessions FROM reports
                    WHERE sender = @s AND report_id = @r AND start_utc = @a AND end_utc = @b AND is_current = 1 AND id <> @id
                    """);
                await using var cmdScope = cmd.ConfigureAwait(false);
                Params(cmd, "@s", "@r", "@a", "@b", "@id");
                Set(cmd, r.Sender, r.ReportId, start, end, newPk);
                var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    superseded.Add((Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)));
                }
            }

            foreach (var (id, ok, failed) in superseded)
            {
                await SubtractAsync(id, r.Day, ok, failed, cancellationToken).ConfigureAwait(false);
                foreach (var table in new[] { "reports SET is_current = 0 WHERE id", "policies SET is_current = 0 WHERE report_pk", "failures SET is_current = 0 WHERE report_pk" })
                {
                    var update = Command(connection, tx, $"UPDATE {table} = @id");
                    await using var updateScope = update.ConfigureAwait(false);
                    Add(update, "@id", id);
                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task SubtractAsync(long reportPk, long day, long ok, long failed, CancellationToken cancellationToken)
        {
            AddTotals(day, -1, -ok, -failed);
            var cmd = Command(connection, tx, "SELECT result_type, SUM(failed_sessions) FROM failures WHERE report_pk = @id GROUP BY result_type");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@id", reportPk);
            var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                AddFailures(day, reader.GetString(0), -1, -Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
            }
        }

        private void AddTotals(long day, long reports, long ok, long failed)
        {
            var t = dailyTotals.GetValueOrDefault(day);
            dailyTotals[day] = (t.Reports + reports, t.Ok + ok, t.Failed + failed);
        }

        private void AddFailures(long day, string resultType, long reports, long failed)
        {
            var t = dailyFailures.GetValueOrDefault((day, resultType));
            dailyFailures[(day, resultType)] = (t.Reports + reports, t.Failed + failed);
        }

        public async ValueTask DisposeAsync()
        {
            await lookup.DisposeAsync().ConfigureAwait(false);
            await insertReport.DisposeAsync().ConfigureAwait(false);
            await insertPolicy.DisposeAsync().ConfigureAwait(false);
            await insertFailure.DisposeAsync().ConfigureAwait(false);
            await insertQuarantine.DisposeAsync().ConfigureAwait(false);
        }

        private static string? JsonOrNull(IReadOnlyList<string>? list) => list is null ? null : JsonSerializer.Serialize(list, JsonOptions);

        private static void Params(DbCommand cmd, params string[] names)
        {
            foreach (var n in names)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = n;
                cmd.Parameters.Add(p);
            }
        }

        private static void Set(DbCommand cmd, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
    }

    internal static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    internal static void Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    internal static async Task ExecAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        var cmd = Command(connection, tx, sql);
        await using var cmdScope = cmd.ConfigureAwait(false);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<SummaryResult> SummaryAsync(SummaryQuery query, CancellationToken cancellationToken = default) =>
        ReportQueriesSql.SummaryAsync(this, query, useAggregates: true, cancellationToken);

    /// <summary>The summary computed from the detail rows only (never the daily aggregates): the reference the aggregates are tested against.</summary>
    internal Task<SummaryResult> SummaryFromDetailAsync(SummaryQuery query, CancellationToken cancellationToken = default) =>
        ReportQueriesSql.SummaryAsync(this, query, useAggregates: false, cancellationToken);

    public Task<IReadOnlyList<StoredReport>> FindAsync(string reportId, CancellationToken cancellationToken = default) =>
        ReportQueriesSql.FindAsync(this, reportId, cancellationToken);

    public Task<ReadinessData> ReadinessDataAsync(string domain, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        ReportQueriesSql.ReadinessDataAsync(this, domain, since, cancellationToken);

    public Task<IReadOnlyList<DailyPoint>> DailyAsync(SummaryQuery query, CancellationToken cancellationToken = default) =>
        ReportQueriesSql.DailyAsync(this, query, cancellationToken);

    public Task<StoreCounts> CountsAsync(CancellationToken cancellationToken = default) =>
        ReportQueriesSql.CountsAsync(this, cancellationToken);

    internal Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);
}
