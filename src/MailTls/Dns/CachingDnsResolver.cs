using System.Collections.Concurrent;
using MailTls.Dns.Wire;

namespace MailTls.Dns;

/// <summary>
/// An in-run cache over another <see cref="IDnsResolver"/>, shared by concurrent callers: concurrent identical
/// questions share one upstream query (coalescing), and the completed response is reused for the rest of the
/// run. Timeouts are not kept (the next caller tries again); other outcomes, including SERVFAIL and NXDOMAIN,
/// are, so one run sees one consistent view of the DNS. Bounded by <see cref="Limits.DnsCacheMaxEntries"/>.
/// </summary>
public sealed class CachingDnsResolver : IDnsResolver
{
    private readonly IDnsResolver inner;
    private readonly ConcurrentDictionary<(string Name, DnsRecordType Type), Lazy<Task<DnsResponse>>> entries = new();

    private readonly int maxEntries;

    public CachingDnsResolver(IDnsResolver inner, int maxEntries = Limits.DnsCacheMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(inner);
        this.inner = inner;
        this.maxEntries = Math.Max(1, maxEntries);
    }

    /// <summary>Number of responses held (in flight or completed).</summary>
    public int Count => entries.Count;

    public async Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        var key = (WireName.Normalize(name) ?? name, type);
        var lazy = entries.GetOrAdd(key, k => new Lazy<Task<DnsResponse>>(() => FetchAsync(k)));
        return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<DnsResponse> FetchAsync((string Name, DnsRecordType Type) key)
    {
        // The shared query must not die with the first caller's token; its own deadline bounds it.
        DnsResponse response;
        try
        {
            response = await inner.QueryAsync(key.Name, key.Type, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            entries.TryRemove(key, out _);
            throw;
        }

        if (response.Status == DnsAnswerStatus.Timeout || entries.Count > maxEntries)
        {
            entries.TryRemove(key, out _);
        }

        return response;
    }
}
