using System.Data.Common;
using System.Globalization;
using System.Text;
using MailTls.Findings;
using MailTls.TlsRpt;

namespace MailTls.Reports.Storage;

/// <summary><see cref="IReportBrowser"/>: listings with filters and paging, one report by store id, its raw JSON.</summary>
public abstract partial class SqlReportStore : IReportBrowser
{
    public async Task<ReportListPage> ListReportsAsync(ReportListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // The sessions of a row are those of its policies that pass the domain filter (all of them without one).
        var where = new StringBuilder(" WHERE r.is_current = 1");
        if (query.Domain is not null)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM policies p WHERE p.report_pk = r.id AND p.policy_domain = @domain)");
        }

        if (query.Sender is not null)
        {
            where.Append(" AND r.sender = @sender");
        }

        if (query.Since is not null)
        {
            where.Append(" AND r.day >= @since");
        }

        if (query.ResultType is not null)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM failures f WHERE f.report_pk = r.id AND f.result_type = @rt)");
        }

        long total;
        {
            var cmd = Command(connection, null, "SELECT COUNT(*) FROM reports r" + where);
            await using var cmdScope = cmd.ConfigureAwait(false);
            BindList(cmd, query);
            total = Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        var rows = new List<(long Id, string Sender, string? Org, string ReportId, long Start, long End, int Revision, int Deviations)>();
        {
            var cmd = Command(connection, null,
                "SELECT r.id, r.sender, r.organization_name, r.report_id, r.start_utc, r.end_utc, r.revision, r.deviation_codes FROM reports r"
                + where + " ORDER BY r.start_utc DESC, r.id DESC LIMIT @limit OFFSET @offset");
            await using var cmdScope = cmd.ConfigureAwait(false);
            BindList(cmd, query);
            Add(cmd, "@limit", query.Limit);
            Add(cmd, "@offset", query.Offset);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var codes = r.GetString(7);
                rows.Add((Long(r, 0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3), Long(r, 4), Long(r, 5), (int)Long(r, 6),
                    codes.Length == 0 ? 0 : codes.Split(' ').Length));
            }
        }

        if (rows.Count == 0)
        {
            return new ReportListPage(total, []);
        }

        // Policies and failure types of the page's reports, in one query each (the ids are numbers we read, not input).
        var ids = string.Join(',', rows.Select(x => x.Id.ToString(CultureInfo.InvariantCulture)));
        var sessions = new Dictionary<long, (long Ok, long Failed, SortedSet<string> Domains)>();
        {
            var cmd = Command(connection, null,
                $"SELECT report_pk, policy_domain, successful_sessions, failed_sessions FROM policies WHERE report_pk IN ({ids}) ORDER BY report_pk, seq");
            await using var cmdScope = cmd.ConfigureAwait(false);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = Long(r, 0);
                var domain = r.IsDBNull(1) ? null : r.GetString(1);
                var s = sessions.TryGetValue(id, out var v) ? v : (0, 0, new SortedSet<string>(StringComparer.Ordinal));
                if (domain is not null)
                {
                    s.Domains.Add(domain);
                }

                if (query.Domain is null || string.Equals(domain, NormalizeDomain(query.Domain), StringComparison.Ordinal))
                {
                    s = (s.Ok + Long(r, 2), s.Failed + Long(r, 3), s.Domains);
                }

                sessions[id] = s;
            }
        }

        var types = new Dictionary<long, List<string>>();
        {
            var cmd = Command(connection, null,
                $"SELECT DISTINCT report_pk, result_type FROM failures WHERE report_pk IN ({ids}) ORDER BY report_pk, result_type");
            await using var cmdScope = cmd.ConfigureAwait(false);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = Long(r, 0);
                if (!types.TryGetValue(id, out var list))
                {
                    types[id] = list = [];
                }

                list.Add(r.GetString(1));
            }
        }

        var items = rows.Select(x =>
        {
            var s = sessions.GetValueOrDefault(x.Id, (0, 0, new SortedSet<string>(StringComparer.Ordinal)));
            return new ReportListItem(x.Id, x.Sender, x.Org, x.ReportId, DateTimeOffset.FromUnixTimeSeconds(x.Start), DateTimeOffset.FromUnixTimeSeconds(x.End),
                x.Revision, s.Ok, s.Failed, x.Deviations, [.. s.Domains], types.GetValueOrDefault(x.Id) ?? []);
        }).ToList();
        return new ReportListPage(total, items);
    }

    public async Task<StoredReport?> GetReportAsync(long storeId, CancellationToken cancellationToken = default)
    {
        string? reportId;
        {
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var cmd = Command(connection, null, "SELECT report_id FROM reports WHERE id = @id");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@id", storeId);
            reportId = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        // One reading of a stored report (the one `reports show` uses), narrowed to this row.
        return reportId is null ? null : (await FindAsync(reportId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.StoreId == storeId);
    }

    public async Task<string?> RawJsonAsync(long storeId, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = Command(connection, null, "SELECT raw FROM reports WHERE id = @id");
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@id", storeId);
        if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not byte[] raw)
        {
            return null;
        }

        // The stored payload is gzip (or the zip as received): decoded with the reader's bounded decompression.
        var findings = new List<Finding>();
        var json = TlsRptPayload.Decode(raw, TlsRptPayload.Sniff(raw), findings, out _);
        return json is null ? null : Encoding.UTF8.GetString(TlsRptPayload.StripBom(json));
    }

    public async Task<ReportFilterValues> FilterValuesAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        async Task<List<string>> ColumnAsync(string sql)
        {
            var cmd = Command(connection, null, sql);
            await using var cmdScope = cmd.ConfigureAwait(false);
            var list = new List<string>();
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(r.GetString(0));
            }

            return list;
        }

        var domains = await ColumnAsync("SELECT DISTINCT policy_domain FROM policies WHERE is_current = 1 AND policy_domain IS NOT NULL ORDER BY 1").ConfigureAwait(false);
        var senders = await ColumnAsync("SELECT DISTINCT sender FROM reports WHERE is_current = 1 ORDER BY 1").ConfigureAwait(false);
        var types = await ColumnAsync("SELECT DISTINCT result_type FROM failures WHERE is_current = 1 ORDER BY 1").ConfigureAwait(false);
        return new ReportFilterValues(domains, senders, types);
    }

    private static void BindList(DbCommand cmd, ReportListQuery q)
    {
        if (q.Domain is not null)
        {
            Add(cmd, "@domain", NormalizeDomain(q.Domain));
        }

        if (q.Sender is not null)
        {
            Add(cmd, "@sender", q.Sender);
        }

        if (q.Since is { } since)
        {
            Add(cmd, "@since", NormalizedReport.DayOf(since));
        }

        if (q.ResultType is not null)
        {
            Add(cmd, "@rt", q.ResultType);
        }
    }

    // The summary's rule for a domain filter (ReportQueriesSql.Bind), so both select the same policies.
    private static string NormalizeDomain(string domain) => domain.Trim().TrimEnd('.').ToLowerInvariant();

    private static long Long(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);
}
