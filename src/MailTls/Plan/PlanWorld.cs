using System.Collections.Concurrent;
using MailTls.Audit;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;
using MailTls.Reports;
using MailTls.Smtp;

namespace MailTls.Plan;

/// <summary>How the plan reaches the world.</summary>
public sealed record PlanWorldOptions
{
    /// <summary>The recursive resolver for names outside the zone (and the DS of the apex).</summary>
    public required IDnsResolver Recursive { get; init; }

    public required TrustAnchors Anchors { get; init; }

    /// <summary>The plan clock (waits, report windows); certificate and DNSSEC validity use the real clock.</summary>
    public TimeProvider PlanClock { get; init; } = TimeProvider.System;

    /// <summary>Deadline of each network step (DNS, policy fetch, SMTP).</summary>
    public TimeSpan Timeout { get; init; } = Limits.CheckStsPolicyFetchTimeout;

    /// <summary>Authoritative servers to use instead of the zone's NS (e.g. a hidden primary and its secondaries).</summary>
    public IReadOnlyList<System.Net.IPEndPoint> Servers { get; init; } = [];

    /// <summary>Where dynamic updates go instead of the SOA MNAME.</summary>
    public System.Net.IPEndPoint? Primary { get; init; }

    /// <summary>The report store for the readiness and reports gates (null: those gates cannot be checked).</summary>
    public IReportStore? Reports { get; init; }

    public int SmtpPort { get; init; } = 25;
}

/// <summary>A served policy as fetched directly from the policy host (whether or not the TXT record exists).</summary>
public sealed record PolicyObservation(StsPolicyFetchResult Fetch, StsPolicy? Policy, string? Sha256, string? Problem);

/// <summary>
/// One look at the live world for a plan: the zone's authoritative servers (asked directly, no cache), the policy
/// host, an audit of the domain through the authoritative overlay (<see cref="DomainAuditor"/>, so every rule is the
/// check's), audits of extra hosts, and the report store. Each piece is fetched once per instance; make a new one
/// for the next look.
/// </summary>
public sealed class PlanWorld : IDisposable
{
    private readonly PlanWorldOptions options;
    private readonly ZoneAuthority authority;
    private readonly ConcurrentDictionary<string, Task<AuthoritativeRrset>> rrsets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<DomainAuditResult>> hostAudits = new(StringComparer.Ordinal);
    private readonly Lazy<Task<PolicyObservation>> policy;
    private readonly Lazy<Task<DomainAuditResult>> audit;
    private readonly DomainAuditor auditor;
    private readonly StsPolicyFetcher fetcher;

    private PlanWorld(string domain, ZoneInfo zone, PlanWorldOptions options, bool probeSmtp)
    {
        Domain = domain;
        Zone = zone;
        this.options = options;
        authority = new ZoneAuthority(options.Recursive, options.Timeout < Limits.DnsQueryTimeout ? options.Timeout : Limits.DnsQueryTimeout);
        var overlay = new AuthoritativeOverlayResolver(options.Recursive, zone, options.Timeout < Limits.DnsQueryTimeout ? options.Timeout : Limits.DnsQueryTimeout);
        auditor = new DomainAuditor(overlay, options.Anchors, new DomainAuditOptions
        {
            ProbeSmtp = probeSmtp,
            Parts = AuditParts.MtaSts | AuditParts.TlsRpt | AuditParts.Dane | AuditParts.Dnssec | AuditParts.Smtp,
            PolicyFetch = new StsPolicyFetcherOptions { Timeout = options.Timeout },
            Smtp = new StartTlsProberOptions
            {
                Port = options.SmtpPort,
                ConnectTimeout = options.Timeout < Limits.SmtpConnectTimeout ? options.Timeout : Limits.SmtpConnectTimeout,
                BannerTimeout = options.Timeout,
                CommandTimeout = options.Timeout,
                HandshakeTimeout = options.Timeout,
                ProbeTimeout = options.Timeout * 2,
            },
        });
        fetcher = new StsPolicyFetcher(new DnsLookup(overlay), new StsPolicyFetcherOptions { Timeout = options.Timeout });
        policy = new(() => FetchPolicyAsync(CancellationToken.None));
        audit = new(() => auditor.AuditAsync(domain, CancellationToken.None));
    }

