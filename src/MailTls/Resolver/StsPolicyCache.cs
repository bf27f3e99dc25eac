using System.Collections.Concurrent;
using MailTls.MtaSts;

namespace MailTls.Resolver;

/// <summary>Where a policy answer came from.</summary>
public enum StsCacheSource
{
    /// <summary>The stored policy (same id, or discovery/fetch failed while it is still valid).</summary>
    Cache = 0,

    /// <summary>Fetched during this lookup.</summary>
    Fetch = 1,
}

/// <summary>Outcome of <see cref="StsPolicyCache.GetAsync"/>.</summary>
public enum StsCacheOutcomeKind
{
    /// <summary>A valid policy applies (<see cref="StsCacheOutcome.Policy"/>).</summary>
    Policy = 0,

    /// <summary>No policy: no TXT record, or the fetch failed and nothing valid is cached (RFC 8461 §3.3).</summary>
    NoPolicy = 1,

    /// <summary>No policy because a fetch of this id failed less than the backoff ago (RFC 8461 §3.3, 5 minutes).</summary>
    Backoff = 2,

    /// <summary>The TXT lookup failed temporarily and nothing valid is cached.</summary>
    TempFailure = 3,
}

/// <summary>A cache decision with its reason (for logs, <c>resolver query</c> and metrics).</summary>
public sealed record StsCacheOutcome(StsCacheOutcomeKind Kind, StsPolicy? Policy, string? PolicyId, StsCacheSource Source, string Reason);

/// <summary>Settings of <see cref="StsPolicyCache"/>.</summary>
public sealed record StsPolicyCacheOptions
{
    /// <summary>Minimum wait before fetching the same policy id again after a failure (RFC 8461 §3.3: 5 minutes).</summary>
    public TimeSpan FetchBackoff { get; init; } = Limits.ResolverFetchBackoff;

    /// <summary>A policy is refreshed proactively once it is older than min(max_age / 2, this) (RFC 8461 §10.2: daily).</summary>
    public TimeSpan RefreshAfter { get; init; } = Limits.ResolverRefreshAfter;
}

/// <summary>
/// The MTA-STS policy cache of the resolver (RFC 8461 §3.3, §5, §10.2; notes §1.4 and the <c>cache</c> vectors):
/// the TXT id is checked on every miss of the in-memory answer cache; a changed id or an expired policy is fetched;
/// a valid cached policy is kept when discovery or fetch fails; a failed id is not fetched again within the backoff;
/// a fetched <c>mode: none</c> replaces an enforce policy at once; concurrent lookups of one domain share one
/// discovery and fetch. Discovery and fetch are delegates so that the rules are tested without network; the daemon
/// passes <see cref="StsDiscovery"/> over <c>DnsLookup.TxtAsync</c> and <see cref="StsPolicyFetcher.FetchAsync"/>.
/// </summary>
public sealed class StsPolicyCache
{
    private readonly IStsPolicyStore store;
    private readonly Func<string, CancellationToken, Task<StsDiscoveryResult>> discover;
    private readonly Func<string, CancellationToken, Task<StsPolicyFetchResult>> fetch;
    private readonly TimeProvider time;
    private readonly StsPolicyCacheOptions options;
    private readonly ConcurrentDictionary<string, Lazy<Task<StsCacheOutcome>>> inFlight = new(StringComparer.Ordinal);

