using MailTls.Audit;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Scan;

/// <summary>A host and its slowest STARTTLS probe in a scan.</summary>
public sealed record ScanSlowHost(string Host, string Address, double Seconds);

/// <summary>
/// Counters of a scan, updated as each domain completes: only counts and a few bounded top lists are kept (never the
/// domains' results), so memory stays flat in the number of domains. Thread-safe.
/// </summary>
public sealed class ScanSummary
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> errorsByCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> findingsByCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> stsModes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> slowest = new(StringComparer.Ordinal);

    public int Domains { get; private set; }

    public int Skipped { get; private set; }

    public int InvalidLines { get; private set; }

    public int WithMtaSts { get; private set; }

    public int WithMtaStsRecord { get; private set; }

    public int WithTlsRpt { get; private set; }

    public int WithDane { get; private set; }

    public int DnssecSigned { get; private set; }

    public int WithErrors { get; private set; }

    public int Incomplete { get; private set; }

    public int NullMx { get; private set; }

    public double ElapsedSecondsTotal { get; private set; }

    public IReadOnlyDictionary<string, int> ErrorsByCode { get { lock (gate) { return new SortedDictionary<string, int>(errorsByCode, StringComparer.Ordinal); } } }

    public IReadOnlyDictionary<string, int> StsModes { get { lock (gate) { return new SortedDictionary<string, int>(stsModes, StringComparer.Ordinal); } } }

    /// <summary>The most frequent finding codes (any severity), most frequent first, ties by code.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> TopFindings(int count = Limits.ScanSummaryTopRows)
    {
        lock (gate)
        {
            return [.. findingsByCode.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(count)];
        }
    }

    /// <summary>The hosts with the slowest probes (one row per host and address), slowest first.</summary>
    public IReadOnlyList<ScanSlowHost> SlowestHosts(int count = Limits.ScanSummaryTopRows)
    {
        lock (gate)
        {
            return [.. slowest.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(count)
                .Select(kv => { var p = kv.Key.Split(' ', 2); return new ScanSlowHost(p[0], p[1], Math.Round(kv.Value, 3)); })];
        }
    }

    public void AddSkipped(int count)
    {
        lock (gate)
        {
            Skipped += count;
        }
    }

    public void AddInvalidLine()
    {
        lock (gate)
        {
            InvalidLines++;
        }
    }

    /// <summary>Counts one completed domain.</summary>
    public void Add(DomainAuditResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (gate)
        {
            Domains++;
            ElapsedSecondsTotal += result.Elapsed.TotalSeconds;
            if (!result.Completed)
            {
                Incomplete++;
            }

            if (result.NullMx)
            {
                NullMx++;
            }

            if (result.MtaSts.Discovery is StsDiscoveryResult.Found)
            {
                WithMtaStsRecord++;
            }

            if (result.MtaSts.Policy is { } policy)
            {
                WithMtaSts++;
                Increment(stsModes, policy.Mode.ToWireName());
            }
            else if (result.MtaSts.Discovery is StsDiscoveryResult.Found)
            {
                Increment(stsModes, "unusable");
            }

            if (result.TlsRpt.Selection?.ParseResult?.Record is not null)
            {
                WithTlsRpt++;
            }

            if (result.Mx.Count > 0 && result.Mx.Any(m => m.Tlsa.State == DaneState.Usable))
            {
                WithDane++;
            }

            if (result.Dnssec?.Status == Dns.Dnssec.DnssecStatus.Secure)
            {
                DnssecSigned++;
            }

            var hasError = false;
            foreach (var code in result.Findings.Select(f => f.Code).Distinct(StringComparer.Ordinal))
            {
                Increment(findingsByCode, code);
            }

            foreach (var code in result.Findings.Where(f => f.Severity == Severity.Error).Select(f => f.Code).Distinct(StringComparer.Ordinal))
            {
                hasError = true;
                Increment(errorsByCode, code);
            }

            if (hasError)
            {
                WithErrors++;
            }

            foreach (var m in result.Mx)
            {
                foreach (var a in m.Addresses)
                {
                    if (a.Probe is { } p)
                    {
                        var key = m.Host + " " + a.Address;
                        if (!slowest.TryGetValue(key, out var s) || p.Elapsed.TotalSeconds > s)
                        {
                            slowest[key] = p.Elapsed.TotalSeconds;
                            Trim();
                        }
                    }
                }
            }
        }
    }

    private void Trim()
    {
        // Keep the slow-host table bounded: drop the fastest when it grows past a multiple of the rows shown.
        if (slowest.Count > Limits.ScanSummaryTopRows * 100)
        {
            foreach (var kv in slowest.OrderBy(kv => kv.Value).Take(slowest.Count - (Limits.ScanSummaryTopRows * 50)).ToList())
            {
                slowest.Remove(kv.Key);
            }
        }
    }

    private static void Increment(Dictionary<string, int> map, string key) =>
        map[key] = map.TryGetValue(key, out var n) ? n + 1 : 1;
}
