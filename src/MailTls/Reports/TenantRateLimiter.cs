using System.Collections.Concurrent;

namespace MailTls.Reports;

/// <summary>
/// Per-tenant token bucket for the HTTPS report receiver (issue 8 §5): each tenant may post
/// <see cref="Limits.ReportTenantBurst"/> reports at once and <see cref="Limits.ReportTenantRatePerMinute"/> per
/// minute after that. A refusal says when to retry (HTTP 429 Retry-After). Thread-safe; time from a TimeProvider.
/// </summary>
public sealed class TenantRateLimiter(int ratePerMinute = Limits.ReportTenantRatePerMinute, int burst = Limits.ReportTenantBurst, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    /// <summary>Takes one token for <paramref name="tenant"/>; false with the wait until the next token when empty.</summary>
    public bool TryAcquire(string tenant, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var bucket = buckets.GetOrAdd(tenant, _ => new Bucket(burst, clock.GetTimestamp()));
        lock (bucket)
        {
            var now = clock.GetTimestamp();
            var elapsed = clock.GetElapsedTime(bucket.Stamp, now);
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed.TotalMinutes * ratePerMinute));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromMinutes((1 - bucket.Tokens) / ratePerMinute);
            return false;
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
