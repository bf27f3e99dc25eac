using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using MailTls.Findings;
using MailTls.Watch;

namespace MailTls.Reports.Storage;

/// <summary>The watch tables (migration 5): <see cref="IWatchStore"/> on the report database.</summary>
public abstract partial class SqlReportStore : IWatchStore
{
    private const string AlertColumns = "id, domain, kind, subject, severity, codes, message, opened_utc, last_seen_utc, resolved_utc, opened_audit, resolved_audit";

    public async Task<AlertChanges> ReconcileAsync(string domain, Func<IReadOnlyList<WatchAlert>, PolicyBaseline?, WatchDecision> decide, IReadOnlyList<string> sinks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        ArgumentNullException.ThrowIfNull(sinks);
        var name = Dns.DnsName.TryNormalize(domain) ?? throw new ArgumentException($"'{domain}' is not a domain name.", nameof(domain));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        await LockAsync(connection, tx, LockKey("watch\0" + name), cancellationToken).ConfigureAwait(false);

        var open = await ReadAlertsAsync(connection, tx, $"SELECT {AlertColumns} FROM watch_alerts WHERE domain = @d AND resolved_utc IS NULL ORDER BY id", c => Add(c, "@d", name), cancellationToken).ConfigureAwait(false);
        var baseline = await ReadBaselineAsync(connection, tx, name, cancellationToken).ConfigureAwait(false);
        var decision = decide(open, baseline);
        var changes = decision.Changes;

        var opened = new List<WatchAlert>();
        foreach (var a in changes.Opened)
        {
            var cmd = Command(connection, tx, """
                INSERT INTO watch_alerts (domain, kind, subject, severity, codes, message, opened_utc, last_seen_utc, opened_audit)
                VALUES (@d, @k, @s, @v, @c, @m, @o, @l, @a) RETURNING id
                """);
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@d", name);
            Add(cmd, "@k", a.Kind);
            Add(cmd, "@s", a.Subject);
            Add(cmd, "@v", SeverityText(a.Severity));
            Add(cmd, "@c", JsonSerializer.Serialize(a.Codes));
            Add(cmd, "@m", a.Message);
            Add(cmd, "@o", a.OpenedAt.ToUnixTimeMilliseconds());
            Add(cmd, "@l", a.LastSeenAt.ToUnixTimeMilliseconds());
            Add(cmd, "@a", a.OpenedAuditId);
            var id = Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            var stored = a with { Id = id, Domain = name };
            opened.Add(stored);
            foreach (var sink in sinks)
            {
                await InsertNoticeAsync(connection, tx, id, NoticeEvent.Opened, sink, a.OpenedAt, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var a in changes.Continued)
        {
            var cmd = Command(connection, tx, "UPDATE watch_alerts SET severity = @v, codes = @c, message = @m, last_seen_utc = @l WHERE id = @id");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@v", SeverityText(a.Severity));
            Add(cmd, "@c", JsonSerializer.Serialize(a.Codes));
            Add(cmd, "@m", a.Message);
            Add(cmd, "@l", a.LastSeenAt.ToUnixTimeMilliseconds());
            Add(cmd, "@id", a.Id);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var a in changes.Resolved)
        {
            var at = a.ResolvedAt ?? throw new ArgumentException("a resolved alert needs ResolvedAt", nameof(decide));
            var cmd = Command(connection, tx, "UPDATE watch_alerts SET resolved_utc = @r, resolved_audit = @a WHERE id = @id");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@r", at.ToUnixTimeMilliseconds());
            Add(cmd, "@a", a.ResolvedAuditId);
            Add(cmd, "@id", a.Id);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            foreach (var sink in sinks)
            {
                // An opening notice this sink never got is cancelled: a recovery of an alert nobody heard of is noise.
                var cancel = Command(connection, tx, "UPDATE watch_notices SET state = 'cancelled' WHERE alert_id = @id AND sink = @s AND event = 'opened' AND state = 'pending'");
                await using var cancelScope = cancel.ConfigureAwait(false);
                Add(cancel, "@id", a.Id);
                Add(cancel, "@s", sink);
                var cancelled = await cancel.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                var announced = Command(connection, tx, "SELECT COUNT(*) FROM watch_notices WHERE alert_id = @id AND sink = @s AND event = 'opened' AND state = 'delivered'");
                await using var announcedScope = announced.ConfigureAwait(false);
                Add(announced, "@id", a.Id);
                Add(announced, "@s", sink);
                var delivered = Convert.ToInt64(await announced.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                if (cancelled == 0 && delivered > 0)
                {
                    await InsertNoticeAsync(connection, tx, a.Id, NoticeEvent.Resolved, sink, at, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (decision.NewBaseline is { } b)
        {
            var cmd = Command(connection, tx, """
                INSERT INTO watch_policies (domain, policy_id, policy_sha256, policy_text, seen_utc) VALUES (@d, @i, @h, @t, @s)
                ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy_sha256 = excluded.policy_sha256,
                    policy_text = excluded.policy_text, seen_utc = excluded.seen_utc
                """);
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@d", name);
            Add(cmd, "@i", b.Id);
            Add(cmd, "@h", b.Sha256);
            Add(cmd, "@t", b.Text);
            Add(cmd, "@s", b.SeenAt.ToUnixTimeMilliseconds());
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changes with { Opened = opened };
    }

    public async Task<IReadOnlyList<WatchNotice>> PendingNoticesAsync(IReadOnlyList<string> sinks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        if (sinks.Count == 0)
        {
            return [];
        }

        var names = string.Join(", ", sinks.Select((_, i) => "@s" + i.ToString(CultureInfo.InvariantCulture)));
        return await ReadNoticesAsync($"n.state = 'pending' AND n.sink IN ({names})", cmd =>
        {
            for (var i = 0; i < sinks.Count; i++)
            {
                Add(cmd, "@s" + i.ToString(CultureInfo.InvariantCulture), sinks[i]);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<WatchNotice>> NoticesAsync(long alertId, CancellationToken cancellationToken = default) =>
        ReadNoticesAsync("n.alert_id = @id", cmd => Add(cmd, "@id", alertId), cancellationToken);

    public async Task RecordAttemptAsync(long noticeId, NoticeState state, string? failure, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = Command(connection, null, """
            UPDATE watch_notices SET state = @st, attempts = attempts + 1, last_attempt_utc = @t, last_error = @e,
                sent_utc = CASE WHEN @st = 'delivered' THEN @t ELSE sent_utc END
            WHERE id = @id AND state = 'pending'
            """);
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@st", StateText(state));
        Add(cmd, "@t", at.ToUnixTimeMilliseconds());
        Add(cmd, "@e", failure);
        Add(cmd, "@id", noticeId);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WatchAlert>> OpenAlertsAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        return await ReadAlertsAsync(connection, null, $"SELECT {AlertColumns} FROM watch_alerts WHERE resolved_utc IS NULL ORDER BY domain, kind, subject", _ => { }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WatchAlert>> AlertsAsync(string? domain, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var name = domain is null ? null : Dns.DnsName.TryNormalize(domain) ?? throw new ArgumentException($"'{domain}' is not a domain name.", nameof(domain));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        return await ReadAlertsAsync(connection, null,
            $"SELECT {AlertColumns} FROM watch_alerts{(name is null ? string.Empty : " WHERE domain = @d")} ORDER BY opened_utc DESC, id DESC LIMIT @n",
            c =>
            {
                if (name is not null)
                {
                    Add(c, "@d", name);
                }

                Add(c, "@n", limit);
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<PolicyBaseline?> PolicyBaselineAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = Dns.DnsName.TryNormalize(domain) ?? throw new ArgumentException($"'{domain}' is not a domain name.", nameof(domain));
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        return await ReadBaselineAsync(connection, null, name, cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertNoticeAsync(DbConnection connection, DbTransaction tx, long alertId, NoticeEvent ev, string sink, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var cmd = Command(connection, tx, "INSERT INTO watch_notices (alert_id, event, sink, state, created_utc, attempts) VALUES (@a, @e, @s, 'pending', @t, 0)");
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@a", alertId);
        Add(cmd, "@e", ev == NoticeEvent.Opened ? "opened" : "resolved");
        Add(cmd, "@s", sink);
        Add(cmd, "@t", at.ToUnixTimeMilliseconds());
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PolicyBaseline?> ReadBaselineAsync(DbConnection connection, DbTransaction? tx, string domain, CancellationToken cancellationToken)
    {
        var cmd = Command(connection, tx, "SELECT policy_id, policy_sha256, policy_text, seen_utc FROM watch_policies WHERE domain = @d");
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@d", domain);
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new PolicyBaseline(r.GetString(0), r.GetString(1), r.GetString(2), Millis(r, 3))
            : null;
    }

    private async Task<IReadOnlyList<WatchNotice>> ReadNoticesAsync(string where, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var cmd = Command(connection, null, $"""
            SELECT n.id, n.sink, n.event, n.created_utc, n.attempts, n.state, n.last_error,
                a.id, a.domain, a.kind, a.subject, a.severity, a.codes, a.message, a.opened_utc, a.last_seen_utc, a.resolved_utc, a.opened_audit, a.resolved_audit
            FROM watch_notices n JOIN watch_alerts a ON a.id = n.alert_id
            WHERE {where} ORDER BY n.id
            """);
        await using var cmdScope = cmd.ConfigureAwait(false);
        bind(cmd);
        var list = new List<WatchNotice>();
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new WatchNotice(
                Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                r.GetString(1),
                r.GetString(2) == "opened" ? NoticeEvent.Opened : NoticeEvent.Resolved,
                Alert(r, 7),
                Millis(r, 3),
                Convert.ToInt32(r.GetValue(4), CultureInfo.InvariantCulture),
                r.GetString(5) switch
                {
                    "delivered" => NoticeState.Delivered,
                    "failed" => NoticeState.Failed,
                    "cancelled" => NoticeState.Cancelled,
                    _ => NoticeState.Pending,
                },
                r.IsDBNull(6) ? null : r.GetString(6)));
        }

        return list;
    }

    private static async Task<IReadOnlyList<WatchAlert>> ReadAlertsAsync(DbConnection connection, DbTransaction? tx, string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var cmd = Command(connection, tx, sql);
        await using var cmdScope = cmd.ConfigureAwait(false);
        bind(cmd);
        var list = new List<WatchAlert>();
        var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rScope = r.ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Alert(r, 0));
        }

        return list;
    }

    /// <summary>An alert from the columns <see cref="AlertColumns"/> starting at <paramref name="o"/>.</summary>
    private static WatchAlert Alert(DbDataReader r, int o) => new()
    {
        Id = Convert.ToInt64(r.GetValue(o), CultureInfo.InvariantCulture),
        Domain = r.GetString(o + 1),
        Kind = r.GetString(o + 2),
        Subject = r.GetString(o + 3),
        Severity = r.GetString(o + 4) switch
        {
            "error" => Severity.Error,
            "warning" => Severity.Warning,
            _ => Severity.Info,
        },
        Codes = JsonSerializer.Deserialize<List<string>>(r.GetString(o + 5)) ?? [],
        Message = r.GetString(o + 6),
        OpenedAt = Millis(r, o + 7),
        LastSeenAt = Millis(r, o + 8),
        ResolvedAt = r.IsDBNull(o + 9) ? null : Millis(r, o + 9),
        OpenedAuditId = r.IsDBNull(o + 10) ? null : Convert.ToInt64(r.GetValue(o + 10), CultureInfo.InvariantCulture),
        ResolvedAuditId = r.IsDBNull(o + 11) ? null : Convert.ToInt64(r.GetValue(o + 11), CultureInfo.InvariantCulture),
    };

    private static DateTimeOffset Millis(DbDataReader r, int i) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture));

    private static string SeverityText(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static string StateText(NoticeState s) => s switch
    {
        NoticeState.Delivered => "delivered",
        NoticeState.Failed => "failed",
        NoticeState.Cancelled => "cancelled",
        _ => "pending",
    };
}
