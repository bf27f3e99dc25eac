using MailTls.Audit;
using MailTls.Findings;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Server.Operations;

namespace MailTls.Server.Dashboard;

/// <summary>One domain's line of the overview.</summary>
public sealed record DomainOverview(
    string Domain,
    bool Served,
    PublishedPolicy? Published,
    AuditRecord? LastAudit,
    SummaryResult Summary,
    IReadOnlyList<DailyPoint> Daily,
    IReadOnlyList<StoredFinding> Alerts)
{
    /// <summary>Failed / (successful + failed) sessions, or null without sessions.</summary>
    public double? FailureRate => DashboardData.Rate(Summary.SuccessfulSessions, Summary.FailedSessions);
}

/// <summary>An alert: an error finding of a domain's latest audit.</summary>
/// <summary>
/// One alert on the overview: an open <c>mailtls watch</c> alert (<paramref name="Kind"/> and <paramref name="OpenedAt"/>
/// set; code = the alert kind) or, for a domain watch has no open alert for, an error finding of its latest audit.
/// </summary>
public sealed record DomainAlert(string Domain, StoredFinding Finding, string? Kind = null, DateTimeOffset? OpenedAt = null);

/// <summary>The overview: store totals over the window, the alerts of every domain, and one line per domain (a page of them).</summary>
public sealed record Overview(int Days, DateTimeOffset Since, DateTimeOffset Now, SummaryResult Totals, IReadOnlyList<DomainAlert> Alerts, IReadOnlyList<DomainOverview> Domains, int Page, int Pages, int DomainCount);

/// <summary>Everything the domain page shows; every number from the summary queries of <c>reports summary</c>.</summary>
public sealed record DomainDetail(
    string Domain,
    int Days,
    DateTimeOffset Since,
    DateTimeOffset Now,
    bool Served,
    SummaryResult Summary,
    IReadOnlyList<DailyPoint> Daily,
    SummaryResult ByResultType,
    SummaryResult BySender,
    SummaryResult ByMx,
    SummaryResult ByIp,
    IReadOnlyList<SeenPolicy> Reported,
    PublishedPolicy? Published,
    ReadinessResult Readiness,
    int ReadinessDays,
    AuditRecord? Audit);

/// <summary>
/// The dashboard's questions to the store. Numbers come only from <see cref="IReportStore.SummaryAsync"/> and
/// <see cref="IReportStore.DailyAsync"/> with the filters <c>reports summary --domain D --since Nd</c> uses, so a
/// page shows what the CLI prints; readiness is <see cref="ReadinessAnalyzer"/>, as in <c>reports readiness</c>.
/// </summary>
public sealed class DashboardData(SqlReportStore store, ServeRuntime runtime)
{
    public SqlReportStore Store { get; } = store;

    public TimeProvider Time => runtime.Time;

    public static double? Rate(long ok, long failed) => ok + failed == 0 ? null : (double)failed / (ok + failed);

    /// <summary>The window of <c>--since {days}d</c> at <paramref name="now"/>.</summary>
    public static DateTimeOffset SinceDays(DateTimeOffset now, int days) => now.AddDays(-days);

