using System.Data.Common;
using System.Globalization;
using MailTls.Plan;

namespace MailTls.Reports.Storage;

/// <summary>Plans and TLSA first-seen times (schema migration 4), in the report database.</summary>
public abstract partial class SqlReportStore : IPlanStore
{
    public async Task<long> AddPlanAsync(ChangePlan plan, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var cmd = Command(connection, tx, "INSERT INTO plans (domain, change, state, created_utc, updated_utc, plan_json) VALUES (@d, @c, @s, @t, @t, @j) RETURNING id");
        await using var cmdScope = cmd.ConfigureAwait(false);
        Add(cmd, "@d", plan.Domain);
        Add(cmd, "@c", PlanNames.Of(plan.Change));
        Add(cmd, "@s", StateName(PlanState.Active));
        Add(cmd, "@t", now.ToUnixTimeSeconds());
        Add(cmd, "@j", PlanJson.Write(plan).ToJsonString());
        var id = Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        foreach (var step in plan.Steps)
        {
            var s = Command(connection, tx, "INSERT INTO plan_steps (plan_id, step) VALUES (@p, @n)");
            await using var sScope = s.ConfigureAwait(false);
            Add(s, "@p", id);
            Add(s, "@n", step.Number);
            await s.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task<StoredPlan?> LatestPlanAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        long id;
        string state;
        string json;
        long updated;
        {
            var cmd = Command(connection, null, "SELECT id, state, plan_json, updated_utc FROM plans WHERE domain = @d ORDER BY id DESC LIMIT 1");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@d", domain);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            id = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture);
            state = r.GetString(1);
            json = r.GetString(2);
            updated = Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture);
        }

        var progress = new List<StepProgress>();
        {
            var cmd = Command(connection, null, "SELECT step, done_utc, applied_utc FROM plan_steps WHERE plan_id = @p ORDER BY step");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@p", id);
            var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var rScope = r.ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                progress.Add(new StepProgress(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Time(r, 1), Time(r, 2)));
            }
        }

        return new StoredPlan(PlanJson.Read(json, id), ParseState(state), progress, DateTimeOffset.FromUnixTimeSeconds(updated));
    }

    public async Task RecordProgressAsync(long planId, IReadOnlyList<StepProgress> steps, PlanState state, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        foreach (var s in steps)
        {
            var cmd = Command(connection, tx,
                "UPDATE plan_steps SET done_utc = COALESCE(done_utc, @d), applied_utc = COALESCE(applied_utc, @a) WHERE plan_id = @p AND step = @n");
            await using var cmdScope = cmd.ConfigureAwait(false);
            Add(cmd, "@d", s.DoneAt?.ToUnixTimeSeconds());
            Add(cmd, "@a", s.AppliedAt?.ToUnixTimeSeconds());
            Add(cmd, "@p", planId);
            Add(cmd, "@n", s.Number);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var p = Command(connection, tx, "UPDATE plans SET state = @s, updated_utc = @t WHERE id = @p");
        await using var pScope = p.ConfigureAwait(false);
        Add(p, "@s", StateName(state));
        Add(p, "@t", now.ToUnixTimeSeconds());
        Add(p, "@p", planId);
        await p.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset> TlsaSeenAsync(string owner, string record, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(record);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var tx = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var txScope = tx.ConfigureAwait(false);
        var key = owner.TrimEnd('.').ToLowerInvariant();
        var text = record.ToLowerInvariant();
        await LockAsync(connection, tx, LockKey(key + " " + text), cancellationToken).ConfigureAwait(false);
        var insert = Command(connection, tx,
            "INSERT INTO tlsa_seen (owner, record, first_seen_utc, last_seen_utc) VALUES (@o, @r, @t, @t) ON CONFLICT (owner, record) DO UPDATE SET last_seen_utc = @t");
        await using var insertScope = insert.ConfigureAwait(false);
        Add(insert, "@o", key);
        Add(insert, "@r", text);
        Add(insert, "@t", now.ToUnixTimeSeconds());
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var select = Command(connection, tx, "SELECT first_seen_utc FROM tlsa_seen WHERE owner = @o AND record = @r");
        await using var selectScope = select.ConfigureAwait(false);
        Add(select, "@o", key);
        Add(select, "@r", text);
        var first = Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return DateTimeOffset.FromUnixTimeSeconds(first);
    }

    private static DateTimeOffset? Time(DbDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture));

    private static string StateName(PlanState state) => state.ToString().ToLowerInvariant();

    private static PlanState ParseState(string text) => Enum.Parse<PlanState>(text, ignoreCase: true);
}
