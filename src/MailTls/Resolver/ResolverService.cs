using System.Collections.Concurrent;
using System.Diagnostics;

namespace MailTls.Resolver;

/// <summary>Settings of <see cref="ResolverService"/> (from the configuration file).</summary>
public sealed record ResolverServiceOptions
{
    /// <summary>Reply options of maps without their own zone.</summary>
    public ResolverZone DefaultZone { get; init; } = new();

    /// <summary>Zones by socketmap name (mta-sts-daemon.yml <c>zones</c>).</summary>
    public IReadOnlyDictionary<string, ResolverZone> Zones { get; init; } = new Dictionary<string, ResolverZone>(StringComparer.Ordinal);

    /// <summary>How DANE precedence is expressed (<see cref="DaneMode.Off"/> skips the DNSSEC check).</summary>
    public DaneMode Dane { get; init; } = DaneMode.Auto;

    /// <summary>Answers are reused this long without any DNS lookup (mta-sts-daemon.yml <c>cache_grace</c>).</summary>
    public TimeSpan CacheGrace { get; init; } = Limits.ResolverCacheGrace;

    /// <summary>Answer <c>TEMP</c> (Postfix defers) when the TXT lookup fails temporarily and nothing is cached.</summary>
    public bool TempOnDnsFailure { get; init; } = true;

    /// <summary>Bound of the in-memory answer cache.</summary>
    public int MaxAnswers { get; init; } = Limits.ResolverMaxCachedAnswers;
}

/// <summary>
/// The resolver's decision logic: socketmap request → reply. Hot answers come from an in-memory map for
/// <see cref="ResolverServiceOptions.CacheGrace"/>; a miss runs the DANE check (<see cref="DanePrecedence"/>) and
/// the MTA-STS cache (<see cref="StsPolicyCache"/>) concurrently, coalesced per domain.
/// </summary>
public sealed class ResolverService
{
    private readonly ResolverServiceOptions options;
    private readonly StsPolicyCache cache;
    private readonly Func<string, CancellationToken, Task<DaneCheck>>? dane;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, (ResolverDecision Decision, long At)> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ResolverDecision>>> inFlight = new(StringComparer.Ordinal);

    // Ready replies by exact request payload ("name key"), netstring-encoded, valid as long as the decision they were
    // made from: the hot path answers them without decoding, parsing or allocating.
    private readonly ConcurrentDictionary<string, ReadyReply> ready = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReadyReply>.AlternateLookup<ReadOnlySpan<char>> readyLookup;

