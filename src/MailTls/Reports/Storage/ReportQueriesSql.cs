using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace MailTls.Reports.Storage;

/// <summary>The analysis queries, one SQL text for both dialects. Only current revisions (<c>is_current = 1</c>) count.</summary>
internal static class ReportQueriesSql
{
    /// <summary>The summary of design §4 over the current revisions.</summary>
    /// <param name="store">The store to read.</param>
    /// <param name="q">Filters and grouping.</param>
    /// <param name="useAggregates">
    /// When no filter needs the detail rows (no domain, no policy-type; <c>since</c> is a day bound), the totals and
    /// the result-type grouping are read from <c>daily_totals</c> / <c>daily_failures</c> (a few rows per day) instead
    /// of scanning every report; false forces the detail rows (the reference the aggregates are tested against).
    /// </param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public static async Task<SummaryResult> SummaryAsync(SqlReportStore store, SummaryQuery q, bool useAggregates, CancellationToken cancellationToken)
    {
        var connection = await store.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        long reports, ok, failed;
        var filtered = q.Domain is not null || q.PolicyType is not null;
        var aggregates = useAggregates && !filtered;
        {
            var cmd = SqlReportStore.Command(connection, null, filtered
            ? "SELECT COUNT(DISTINCT report_pk), COALESCE(SUM(successful_sessions), 0), COALESCE(SUM(failed_sessions), 0) FROM policies WHERE is_current = 1" + Where(q, "")
            : aggregates
            ? "SELECT COALESCE(SUM(reports), 0), COALESCE(SUM(successful_sessions), 0), COALESCE(SUM(failed_sessions), 0) FROM daily_totals WHERE 1 = 1" + Where(q, "")
            : "SELECT COUNT(*), COALESCE(SUM(successful_sessions), 0), COALESCE(SUM(failed_sessions), 0) FROM reports WHERE is_current = 1" + Where(q, ""));
            await using var cmdScope = cmd.ConfigureAwait(false);

            Bind(cmd, q);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            await r.ReadAsync(cancellationToken).ConfigureAwait(false);
            (reports, ok, failed) = (L(r, 0), L(r, 1), L(r, 2));
        }

        var rows = new List<SummaryRow>();
        string? sql = q.By switch
        {
            SummaryGrouping.ResultType when aggregates => "SELECT result_type, SUM(reports), 0, SUM(failed_sessions), result_type FROM daily_failures WHERE 1 = 1" + Where(q, "") + " GROUP BY result_type HAVING SUM(reports) > 0 ORDER BY 4 DESC, 1",
            SummaryGrouping.ResultType => "SELECT result_type, COUNT(DISTINCT report_pk), 0, SUM(failed_sessions), result_type FROM failures WHERE is_current = 1" + Where(q, "") + " GROUP BY result_type ORDER BY 4 DESC, 1",
            SummaryGrouping.Mx => "SELECT COALESCE(receiving_mx_hostname, '(none)'), COUNT(DISTINCT report_pk), 0, SUM(failed_sessions), result_type FROM failures WHERE is_current = 1" + Where(q, "") + " GROUP BY receiving_mx_hostname, result_type ORDER BY 4 DESC, 1, 5",
            SummaryGrouping.Ip => "SELECT COALESCE(receiving_ip, '(none)'), COUNT(DISTINCT report_pk), 0, SUM(failed_sessions), result_type FROM failures WHERE is_current = 1" + Where(q, "") + " GROUP BY receiving_ip, result_type ORDER BY 4 DESC, 1, 5",
            SummaryGrouping.Sender => "SELECT sender, COUNT(DISTINCT report_pk), SUM(successful_sessions), SUM(failed_sessions), NULL FROM policies WHERE is_current = 1" + Where(q, "") + " GROUP BY sender ORDER BY 1",
            SummaryGrouping.Day => "SELECT day, COUNT(DISTINCT report_pk), SUM(successful_sessions), SUM(failed_sessions), NULL FROM policies WHERE is_current = 1" + Where(q, "") + " GROUP BY day ORDER BY 1",
            SummaryGrouping.Policy => "SELECT policy_type || ' ' || COALESCE(policy_domain, '?') || COALESCE(' mode=' || sts_mode, '') || COALESCE(' max_age=' || CAST(sts_max_age AS TEXT), '') || COALESCE(' mx=' || sts_mx, '') || COALESCE(' tlsa=' || tlsa_records, ''), COUNT(DISTINCT report_pk), SUM(successful_sessions), SUM(failed_sessions), NULL FROM policies WHERE is_current = 1" + Where(q, "") + " GROUP BY policy_type, policy_domain, sts_mode, sts_max_age, sts_mx, tlsa_records ORDER BY 1",
            _ => null,
        };
        if (sql is not null)
        {
            var cmd = SqlReportStore.Command(connection, null, sql);
            await using var cmdScope = cmd.ConfigureAwait(false);
            Bind(cmd, q);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = q.By == SummaryGrouping.Day
                    ? new DailyPoint(L(r, 0), 0, 0).Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                    : Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture) ?? string.Empty;
                rows.Add(new SummaryRow(key, L(r, 1), L(r, 2), L(r, 3), r.IsDBNull(4) ? null : r.GetString(4)));
            }
        }

        return new SummaryResult(reports, ok, failed, rows);
    }

    public static async Task<IReadOnlyList<DailyPoint>> DailyAsync(SqlReportStore store, SummaryQuery q, CancellationToken cancellationToken)
    {
        var connection = await store.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = SqlReportStore.Command(connection, null,
            "SELECT day, SUM(successful_sessions), SUM(failed_sessions) FROM policies WHERE is_current = 1" + Where(q, "") + " GROUP BY day ORDER BY day");
        await using var cmdScope = cmd.ConfigureAwait(false);
        Bind(cmd, q);
        var list = new List<DailyPoint>();
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new DailyPoint(L(r, 0), L(r, 1), L(r, 2)));
        }

        return list;
    }

    public static async Task<StoreCounts> CountsAsync(SqlReportStore store, CancellationToken cancellationToken)
    {
        var connection = await store.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = SqlReportStore.Command(connection, null,
            "SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM reports WHERE is_current = 1), (SELECT COUNT(*) FROM quarantine)");
        await using var cmdScope = cmd.ConfigureAwait(false);
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new StoreCounts(L(r, 0), L(r, 1), L(r, 2));
    }

    public static async Task<IReadOnlyList<StoredReport>> FindAsync(SqlReportStore store, string reportId, CancellationToken cancellationToken)
    {
        var connection = await store.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var reports = new List<StoredReport>();
        {
            var cmd = SqlReportStore.Command(connection, null, """
            SELECT id, sender, organization_name, contact_info, report_id, start_utc, end_utc, revision, is_current, content_sha256,
                source_kind, source_name, received_utc, deviations
            FROM reports WHERE report_id = @r ORDER BY sender, start_utc, revision
            """);
            await using var cmdScope = cmd.ConfigureAwait(false);

            SqlReportStore.Add(cmd, "@r", reportId);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                reports.Add(new StoredReport(L(r, 0), r.GetString(1), S(r, 2), S(r, 3), r.GetString(4),
                    DateTimeOffset.FromUnixTimeSeconds(L(r, 5)), DateTimeOffset.FromUnixTimeSeconds(L(r, 6)), (int)L(r, 7), L(r, 8) == 1,
                    r.GetString(9), r.GetString(10), S(r, 11), DateTimeOffset.FromUnixTimeSeconds(L(r, 12)),
                    JsonSerializer.Deserialize<List<StoredDeviation>>(r.GetString(13)) ?? [], []));
            }
        }

        for (var i = 0; i < reports.Count; i++)
        {
            reports[i] = reports[i] with { Policies = await PoliciesAsync(connection, reports[i].StoreId, cancellationToken).ConfigureAwait(false) };
        }

        return reports;
    }

    private static async Task<IReadOnlyList<NormalizedPolicy>> PoliciesAsync(DbConnection connection, long reportPk, CancellationToken cancellationToken)
    {
        var policies = new List<(long Id, NormalizedPolicy Policy)>();
        {
            var cmd = SqlReportStore.Command(connection, null, """
            SELECT id, policy_type, policy_domain, policy_strings, mx_hosts, sts_mode, sts_max_age, sts_mx, tlsa_records, successful_sessions, failed_sessions
            FROM policies WHERE report_pk = @p ORDER BY seq
            """);
            await using var cmdScope = cmd.ConfigureAwait(false);

            SqlReportStore.Add(cmd, "@p", reportPk);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                policies.Add((L(r, 0), new NormalizedPolicy
                {
                    PolicyType = r.GetString(1),
                    PolicyDomain = S(r, 2),
                    PolicyStrings = List(S(r, 3)),
                    MxHosts = List(S(r, 4)),
                    StsMode = S(r, 5),
                    StsMaxAge = r.IsDBNull(6) ? null : L(r, 6),
                    StsMx = List(S(r, 7)),
                    TlsaRecords = List(S(r, 8)),
                    SuccessfulSessions = L(r, 9),
                    FailedSessions = L(r, 10),
                }));
            }
        }

        var result = new List<NormalizedPolicy>();
        foreach (var (id, policy) in policies)
        {
            var failures = new List<NormalizedFailure>();
            var cmd = SqlReportStore.Command(connection, null, """
                SELECT result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip, failed_sessions, additional_information, failure_reason_code
                FROM failures WHERE policy_pk = @p ORDER BY id
                """);
            await using var cmdScope = cmd.ConfigureAwait(false);
            SqlReportStore.Add(cmd, "@p", id);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                failures.Add(new NormalizedFailure(r.GetString(0), S(r, 1), S(r, 2), S(r, 3), S(r, 4), L(r, 5), S(r, 6), S(r, 7)));
            }

            result.Add(policy with { Failures = failures });
        }

        return result;
    }

    public static async Task<ReadinessData> ReadinessDataAsync(SqlReportStore store, string domain, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var connection = await store.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var q = new SummaryQuery(domain, since);
        var coverage = new List<CoverageCell>();
        {
            var cmd = SqlReportStore.Command(connection, null,
            "SELECT sender, day, policy_type, COUNT(DISTINCT report_pk), SUM(successful_sessions), SUM(failed_sessions) FROM policies WHERE is_current = 1"
            + Where(q, "") + " GROUP BY sender, day, policy_type ORDER BY sender, day");
            await using var cmdScope = cmd.ConfigureAwait(false);

            Bind(cmd, q);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                coverage.Add(new CoverageCell(r.GetString(0), L(r, 1), r.GetString(2), L(r, 3), L(r, 4), L(r, 5)));
            }
        }

        var failures = new List<FailureCell>();
        {
            var cmd = SqlReportStore.Command(connection, null,
            "SELECT policy_type, result_type, receiving_mx_hostname, SUM(failed_sessions), MIN(failure_reason_code) FROM failures WHERE is_current = 1"
            + Where(q, "") + " GROUP BY policy_type, result_type, receiving_mx_hostname ORDER BY 4 DESC");
            await using var cmdScope = cmd.ConfigureAwait(false);

            Bind(cmd, q);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                failures.Add(new FailureCell(r.GetString(0), r.GetString(1), S(r, 2), L(r, 3), S(r, 4)));
            }
        }

        var seen = new List<SeenPolicy>();
        {
            var cmd = SqlReportStore.Command(connection, null,
            "SELECT sender, sts_mode, sts_max_age, sts_mx, COUNT(*), MAX(day) FROM policies WHERE is_current = 1 AND policy_type = 'sts'"
            + Where(q, "") + " GROUP BY sender, sts_mode, sts_max_age, sts_mx ORDER BY 6 DESC");
            await using var cmdScope = cmd.ConfigureAwait(false);

            Bind(cmd, q);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                seen.Add(new SeenPolicy(r.GetString(0), S(r, 1), r.IsDBNull(2) ? null : L(r, 2), List(S(r, 3)) ?? [], L(r, 4), L(r, 5)));
            }
        }

        return new ReadinessData(coverage, failures, seen);
    }

    private static string Where(SummaryQuery q, string prefix) =>
        (q.Domain is null ? string.Empty : $" AND {prefix}policy_domain = @domain")
        + (q.Since is null ? string.Empty : $" AND {prefix}day >= @since")
        + (q.PolicyType is null ? string.Empty : $" AND {prefix}policy_type = @ptype");

    private static void Bind(DbCommand cmd, SummaryQuery q)
    {
        if (q.Domain is not null)
        {
            SqlReportStore.Add(cmd, "@domain", q.Domain.Trim().TrimEnd('.').ToLowerInvariant());
        }

        if (q.Since is { } since)
        {
            SqlReportStore.Add(cmd, "@since", NormalizedReport.DayOf(since));
        }

        if (q.PolicyType is not null)
        {
            SqlReportStore.Add(cmd, "@ptype", q.PolicyType);
        }
    }

    private static long L(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static string? S(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static List<string>? List(string? json) => json is null ? null : JsonSerializer.Deserialize<List<string>>(json);
}