    public string Domain { get; }

    public ZoneInfo Zone { get; }

    public PlanWorldOptions Options => options;

    public DateTimeOffset PlanNow => options.PlanClock.GetUtcNow();

    /// <summary>Finds the zone of <paramref name="domain"/> and opens a world; null with a reason when the zone cannot be found.</summary>
    public static async Task<(PlanWorld? World, string? Error)> OpenAsync(string domain, PlanWorldOptions options, bool probeSmtp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var authority = new ZoneAuthority(options.Recursive, options.Timeout < Limits.DnsQueryTimeout ? options.Timeout : Limits.DnsQueryTimeout);
        var (zone, error) = await authority.FindAsync(domain, options.Servers, options.Primary, cancellationToken).ConfigureAwait(false);
        return zone is null ? (null, error) : (new PlanWorld(domain, zone, options, probeSmtp), null);
    }

    public void Dispose()
    {
        auditor.Dispose();
        fetcher.Dispose();
    }

    /// <summary>owner/type as every authoritative server serves it.</summary>
    public Task<AuthoritativeRrset> RrsetAsync(string owner, DnsRecordType type, CancellationToken cancellationToken = default) =>
        rrsets.GetOrAdd(RrsetTtl.Keyed(owner, type), _ => authority.ReadAsync(Zone, owner, type, cancellationToken));

    public Task<PolicyObservation> PolicyAsync() => policy.Value;

    /// <summary>
    /// <c>plan.authority.disagree</c> for every RRset read so far that the authoritative servers serve differently
    /// (a secondary that has not transferred the change yet): a change counts only when every server serves it.
    /// </summary>
    public IReadOnlyList<Findings.Finding> Disagreements() =>
        [.. rrsets.Values.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Where(r => !r.Incomplete && !r.Agree)
            .Select(r => PlanFindings.AuthorityDisagrees.Create(r.Owner + " " + DnsRecordTypeText.ToText(r.Type),
                $"The authoritative servers of {Zone.Zone} serve different {DnsRecordTypeText.ToText(r.Type)} records at {r.Owner}: "
                + string.Join("; ", r.Answers.Select(a => $"{a.Server}: {(a.Records.Count == 0 ? a.Status.ToString() : string.Join(" | ", a.Records.Select(RecordText.FormatData)))}")) + "."))];

    /// <summary>The audit of the domain (MX hosts probed when the world was opened with SMTP).</summary>
    public Task<DomainAuditResult> AuditAsync() => audit.Value;

    /// <summary>What a host presents and its TLSA state: from the domain's audit when it is an MX, else an audit of the host itself.</summary>
    public async Task<HostSnapshot?> HostAsync(string host)
    {
        var name = DnsName.TryNormalize(host) ?? host;
        var domainAudit = await AuditAsync().ConfigureAwait(false);
        var mx = domainAudit.Mx.FirstOrDefault(m => string.Equals(m.Host, name, StringComparison.OrdinalIgnoreCase));
        if (mx is null)
        {
            // A host that is not (yet) an MX: audited as a domain without MX, whose implicit MX is the host itself.
            var own = await hostAudits.GetOrAdd(name, n => auditor.AuditAsync(n, CancellationToken.None)).ConfigureAwait(false);
            mx = own.Mx.FirstOrDefault(m => string.Equals(m.Host, name, StringComparison.OrdinalIgnoreCase));
        }

        return mx is null ? null : Snapshot(mx, PlanNamesInZone.Contains(Zone.Zone, name));
    }

    /// <summary>The readiness verdict over <paramref name="days"/> days at the plan clock.</summary>
    public async Task<ReadinessResult?> ReadinessAsync(int days, CancellationToken cancellationToken = default)
    {
        if (options.Reports is not { } store)
        {
            return null;
        }

        var now = PlanNow;
        var data = await store.ReadinessDataAsync(Domain, now.AddDays(-days), cancellationToken).ConfigureAwait(false);
        var served = await PolicyAsync().ConfigureAwait(false);
        return ReadinessAnalyzer.Analyze(Domain, data, days, now, served.Policy);
    }

