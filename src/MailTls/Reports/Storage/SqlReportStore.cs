using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailTls.Audit;

namespace MailTls.Reports.Storage;

/// <summary>
/// The store logic shared by SQLite and PostgreSQL: the same tables, the same SQL (both speak
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c>), idempotency on the natural key plus content hash. A second
/// report with the same natural key and different content is stored as a new revision (<c>revision</c> n+1); the
/// earlier revisions are kept for audit but no longer counted (<c>is_current = 0</c>).
/// </summary>
public abstract partial class SqlReportStore : IReportStore, IAuditHistory
{
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

                    outcomes[i] = await writer.ReportAsync(r.Report, StoredColumns.For(r.Report, r.Columns), cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Prepares a write statement on the batch's connection. The default goes through ADO.NET; SQLite overrides it
    /// with its raw statements (parameters bound by position).
    /// </summary>
    internal virtual WriteStatement Prepare(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<string> names) =>
        new DbWriteStatement(connection, transaction, sql, names);

    /// <summary>Prepared statements reused over one batch (one transaction).</summary>
    private sealed class BatchWriter : IAsyncDisposable
    {
        private readonly WriteStatement lookup;
        private readonly WriteStatement insertReport;
        private readonly WriteStatement insertPolicy;
        private readonly WriteStatement insertFailure;
        private readonly WriteStatement insertQuarantine;
        private readonly DbConnection connection;
        private readonly DbTransaction tx;
        private readonly long now;
        private readonly long[] row2 = new long[2];
        private readonly long[] row1 = new long[1];
        private readonly List<string> types = [];

        // Deltas of the daily aggregates accumulated over the batch and written once, in key order, before commit.
        private readonly SortedDictionary<long, (long Reports, long Ok, long Failed)> dailyTotals = [];
        private readonly SortedDictionary<(long Day, string ResultType), (long Reports, long Failed)> dailyFailures = new(
            Comparer<(long Day, string ResultType)>.Create((a, b) => a.Day != b.Day ? a.Day.CompareTo(b.Day) : string.CompareOrdinal(a.ResultType, b.ResultType)));

        public BatchWriter(SqlReportStore store, DbConnection connection, DbTransaction tx, long now)
        {
            this.connection = connection;
            this.tx = tx;
            this.now = now;
            var prepared = new List<WriteStatement>();
            WriteStatement Prepare(string sql, params string[] names)
            {
                var s = store.Prepare(connection, tx, sql, names);
                prepared.Add(s);
                return s;
            }

            try
            {
                lookup = Prepare(
                    "SELECT id, revision FROM reports WHERE sender = @s AND report_id = @r AND start_utc = @a AND end_utc = @b AND content_sha256 = @h",
                    "@s", "@r", "@a", "@b", "@h");

                // The insert numbers the revision itself (the natural key's highest revision + 1); the unique index on
                // natural key + content hash turns a duplicate into no row. A single-row VALUES with a scalar subquery:
                // an INSERT … SELECT that reads its own table makes SQLite copy the row through a temporary table first.
                insertReport = Prepare("""
                    INSERT INTO reports (sender, organization_name, contact_info, report_id, start_utc, end_utc, day, content_sha256, revision,
                        is_current, successful_sessions, failed_sessions, deviation_codes, deviations, source_kind, source_name, tenant,
                        message_id, file_name, received_utc, raw_format, raw)
                    VALUES (@s, @o, @c, @r, @a, @b, @d, @h,
                        COALESCE((SELECT MAX(revision) FROM reports WHERE sender = @s AND report_id = @r AND start_utc = @a AND end_utc = @b), 0) + 1,
                        1, @ok, @fail, @codes, @dev, @sk, @sn, @t, @m, @f, @now, @rf, @raw)
                    ON CONFLICT DO NOTHING RETURNING id, revision
                    """,
                    "@s", "@o", "@c", "@r", "@a", "@b", "@d", "@h", "@ok", "@fail", "@codes", "@dev", "@sk", "@sn", "@t", "@m", "@f", "@now", "@rf", "@raw");
                insertPolicy = Prepare("""
                    INSERT INTO policies (report_pk, seq, policy_type, policy_domain, policy_strings, mx_hosts, sts_mode, sts_max_age, sts_mx,
                        tlsa_records, successful_sessions, failed_sessions, day, sender, is_current)
                    VALUES (@rp, @seq, @pt, @pd, @ps, @mx, @mode, @age, @smx, @tlsa, @ok, @fail, @d, @s, 1) RETURNING id
                    """,
                    "@rp", "@seq", "@pt", "@pd", "@ps", "@mx", "@mode", "@age", "@smx", "@tlsa", "@ok", "@fail", "@d", "@s");
                insertFailure = Prepare("""
                    INSERT INTO failures (report_pk, policy_pk, result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,
                        failed_sessions, additional_information, failure_reason_code, day, sender, policy_type, policy_domain, is_current)
                    VALUES (@rp, @pp, @rt, @sip, @mxh, @helo, @rip, @n, @info, @code, @d, @s, @pt, @pd, 1)
                    """,
                    "@rp", "@pp", "@rt", "@sip", "@mxh", "@helo", "@rip", "@n", "@info", "@code", "@d", "@s", "@pt", "@pd");
                insertQuarantine = Prepare("""
                    INSERT INTO quarantine (received_utc, source_kind, source_name, tenant, reason, codes, raw_sha256, raw)
                    VALUES (@now, @sk, @sn, @t, @reason, @codes, @h, @raw) ON CONFLICT DO NOTHING
                    """,
                    "@now", "@sk", "@sn", "@t", "@reason", "@codes", "@h", "@raw");
            }
            catch
            {
                prepared.ForEach(s => s.Dispose());
                throw;
            }
        }

        public async Task QuarantineAsync(QuarantineItem q, CancellationToken cancellationToken)
        {
            var s = insertQuarantine;
            s.Set(0, now);
            s.Set(1, q.Source.Kind);
            s.Set(2, q.Source.Name);
            s.Set(3, q.Source.Tenant);
            s.Set(4, q.Reason);
            s.Set(5, string.Join(' ', q.Codes));
            s.Set(6, Convert.ToHexStringLower(SHA256.HashData(q.Raw)));
            s.Set(7, ReportNormalizer.Gzip(q.Raw));
            await s.ExecuteAsync(null, cancellationToken).ConfigureAwait(false);
        }

        public async Task<IngestOutcome> ReportAsync(NormalizedReport r, StoredColumns columns, CancellationToken cancellationToken)
        {
            var hash = columns.Hash;
            var start = r.Start.ToUnixTimeSeconds();
            var end = r.End.ToUnixTimeSeconds();
            var ok = 0L;
            var failed = 0L;
            foreach (var p in r.Policies)
            {
                ok += p.SuccessfulSessions;
                failed += p.FailedSessions;
            }

            var s = insertReport;
            s.Set(0, r.Sender);
            s.Set(1, r.OrganizationName);
            s.Set(2, r.ContactInfo);
            s.Set(3, r.ReportId);
            s.Set(4, start);
            s.Set(5, end);
            s.Set(6, r.Day);
            s.Set(7, hash);
            s.Set(8, ok);
            s.Set(9, failed);
            s.Set(10, columns.Codes);
            s.SetText(11, columns.Deviations);
            s.Set(12, r.Source.Kind);
            s.Set(13, r.Source.Name);
            s.Set(14, r.Source.Tenant);
            s.Set(15, r.Source.MessageId);
            s.Set(16, r.Source.FileName);
            s.Set(17, now);
            s.Set(18, r.RawFormat);
            s.Set(19, r.RawCompressed);
            if (!await s.ExecuteAsync(row2, cancellationToken).ConfigureAwait(false))
            {
                lookup.Set(0, r.Sender);
                lookup.Set(1, r.ReportId);
                lookup.Set(2, start);
                lookup.Set(3, end);
                lookup.Set(4, hash);
                return await lookup.ExecuteAsync(row2, cancellationToken).ConfigureAwait(false)
                    ? new IngestOutcome(IngestStatus.Duplicate, r.ReportId, "already stored", (int)row2[1], row2[0])
                    : new IngestOutcome(IngestStatus.Duplicate, r.ReportId, "already stored");
            }

            var reportPk = row2[0];
            var revision = (int)row2[1];
            if (revision > 1)
            {
                await SupersedeAsync(r, start, end, reportPk, cancellationToken).ConfigureAwait(false);
            }

            var seq = 0;
            types.Clear();
            foreach (var p in r.Policies)
            {
                var pc = columns.Policies[seq];
                var ps = insertPolicy;
                ps.Set(0, reportPk);
                ps.Set(1, seq++);
                ps.Set(2, p.PolicyType);
                ps.Set(3, p.PolicyDomain);
                ps.SetText(4, pc.PolicyStrings);
                ps.SetText(5, pc.MxHosts);
                ps.Set(6, p.StsMode);
                if (p.StsMaxAge is { } age)
                {
                    ps.Set(7, age);
                }
                else
                {
                    ps.Set(7, (string?)null);
                }

                ps.SetText(8, pc.StsMx);
                ps.SetText(9, pc.TlsaRecords);
                ps.Set(10, p.SuccessfulSessions);
                ps.Set(11, p.FailedSessions);
                ps.Set(12, r.Day);
                ps.Set(13, r.Sender);
                await ps.ExecuteAsync(row1, cancellationToken).ConfigureAwait(false);
                var policyPk = row1[0];
                foreach (var f in p.Failures)
                {
                    var fs = insertFailure;
                    fs.Set(0, reportPk);
                    fs.Set(1, policyPk);
                    fs.Set(2, f.ResultType);
                    fs.Set(3, f.SendingMtaIp);
                    fs.Set(4, f.ReceivingMxHostname);
                    fs.Set(5, f.ReceivingMxHelo);
                    fs.Set(6, f.ReceivingIp);
                    fs.Set(7, f.FailedSessions);
                    fs.Set(8, f.AdditionalInformation);
                    fs.Set(9, f.FailureReasonCode);
                    fs.Set(10, r.Day);
                    fs.Set(11, r.Sender);
                    fs.Set(12, p.PolicyType);
                    fs.Set(13, p.PolicyDomain);
                    await fs.ExecuteAsync(null, cancellationToken).ConfigureAwait(false);
                    AddFailures(r.Day, f.ResultType, 0, f.FailedSessions);
                    if (!types.Contains(f.ResultType, StringComparer.Ordinal))
                    {
                        types.Add(f.ResultType);
                    }
                }
            }

            AddTotals(r.Day, 1, ok, failed);

            // A report counts once per result type it has failures of (the failed sessions were added above).
            foreach (var type in types)
            {
                AddFailures(r.Day, type, 1, 0);
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

        public ValueTask DisposeAsync()
        {
            lookup.Dispose();
            insertReport.Dispose();
            insertPolicy.Dispose();
            insertFailure.Dispose();
            insertQuarantine.Dispose();
            return ValueTask.CompletedTask;
        }

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
