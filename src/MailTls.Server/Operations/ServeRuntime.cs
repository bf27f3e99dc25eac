using System.Collections.Immutable;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.Reports;
using MailTls.Serve;
using MailTls.Server.Configuration;
using MailTls.Server.Policies;
using MailTls.Server.Receiver;
using MailTls.Server.Tls;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Operations;

/// <summary>
/// Everything the running policy host knows: settings, the served policies (an immutable snapshot swapped on reload),
/// the certificates, the last self-check per domain and the request metrics. Reloads and self-checks are serialised;
/// request handling only reads snapshots.
/// </summary>
public sealed class ServeRuntime : IDisposable, IAsyncDisposable
{
    private readonly ILogger logger;
    private readonly IDnsResolver? resolverOverride;
    private readonly SemaphoreSlim gate = new(1, 1);
    private PolicyCatalog policies;
    private ImmutableDictionary<string, PolicySelfCheckResult> selfCheck = ImmutableDictionary<string, PolicySelfCheckResult>.Empty.WithComparers(StringComparer.OrdinalIgnoreCase);
    private PolicyIdState? idState;

    public ServeRuntime(ServeSettings settings, ILoggerFactory loggerFactory, IDnsResolver? resolver = null, TimeProvider? time = null,
        Func<string, CancellationToken, Task<IReportStore>>? openStore = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Settings = settings;
        Time = time ?? TimeProvider.System;
        logger = loggerFactory.CreateLogger("MailTls.Server");
        resolverOverride = resolver;
        Certificates = new CertificateStore(settings.Listeners.Any(l => l.Tls) ? settings.Certificates : [], loggerFactory.CreateLogger("MailTls.Server.Certificates"), Time);
        Receiver = settings.Receiver is { } r ? new ReportReceiver(r, loggerFactory.CreateLogger("MailTls.Server.TlsRpt"), Time, openStore) : null;
        policies = PolicyCatalog.Load(settings.Domains);
        LogPolicies(policies);
        StartedAt = Time.GetUtcNow();
    }

    public ServeSettings Settings { get; }

    public TimeProvider Time { get; }

    public DateTimeOffset StartedAt { get; }

    public CertificateStore Certificates { get; }

    public ServeMetrics Metrics { get; } = new();

    /// <summary>The TLS-RPT HTTPS receiver, when configured.</summary>
    public ReportReceiver? Receiver { get; }

    public PolicyCatalog Policies => Volatile.Read(ref policies);

    public IReadOnlyDictionary<string, PolicySelfCheckResult> SelfCheck => Volatile.Read(ref selfCheck);

    public DateTimeOffset? LastSelfCheck { get; private set; }

    public long PolicyReloads { get; private set; }

    /// <summary>Every file whose change triggers a reload (certificates, keys, policy files).</summary>
    public IEnumerable<string> WatchedFiles => Certificates.Files.Concat(Settings.Domains.Select(d => d.Policy).OfType<PolicySource.File>().Select(f => f.Path));

    /// <summary>Re-reads changed certificate files and every policy file; true when a served policy changed.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            Certificates.Reload();
            var fresh = PolicyCatalog.Load(Settings.Domains);
            var old = Policies;
            var changed = !SameBodies(old, fresh);
            if (changed)
            {
                Volatile.Write(ref policies, fresh);
                PolicyReloads++;
                logger.LogInformation("policies reloaded");
                LogPolicies(fresh);
            }

            return changed;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Looks up every served domain's TXT and MX records and records the findings (and the id state).</summary>
    public async Task RunSelfCheckAsync(CancellationToken cancellationToken = default)
    {
        if (!Settings.SelfCheck.Enabled)
        {
            return;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            idState ??= Settings.StateFile is { } path ? await PolicyIdState.LoadAsync(path, cancellationToken) : new PolicyIdState();
            var resolver = resolverOverride ?? new CachingDnsResolver(new DnsStubResolver(new DnsStubResolverSettings
            {
                Servers = Settings.SelfCheck.Resolvers.Count > 0 ? Settings.SelfCheck.Resolvers : await DnsServerAddress.SystemAsync(cancellationToken),
                Timeout = Settings.SelfCheck.Timeout,
            }));
            var checker = new PolicySelfCheck(new DnsLookup(resolver));
            var results = ImmutableDictionary.CreateBuilder<string, PolicySelfCheckResult>(StringComparer.OrdinalIgnoreCase);
            var served = Policies.Domains.Where(d => d.Response is not null).ToList();
            var outcomes = await Task.WhenAll(served.Select(d => checker.CheckAsync(d.Domain, d.Response!.Policy, idState.Get(d.Domain), cancellationToken)));
            foreach (var r in outcomes)
            {
                results[r.Domain] = r;
                if (r.NewState is { } s)
                {
                    idState.Set(r.Domain, s);
                }

                foreach (var f in r.Findings)
                {
                    logger.Log(f.IsError ? LogLevel.Error : LogLevel.Warning, "self-check {Domain}: {Code}: {Message}", r.Domain, f.Code, f.Message);
                }
            }

            Volatile.Write(ref selfCheck, results.ToImmutable());
            if (Settings.StateFile is { } statePath)
            {
                try
                {
                    await idState.SaveAsync(statePath, cancellationToken);
                }
                catch (IOException e)
                {
                    logger.LogError("cannot write the state file {Path}: {Error}", statePath, e.Message);
                }
                catch (UnauthorizedAccessException e)
                {
                    logger.LogError("cannot write the state file {Path}: {Error}", statePath, e.Message);
                }
            }

            // Published last: a completed self-check means its state is on disk too.
            LastSelfCheck = Time.GetUtcNow();
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>All current findings of one domain: policy lint, certificate, self-check.</summary>
    public IReadOnlyList<Finding> Findings(DomainPolicyStatus domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var list = new List<Finding>(domain.Findings);
        if (Settings.Listeners.Any(l => l.Tls))
        {
            list.AddRange(Certificates.Findings("mta-sts." + domain.Domain));
        }

        if (SelfCheck.TryGetValue(domain.Domain, out var sc))
        {
            list.AddRange(sc.Findings);
        }

        return list;
    }

    public void Dispose()
    {
        // Only ConfigCheck disposes synchronously, and it never opens a store.
        Receiver?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        gate.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        gate.Dispose();
    }

    private void LogPolicies(PolicyCatalog catalog)
    {
        foreach (var d in catalog.Domains)
        {
            if (d.Response is null)
            {
                logger.LogError("POLICY NOT SERVED for {Domain} ({Source}): {Messages}", d.Domain, d.Source,
                    string.Join(" | ", d.Findings.Where(f => f.IsError).Select(f => f.Code + ": " + f.Message)));
            }
            else
            {
                foreach (var f in d.Findings.Where(f => f.Severity != Severity.Info))
                {
                    logger.LogWarning("policy {Domain}: {Code}: {Message}", d.Domain, f.Code, f.Message);
                }
            }
        }
    }

    private static bool SameBodies(PolicyCatalog a, PolicyCatalog b) =>
        a.Domains.Count == b.Domains.Count && a.Domains.Zip(b.Domains).All(p =>
            p.First.Response is null ? p.Second.Response is null && p.First.Findings.Count == p.Second.Findings.Count
            : p.Second.Response is not null && p.First.Response.Body.Span.SequenceEqual(p.Second.Response.Body.Span));
}
