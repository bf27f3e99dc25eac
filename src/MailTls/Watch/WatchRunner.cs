using MailTls.Audit;
using MailTls.Findings;
using MailTls.Reports;

namespace MailTls.Watch;

/// <summary>The audits of one pass (a fresh instance per pass, so nothing is cached between passes).</summary>
public sealed class PassAuditor : IDisposable
{
    private readonly Func<string, CancellationToken, Task<DomainAuditResult>> audit;
    private readonly IDisposable? owner;

    public PassAuditor(Func<string, CancellationToken, Task<DomainAuditResult>> audit, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        this.audit = audit;
        this.owner = owner;
    }

    public Task<DomainAuditResult> AuditAsync(string domain, CancellationToken cancellationToken) => audit(domain, cancellationToken);

    public void Dispose() => owner?.Dispose();
}

/// <summary>One domain in a pass: its stored audit and what it changed.</summary>
public sealed record DomainPass(string Domain, long AuditId, bool Completed, string Summary, int Errors, int Warnings, AlertChanges Changes, TlsRptJumpResult? Reports);

/// <summary>One notice handed to its sink in a pass.</summary>
public sealed record NoticeDelivery(WatchNotice Notice, NoticeState State, string? Error);

/// <summary>Everything one pass did.</summary>
public sealed record WatchPassResult(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyList<DomainPass> Domains,
    IReadOnlyList<NoticeDelivery> Deliveries,
    IReadOnlyList<WatchAlert> Open)
{
    /// <summary>Every audit completed and every notice due was delivered.</summary>
    public bool Completed => Domains.All(d => d.Completed) && Deliveries.All(d => d.State == NoticeState.Delivered);

    public bool HasOpenErrors => Open.Any(a => a.Severity == Severity.Error);
}

/// <summary>
/// One pass of <c>mailtls watch</c>: audits every configured domain with the check pipeline, stores each audit
/// (<see cref="IAuditHistory"/>), evaluates it against the stored alerts and policy baseline
/// (<see cref="WatchEvaluator"/>, <see cref="AlertLedger"/>) in one transaction per domain, then hands every pending
/// notice to its sink and records the outcome. A notice is marked delivered only after its sink accepted it.
/// </summary>
public sealed class WatchRunner
{
    private readonly WatchConfig config;
    private readonly IAuditHistory audits;
    private readonly IWatchStore alerts;
    private readonly IReportStore reports;
    private readonly IReadOnlyList<IAlertSink> sinks;
    private readonly Func<DomainAuditResult, string> checkJson;
    private readonly TimeProvider time;

    /// <param name="config">Domains, thresholds and the TLS-RPT rule.</param>
    /// <param name="audits">Where audits are stored.</param>
    /// <param name="alerts">Alert state.</param>
    /// <param name="reports">TLS-RPT reports (the failure-rate rule).</param>
    /// <param name="sinks">Where notices go; their names must be the configuration's sink names.</param>
    /// <param name="checkJson">The <c>check --json</c> text of an audit (the CLI's renderer), stored with it.</param>
    /// <param name="time">The pass clock (<c>--now</c> shifts it).</param>
    public WatchRunner(WatchConfig config, IAuditHistory audits, IWatchStore alerts, IReportStore reports, IReadOnlyList<IAlertSink> sinks, Func<DomainAuditResult, string> checkJson, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(audits);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(checkJson);
        this.config = config;
        this.audits = audits;
        this.alerts = alerts;
        this.reports = reports;
        this.sinks = sinks;
        this.checkJson = checkJson;
        this.time = time ?? TimeProvider.System;
    }

    public async Task<WatchPassResult> RunPassAsync(PassAuditor auditor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditor);
        var started = time.GetUtcNow();
        var sinkNames = sinks.Select(s => s.Name).ToList();
        using var slots = new SemaphoreSlim(Math.Max(1, config.Concurrency));
        var domains = await Task.WhenAll(config.Domains.Select(async d =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await DomainAsync(auditor, d, sinkNames, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);

        var deliveries = new List<NoticeDelivery>();
        var pending = await alerts.PendingNoticesAsync(sinkNames, cancellationToken).ConfigureAwait(false);
        foreach (var sink in sinks)
        {
            var mine = pending.Where(n => n.Sink == sink.Name).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            var outcomes = await sink.DeliverAsync(mine, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            foreach (var n in mine)
            {
                var o = outcomes.FirstOrDefault(x => x.NoticeId == n.Id) ?? NoticeOutcome.Retry(n.Id, "the sink gave no outcome");
                var state = o.State;
                var error = o.Error;
                if (state == NoticeState.Pending && n.Attempts + 1 >= Limits.WatchNoticeMaxPasses)
                {
                    state = NoticeState.Failed;
                    error = $"{error} (given up after {Limits.WatchNoticeMaxPasses} passes)";
                }

                await alerts.RecordAttemptAsync(n.Id, state, error, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                deliveries.Add(new NoticeDelivery(n with { Attempts = n.Attempts + 1, State = state, LastError = error }, state, error));
            }
        }

        var watched = new HashSet<string>(config.Domains, StringComparer.Ordinal);
        var open = (await alerts.OpenAlertsAsync(cancellationToken).ConfigureAwait(false)).Where(a => watched.Contains(a.Domain)).ToList();
        return new WatchPassResult(started, time.GetUtcNow(), domains, deliveries, open);
    }

    private async Task<DomainPass> DomainAsync(PassAuditor auditor, string domain, IReadOnlyList<string> sinkNames, CancellationToken cancellationToken)
    {
        var result = await auditor.AuditAsync(domain, cancellationToken).ConfigureAwait(false);
        var record = new AuditRecord(result.Domain, result.CheckedAt, result.Completed, result.Summary, [.. result.Findings.Select(StoredFinding.From)], checkJson(result));
        var auditId = await audits.AddAuditAsync(record, cancellationToken).ConfigureAwait(false);
        var rpt = await TlsRptJump.EvaluateAsync(reports, result.Domain, result.CheckedAt, config.TlsRpt, cancellationToken).ConfigureAwait(false);
        var facts = AuditFacts.From(result);
        var changes = await alerts.ReconcileAsync(result.Domain, (open, baseline) =>
        {
            var observation = WatchEvaluator.Evaluate(facts, baseline, rpt);
            return new WatchDecision(AlertLedger.Reconcile(open, observation, auditId), observation.NewBaseline);
        }, sinkNames, cancellationToken).ConfigureAwait(false);
        return new DomainPass(result.Domain, auditId, result.Completed, result.Summary, record.Errors, record.Warnings, changes, rpt);
    }
}