    public ResolverService(ResolverServiceOptions options, StsPolicyCache cache, Func<string, CancellationToken, Task<DaneCheck>>? dane, TimeProvider? time = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.cache = cache ?? throw new ArgumentNullException(nameof(cache));
        this.dane = options.Dane == DaneMode.Off ? null : dane;
        this.time = time ?? TimeProvider.System;
        readyLookup = ready.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public ResolverMetrics Metrics { get; } = new();

    public StsPolicyCache Cache => cache;

    public ResolverServiceOptions Options => options;

    /// <summary>Answers one socketmap request payload (<c>name SP key</c>).</summary>
    public ValueTask<string> AnswerAsync(ReadOnlySpan<byte> payload, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        Metrics.Query();
        if (!SocketmapRequest.TryParse(payload, out var request))
        {
            Metrics.Reply(ReplyKind.Perm, started);
            return ValueTask.FromResult(SocketmapReply.PermBadRequest);
        }

        var zone = options.Zones.TryGetValue(request.Name, out var z) ? z : options.DefaultZone;
        if (request.Domain is not { } domain)
        {
            Metrics.Reply(ReplyKind.NotFound, started);
            return ValueTask.FromResult(SocketmapReply.NotFound);
        }

        var now = time.GetTimestamp();
        if (answers.TryGetValue(domain, out var hot) && time.GetElapsedTime(hot.At, now) < Grace(hot.Decision))
        {
            Metrics.Hit();
            var reply = SocketmapReply.For(hot.Decision, zone, options.Dane);
            var kind = Kind(reply);
            Remember(request, reply, kind, hot.Decision, hot.At);
            Metrics.Reply(kind, started);
            return ValueTask.FromResult(reply);
        }

        return SlowAsync(request, domain, zone, started, cancellationToken);
    }

    /// <summary>
    /// The hot path: the netstring-encoded reply to <paramref name="payload"/> when an identical request was answered
    /// from a decision that is still fresh (within <see cref="ResolverServiceOptions.CacheGrace"/>), else null (then
    /// call <see cref="AnswerAsync"/>). No allocation; counted in the metrics like any other reply.
    /// </summary>
    public byte[]? TryAnswerReady(ReadOnlySpan<byte> payload)
    {
        if (payload.Length is 0 or > MaxReadyKey)
        {
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        Span<char> key = stackalloc char[payload.Length];
        if (System.Text.Ascii.ToUtf16(payload, key, out var written) != System.Buffers.OperationStatus.Done
            || !readyLookup.TryGetValue(key[..written], out var r)
            || time.GetTimestamp() >= r.Expires)
        {
            return null;
        }

        Metrics.Query();
        Metrics.Hit();
        Metrics.Reply(r.Kind, started);
        return r.Netstring;
    }

    /// <summary>The decision for <paramref name="domain"/> now (bypasses the in-memory answers; coalesced per domain).</summary>
    public Task<ResolverDecision> DecideAsync(string domain, CancellationToken cancellationToken = default)
    {
        // On the thread pool: the caller may be a socket I/O thread (inline completions), and the lookup begins with
        // synchronous work (the store) that must not hold it.
        var lazy = inFlight.GetOrAdd(domain, d => new Lazy<Task<ResolverDecision>>(() => Task.Run(() => ComputeAsync(d))));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the in-memory answers (after <c>cache flush</c>).</summary>
    public void ClearAnswers()
    {
        answers.Clear();
        ready.Clear();
    }

    private const int MaxReadyKey = 512;

    private static ReplyKind Kind(string reply) =>
        reply.StartsWith("OK secure", StringComparison.Ordinal) ? ReplyKind.Secure
        : reply.StartsWith("OK dane", StringComparison.Ordinal) ? ReplyKind.Dane
        : reply.StartsWith("TEMP", StringComparison.Ordinal) ? ReplyKind.Temp
        : ReplyKind.NotFound;

    private TimeSpan Grace(ResolverDecision d) =>
        d is ResolverDecision.Temporary && options.CacheGrace > Limits.ResolverTempAnswerGrace ? Limits.ResolverTempAnswerGrace : options.CacheGrace;

    private async ValueTask<string> SlowAsync(SocketmapRequest request, string domain, ResolverZone zone, long started, CancellationToken cancellationToken)
    {
        Metrics.Miss();
        var decision = await DecideAsync(domain, cancellationToken).ConfigureAwait(false);
        var reply = SocketmapReply.For(decision, zone, options.Dane);
        var kind = Kind(reply);
        if (answers.TryGetValue(domain, out var made) && ReferenceEquals(made.Decision, decision))
        {
            Remember(request, reply, kind, decision, made.At);
        }

        Metrics.Reply(kind, started);
        return reply;
    }

    private void Remember(SocketmapRequest request, string reply, ReplyKind kind, ResolverDecision decision, long madeAt)
    {
        var key = request.Name + " " + request.RawKey;
        if (key.Length > MaxReadyKey || !System.Text.Ascii.IsValid(key))
        {
            return;
        }

        if (ready.Count >= options.MaxAnswers)
        {
            ready.Clear();
        }

        ready[key] = new ReadyReply(Netstring.Encode(reply), madeAt + (long)(Grace(decision).TotalSeconds * time.TimestampFrequency), kind);
    }

    private sealed record ReadyReply(byte[] Netstring, long Expires, ReplyKind Kind);

    private async Task<ResolverDecision> ComputeAsync(string domain)
    {
        try
        {
            var daneTask = dane is null ? Task.FromResult<DaneCheck?>(null) : SafeDaneAsync(domain);
            StsCacheOutcome sts;
            try
            {
                sts = await cache.GetAsync(domain).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or IOException)
            {
                // The policy store is unreachable (PostgreSQL down, disk error): nothing can be said for sure.
                sts = new StsCacheOutcome(StsCacheOutcomeKind.TempFailure, null, null, StsCacheSource.Cache, "policy cache unavailable: " + e.Message);
            }

            var d = await daneTask.ConfigureAwait(false);
            ResolverDecision decision = d is { Governs: true }
                ? new ResolverDecision.Dane(domain, d.AllHostsHaveTlsa)
                : sts.Kind switch
                {
                    StsCacheOutcomeKind.Policy => new ResolverDecision.Sts(domain, sts.Policy!, sts.PolicyId!, sts.Source),
                    StsCacheOutcomeKind.TempFailure when options.TempOnDnsFailure => new ResolverDecision.Temporary(domain, sts.Reason),
                    _ => new ResolverDecision.NoPolicy(domain, sts.Reason),
                };
            if (answers.Count >= options.MaxAnswers)
            {
                answers.Clear();
            }

            answers[domain] = (decision, time.GetTimestamp());
            return decision;
        }
        finally
        {
            inFlight.TryRemove(domain, out _);
        }
    }

    private async Task<DaneCheck?> SafeDaneAsync(string domain)
    {
        try
        {
            return await dane!(domain, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return new DaneCheck(false, false, "DANE check failed: " + e.Message);
        }
    }
}

/// <summary>Reply classes counted by <see cref="ResolverMetrics"/>.</summary>
public enum ReplyKind
{
    Secure = 0,
    Dane = 1,
    NotFound = 2,
    Temp = 3,
    Perm = 4,
}

/// <summary>Counters and a latency histogram, rendered in the Prometheus text format.</summary>
public sealed class ResolverMetrics
{
    private static readonly double[] Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
    private readonly long[] replies = new long[5];
    private readonly long[] bucketCounts = new long[Buckets.Length + 1];
    private long queries;
    private long hits;
    private long misses;
    private long latencyTicks;
    private long connections;

    public long Queries => Interlocked.Read(ref queries);

    public long Hits => Interlocked.Read(ref hits);

    public long Misses => Interlocked.Read(ref misses);

    public long Replies(ReplyKind kind) => Interlocked.Read(ref replies[(int)kind]);

    internal void Query() => Interlocked.Increment(ref queries);

    internal void Hit() => Interlocked.Increment(ref hits);

    internal void Miss() => Interlocked.Increment(ref misses);

    internal void Connection() => Interlocked.Increment(ref connections);

    internal void Reply(ReplyKind kind, long started)
    {
        Interlocked.Increment(ref replies[(int)kind]);
        var ticks = Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref latencyTicks, ticks);
        var seconds = (double)ticks / Stopwatch.Frequency;
        var i = 0;
        while (i < Buckets.Length && seconds > Buckets[i])
        {
            i++;
        }

        Interlocked.Increment(ref bucketCounts[i]);
    }

    /// <summary>Prometheus text exposition (version 0.0.4).</summary>
    public string ToPrometheus(StsPolicyCache? cache = null)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("# TYPE mailtls_resolver_queries_total counter").Append(ci, $"mailtls_resolver_queries_total {Queries}\n");
        sb.AppendLine("# TYPE mailtls_resolver_cache_hits_total counter").Append(ci, $"mailtls_resolver_cache_hits_total {Hits}\n");
        sb.AppendLine("# TYPE mailtls_resolver_cache_misses_total counter").Append(ci, $"mailtls_resolver_cache_misses_total {Misses}\n");
        sb.AppendLine("# TYPE mailtls_resolver_connections_total counter").Append(ci, $"mailtls_resolver_connections_total {Interlocked.Read(ref connections)}\n");
        sb.AppendLine("# TYPE mailtls_resolver_replies_total counter");
        foreach (var k in Enum.GetValues<ReplyKind>())
        {
            sb.Append(ci, $"mailtls_resolver_replies_total{{kind=\"{k.ToString().ToLowerInvariant()}\"}} {Replies(k)}\n");
        }

        if (cache is not null)
        {
            sb.AppendLine("# TYPE mailtls_resolver_policy_fetches_total counter").Append(ci, $"mailtls_resolver_policy_fetches_total {cache.Fetches}\n");
            sb.AppendLine("# TYPE mailtls_resolver_policy_fetch_failures_total counter").Append(ci, $"mailtls_resolver_policy_fetch_failures_total {cache.FetchFailures}\n");
        }

        sb.AppendLine("# TYPE mailtls_resolver_reply_seconds histogram");
        long cumulative = 0;
        for (var i = 0; i < Buckets.Length; i++)
        {
            cumulative += Interlocked.Read(ref bucketCounts[i]);
            sb.Append(ci, $"mailtls_resolver_reply_seconds_bucket{{le=\"{Buckets[i]}\"}} {cumulative}\n");
        }

        cumulative += Interlocked.Read(ref bucketCounts[^1]);
        sb.Append(ci, $"mailtls_resolver_reply_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n");
        sb.Append(ci, $"mailtls_resolver_reply_seconds_sum {(double)Interlocked.Read(ref latencyTicks) / Stopwatch.Frequency}\n");
        sb.Append(ci, $"mailtls_resolver_reply_seconds_count {cumulative}\n");
        return sb.ToString();
    }
}