    public StsPolicyCache(
        IStsPolicyStore store,
        Func<string, CancellationToken, Task<StsDiscoveryResult>> discover,
        Func<string, CancellationToken, Task<StsPolicyFetchResult>> fetch,
        TimeProvider? time = null,
        StsPolicyCacheOptions? options = null)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.discover = discover ?? throw new ArgumentNullException(nameof(discover));
        this.fetch = fetch ?? throw new ArgumentNullException(nameof(fetch));
        this.time = time ?? TimeProvider.System;
        this.options = options ?? new StsPolicyCacheOptions();
    }

    public IStsPolicyStore Store => store;

    /// <summary>Number of discoveries started (misses that were not coalesced).</summary>
    public long Discoveries => Interlocked.Read(ref discoveries);

    /// <summary>Number of HTTPS fetches started.</summary>
    public long Fetches => Interlocked.Read(ref fetches);

    /// <summary>Number of failed fetches.</summary>
    public long FetchFailures => Interlocked.Read(ref fetchFailures);

    private long discoveries;
    private long fetches;
    private long fetchFailures;

    /// <summary>The policy for <paramref name="domain"/> now; concurrent calls for one domain share one lookup.</summary>
    public Task<StsCacheOutcome> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var lazy = inFlight.GetOrAdd(domain, d => new Lazy<Task<StsCacheOutcome>>(() => RunAsync(d, refresh: false)));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Proactive refresh of one domain (RFC 8461 §10.2): fetch regardless of the TXT id; a failure keeps the entry.</summary>
    public Task<StsCacheOutcome> RefreshAsync(string domain) => RunAsync(domain, refresh: true);

    /// <summary>Refreshes every stored policy older than min(max_age / 2, <see cref="StsPolicyCacheOptions.RefreshAfter"/>).</summary>
    public async Task<int> RefreshDueAsync(int concurrency, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(e => IsRefreshDue(e, now)).ToList();
        using var slots = new SemaphoreSlim(Math.Max(1, concurrency));
        await Task.WhenAll(due.Select(async e =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await RefreshAsync(e.Domain).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
        return due.Count;
    }

    /// <summary>True when <paramref name="entry"/> holds a valid policy old enough to refresh.</summary>
    public bool IsRefreshDue(StsCacheEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!entry.IsValidAt(now) || entry.FetchedAt is not { } fetched || entry.ExpiresAt is not { } expires)
        {
            return false;
        }

        var half = (expires - fetched) / 2;
        return now - fetched >= (half < options.RefreshAfter ? half : options.RefreshAfter);
    }

    private async Task<StsCacheOutcome> RunAsync(string domain, bool refresh)
    {
        try
        {
            // The shared lookup must not die with the first caller's token; the delegates have their own deadlines.
            return await DecideAsync(domain, refresh, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (!refresh)
            {
                inFlight.TryRemove(domain, out _);
            }
        }
    }

    private async Task<StsCacheOutcome> DecideAsync(string domain, bool refresh, CancellationToken cancellationToken)
    {
        var entry = await store.GetAsync(domain, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var cached = entry is not null && entry.IsValidAt(now) ? Parse(entry) : null;

        Interlocked.Increment(ref discoveries);
        var discovery = await discover(domain, cancellationToken).ConfigureAwait(false);
        string id;
        switch (discovery)
        {
            case StsDiscoveryResult.Found found:
                id = found.Record.Id;
                break;
            case StsDiscoveryResult.TempFailure temp:
                if (refresh && cached is not null)
                {
                    id = entry!.PolicyId!;
                    break;
                }

                return cached is not null
                    ? new StsCacheOutcome(StsCacheOutcomeKind.Policy, cached, entry!.PolicyId, StsCacheSource.Cache, "TXT lookup failed (" + temp.Reason + "); the cached policy is still valid")
                    : new StsCacheOutcome(StsCacheOutcomeKind.TempFailure, null, null, StsCacheSource.Fetch, "TXT lookup of _mta-sts." + domain + " failed: " + temp.Reason);
            default:
                if (refresh && cached is not null)
                {
                    id = entry!.PolicyId!;
                    break;
                }

                return cached is not null
                    ? new StsCacheOutcome(StsCacheOutcomeKind.Policy, cached, entry!.PolicyId, StsCacheSource.Cache, "no MTA-STS TXT record; the cached policy is still valid (RFC 8461 §3.1)")
                    : new StsCacheOutcome(StsCacheOutcomeKind.NoPolicy, null, null, StsCacheSource.Fetch, "no MTA-STS TXT record");
        }

        if (!refresh && cached is not null && string.Equals(entry!.PolicyId, id, StringComparison.Ordinal))
        {
            return new StsCacheOutcome(StsCacheOutcomeKind.Policy, cached, id, StsCacheSource.Cache, "cached policy, id unchanged");
        }

        if (entry is { FailedId: { } failedId, FailedAt: { } failedAt } && string.Equals(failedId, id, StringComparison.Ordinal) && now - failedAt < options.FetchBackoff)
        {
            return cached is not null
                ? new StsCacheOutcome(StsCacheOutcomeKind.Policy, cached, entry.PolicyId, StsCacheSource.Cache, "fetch of id " + id + " failed recently; the cached policy is still valid")
                : new StsCacheOutcome(StsCacheOutcomeKind.Backoff, null, null, StsCacheSource.Fetch, "fetch of id " + id + " failed at " + failedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + "; next try after the backoff");
        }

        Interlocked.Increment(ref fetches);
        var result = await fetch(domain, cancellationToken).ConfigureAwait(false);
        string failure;
        if (result is StsPolicyFetchResult.Fetched ok)
        {
            var parsed = StsPolicyParser.Parse(ok.Body);
            if (parsed.IsValid)
            {
                var fetchedAt = time.GetUtcNow();
                var text = parsed.Policy.RawText ?? System.Text.Encoding.UTF8.GetString(ok.Body);
                await store.PutAsync(new StsCacheEntry(domain, id, text, fetchedAt, fetchedAt.AddSeconds(parsed.Policy.MaxAge), null, null), cancellationToken).ConfigureAwait(false);
                return new StsCacheOutcome(StsCacheOutcomeKind.Policy, parsed.Policy, id, StsCacheSource.Fetch, "fetched policy id " + id);
            }

            failure = "invalid policy: " + string.Join("; ", parsed.Findings.Where(f => f.Severity == Findings.Severity.Error).Select(f => f.Message));
        }
        else
        {
            failure = Describe(result);
        }

        Interlocked.Increment(ref fetchFailures);
        var failed = (entry ?? new StsCacheEntry(domain, null, null, null, null, null, null)) with { FailedId = id, FailedAt = time.GetUtcNow() };
        await store.PutAsync(failed, cancellationToken).ConfigureAwait(false);
        return cached is not null
            ? new StsCacheOutcome(StsCacheOutcomeKind.Policy, cached, entry!.PolicyId, StsCacheSource.Cache, "policy fetch failed (" + failure + "); the cached policy is still valid (RFC 8461 §3.3)")
            : new StsCacheOutcome(StsCacheOutcomeKind.NoPolicy, null, null, StsCacheSource.Fetch, "policy fetch failed: " + failure);
    }

    private static StsPolicy? Parse(StsCacheEntry entry)
    {
        var parsed = StsPolicyParser.Parse(entry.PolicyText!);
        return parsed.IsValid ? parsed.Policy : null;
    }

    private static string Describe(StsPolicyFetchResult result) => result switch
    {
        StsPolicyFetchResult.Redirect r => $"HTTP {r.Status} redirect (not followed)",
        StsPolicyFetchResult.HttpStatus h => $"HTTP {h.Status}",
        StsPolicyFetchResult.BadContentType b => "media type " + (b.ContentType ?? "missing") + " is not text/plain",
        StsPolicyFetchResult.TooLarge => "policy larger than the size cap",
        StsPolicyFetchResult.TlsFailure t => "TLS: " + t.Detail,
        StsPolicyFetchResult.Timeout t => "timeout at " + t.Stage,
        StsPolicyFetchResult.DnsFailure d => d.Detail,
        StsPolicyFetchResult.ConnectFailure c => c.Detail,
        _ => result.GetType().Name,
    };
}