    /// <summary>Every domain: policy domains of stored reports, audited domains and the domains this server serves.</summary>
    public async Task<IReadOnlyList<string>> DomainsAsync(CancellationToken cancellationToken)
    {
        var values = await Store.FilterValuesAsync(cancellationToken).ConfigureAwait(false);
        var audits = await Store.LatestAuditsAsync(cancellationToken).ConfigureAwait(false);
        return values.Domains.Concat(audits.Select(a => a.Domain)).Concat(runtime.Policies.Domains.Select(d => d.Domain))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<Overview> OverviewAsync(int days, int page, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var since = SinceDays(now, days);
        var all = await DomainsAsync(cancellationToken).ConfigureAwait(false);
        var audits = (await Store.LatestAuditsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.Domain, StringComparer.Ordinal);
        var pages = Math.Max(1, (all.Count + Limits.DashboardOverviewPageSize - 1) / Limits.DashboardOverviewPageSize);
        page = Math.Clamp(page, 1, pages);
        var lines = new List<DomainOverview>();
        foreach (var domain in all.Skip((page - 1) * Limits.DashboardOverviewPageSize).Take(Limits.DashboardOverviewPageSize))
        {
            var query = new SummaryQuery(domain, since);
            var summary = await Store.SummaryAsync(query, cancellationToken).ConfigureAwait(false);
            var daily = summary.Reports == 0 ? [] : await Store.DailyAsync(query, cancellationToken).ConfigureAwait(false);
            var audit = audits.GetValueOrDefault(domain);
            var served = Served(domain);
            lines.Add(new DomainOverview(domain, served is not null, Published(audit, served), audit, summary, daily, Alerts(audit)));
        }

        var totals = await Store.SummaryAsync(new SummaryQuery(Since: since), cancellationToken).ConfigureAwait(false);
        var watched = (await Store.OpenAlertsAsync(cancellationToken).ConfigureAwait(false))
            .Select(a => new DomainAlert(a.Domain, new StoredFinding(a.Kind, a.Severity, a.Subject, a.Message), a.Kind, a.OpenedAt)).ToList();
        var watchedDomains = watched.Select(a => a.Domain).ToHashSet(StringComparer.Ordinal);
        var alerts = watched
            .Concat(audits.Values.Where(a => !watchedDomains.Contains(a.Domain)).SelectMany(a => Alerts(a).Select(f => new DomainAlert(a.Domain, f))))
            .OrderBy(a => a.Domain, StringComparer.Ordinal).ThenByDescending(a => a.Finding.Severity).ToList();
        return new Overview(days, since, now, totals, alerts, lines, page, pages, all.Count);
    }

    public async Task<DomainDetail> DomainAsync(string domain, int days, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var since = SinceDays(now, days);
        Task<SummaryResult> Summary(SummaryGrouping by) => Store.SummaryAsync(new SummaryQuery(domain, since, By: by), cancellationToken);
        var summary = await Summary(SummaryGrouping.None).ConfigureAwait(false);
        var daily = await Store.DailyAsync(new SummaryQuery(domain, since), cancellationToken).ConfigureAwait(false);
        var byType = await Summary(SummaryGrouping.ResultType).ConfigureAwait(false);
        var bySender = await Summary(SummaryGrouping.Sender).ConfigureAwait(false);
        var byMx = await Summary(SummaryGrouping.Mx).ConfigureAwait(false);
        var byIp = await Summary(SummaryGrouping.Ip).ConfigureAwait(false);
        var history = await Store.AuditHistoryAsync(domain, 1, cancellationToken).ConfigureAwait(false);
        var audit = history.Count > 0 ? history[0] : null;
        var served = Served(domain);
        var published = Published(audit, served);

        // Readiness exactly as `reports readiness DOMAIN` (default window), compared with the published policy.
        var readinessDays = Limits.ReadinessDefaultDays;
        var data = await Store.ReadinessDataAsync(domain, now.AddDays(-readinessDays), cancellationToken).ConfigureAwait(false);
        var readiness = ReadinessAnalyzer.Analyze(domain, data, readinessDays, now, published?.Policy);
        var reported = (await Store.ReadinessDataAsync(domain, since, cancellationToken).ConfigureAwait(false)).Policies;
        return new DomainDetail(domain, days, since, now, served is not null, summary, daily, byType, bySender, byMx, byIp, reported, published, readiness, readinessDays, audit);
    }

    /// <summary>The alerts of a domain: the error findings of its latest audit.</summary>
    public static IReadOnlyList<StoredFinding> Alerts(AuditRecord? audit) => audit?.Findings.Where(f => f.Severity == Severity.Error).ToList() ?? [];

    private Policies.DomainPolicyStatus? Served(string domain) =>
        runtime.Policies.Domains.FirstOrDefault(d => string.Equals(d.Domain, domain, StringComparison.Ordinal));

    private static PublishedPolicy? Published(AuditRecord? audit, Policies.DomainPolicyStatus? served) =>
        (audit is null ? null : PublishedPolicy.FromAudit(audit)) ?? PublishedPolicy.FromServed(served);
}