    /// <summary>Report rows about the domain (of <paramref name="policyType"/>, if given) for days from <paramref name="since"/> on.</summary>
    public async Task<IReadOnlyList<CoverageCell>?> ReportsSinceAsync(DateTimeOffset since, string? policyType, CancellationToken cancellationToken = default)
    {
        if (options.Reports is not { } store)
        {
            return null;
        }

        var data = await store.ReadinessDataAsync(Domain, since.AddDays(-1), cancellationToken).ConfigureAwait(false);
        var day = NormalizedReport.DayOf(since);
        return [.. data.Coverage.Where(c => c.Day >= day && (policyType is null || c.PolicyType == policyType))];
    }

    private async Task<PolicyObservation> FetchPolicyAsync(CancellationToken cancellationToken)
    {
        var fetch = await fetcher.FetchAsync(Domain, cancellationToken).ConfigureAwait(false);
        if (fetch is not StsPolicyFetchResult.Fetched f)
        {
            return new PolicyObservation(fetch, null, null, Describe(fetch));
        }

        var parsed = StsPolicyParser.Parse(f.Body);
        return parsed.Policy is { } p
            ? new PolicyObservation(fetch, p, Hashes.Policy(p), null)
            : new PolicyObservation(fetch, null, null, "the served policy is invalid: " + string.Join(" ", parsed.Findings.Where(x => x.IsError).Select(x => x.Message)));
    }

    internal static string Describe(StsPolicyFetchResult fetch) => fetch switch
    {
        StsPolicyFetchResult.HttpStatus s => "HTTP " + s.Status,
        StsPolicyFetchResult.Redirect r => "redirect " + r.Status,
        StsPolicyFetchResult.BadContentType b => "Content-Type " + (b.ContentType ?? "(none)"),
        StsPolicyFetchResult.TooLarge => "larger than " + Limits.StsPolicyMaxBytes + " bytes",
        StsPolicyFetchResult.TlsFailure t => "TLS: " + t.Detail,
        StsPolicyFetchResult.Timeout o => "timeout while reading the " + o.Stage,
        StsPolicyFetchResult.DnsFailure d => d.Detail,
        StsPolicyFetchResult.ConnectFailure c => c.Detail,
        _ => fetch.GetType().Name,
    };

    internal static HostSnapshot Snapshot(MxAudit mx, bool inZone)
    {
        var sessions = new List<PresentedSession>();
        string? problem = null;
        var withTls = 0;
        foreach (var a in mx.Addresses)
        {
            var probe = a.Probe;
            if (probe is { Sessions.Count: > 0 })
            {
                withTls++;
                sessions.AddRange(probe.Sessions.Select(s => new PresentedSession(a.Address.ToString(), s.KeyAlgorithm, s.Chain)));
            }
            else
            {
                problem ??= probe is null ? $"{a.Address}: not probed" : $"{a.Address}: {probe.Outcome} {probe.Detail}".TrimEnd();
            }
        }

        return new HostSnapshot(mx.Host, inZone)
        {
            Addresses = mx.Addresses.Count,
            AddressesWithTls = withTls,
            Sessions = sessions,
            ProbeProblem = problem,
            PkixValid = mx.Addresses.Count > 0 && mx.Addresses.All(a => a.Pki.Count > 0 && a.Pki.All(p => p.IsValid)),
            AddressDnssec = mx.AddressDnssec,
            TlsaOwner = mx.Tlsa.Owner ?? string.Empty,
            Tlsa = mx.Tlsa.Records,
            Dane = mx.Tlsa.State,
            TlsaMatched = mx.Addresses.Count > 0 && mx.Addresses.All(a => a.Dane.Count > 0 && a.Dane.All(d => d.Result.Matched)),
        };
    }

    /// <summary>The character-strings of each TXT record, as the MTA-STS and TLS-RPT selectors take them.</summary>
    internal static IReadOnlyList<IReadOnlyList<string>> TxtStrings(IEnumerable<DnsRecord> records) =>
        [.. records.Select(RecordData.Txt).OfType<TxtData>().Select(t => t.Strings).OrderBy(s => string.Join('\0', s), StringComparer.Ordinal)];
}
