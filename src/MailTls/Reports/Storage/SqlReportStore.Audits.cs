using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailTls.Audit;

namespace MailTls.Reports.Storage;

/// <summary>The <c>audits</c> table (migration 3): <see cref="IAuditHistory"/> on the report database.</summary>
public abstract partial class SqlReportStore
{
    private static readonly JsonSerializerOptions AuditJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public async Task<long> AddAuditAsync(AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var domain = Dns.DnsName.TryNormalize(audit.Domain) ?? throw new ArgumentException($"'{audit.Domain}' is not a domain name.", nameof(audit));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var cmd = Command(connection, tx, """
            INSERT INTO audits (domain, audited_utc, completed, summary, errors, warnings, findings, check_json)
            VALUES (@d, @t, @c, @s, @e, @w, @f, @j) RETURNING id
            """);
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@d", domain);
        Add(cmd, "@t", audit.AuditedAt.ToUnixTimeMilliseconds());
        Add(cmd, "@c", audit.Completed ? 1 : 0);
        Add(cmd, "@s", audit.Summary);
        Add(cmd, "@e", audit.Errors);
        Add(cmd, "@w", audit.Warnings);
        Add(cmd, "@f", JsonSerializer.Serialize(audit.Findings, AuditJson));
        Add(cmd, "@j", audit.CheckJson);
        var id = Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    public Task<IReadOnlyList<AuditRecord>> LatestAuditsAsync(CancellationToken cancellationToken = default) =>
        ReadAuditsAsync(
            """
            SELECT a.id, a.domain, a.audited_utc, a.completed, a.summary, a.findings, a.check_json FROM audits a
            WHERE a.id = (SELECT b.id FROM audits b WHERE b.domain = a.domain ORDER BY b.audited_utc DESC, b.id DESC LIMIT 1)
            ORDER BY a.domain
            """,
            _ => { },
            cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> AuditHistoryAsync(string domain, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var name = Dns.DnsName.TryNormalize(domain) ?? throw new ArgumentException($"'{domain}' is not a domain name.", nameof(domain));
        return ReadAuditsAsync(
            """
            SELECT id, domain, audited_utc, completed, summary, findings, check_json FROM audits
            WHERE domain = @d ORDER BY audited_utc DESC, id DESC LIMIT @n
            """,
            cmd =>
            {
                Add(cmd, "@d", name);
                Add(cmd, "@n", limit);
            },
            cancellationToken);
    }

    private async Task<IReadOnlyList<AuditRecord>> ReadAuditsAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = Command(connection, null, sql);
        await using var cmdScope = cmd.ConfigureAwait(false);
        bind(cmd);
        var list = new List<AuditRecord>();
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var findings = JsonSerializer.Deserialize<List<StoredFinding>>(r.GetString(5), AuditJson) ?? [];
            list.Add(new AuditRecord(
                r.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)),
                Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture) != 0,
                r.GetString(4),
                findings,
                r.GetString(6))
            {
                Id = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
            });
        }

        return list;
    }
}
