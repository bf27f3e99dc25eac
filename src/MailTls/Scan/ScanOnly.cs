using MailTls.Audit;

namespace MailTls.Scan;

/// <summary><c>scan --only mta-sts,tls-rpt,dane,dnssec,smtp,caa</c> → <see cref="AuditParts"/>.</summary>
public static class ScanOnly
{
    public static readonly IReadOnlyDictionary<string, AuditParts> Names = new Dictionary<string, AuditParts>(StringComparer.OrdinalIgnoreCase)
    {
        ["mta-sts"] = AuditParts.MtaSts,
        ["tls-rpt"] = AuditParts.TlsRpt,
        ["dane"] = AuditParts.Dane,
        ["dnssec"] = AuditParts.Dnssec,
        ["smtp"] = AuditParts.Smtp,
        ["caa"] = AuditParts.Caa,
    };

    /// <summary>Parses comma-separated part names (repeatable option values are joined); null/empty → all parts.</summary>
    public static AuditParts Parse(IEnumerable<string>? values, out string? error)
    {
        error = null;
        var parts = AuditParts.None;
        var any = false;
        foreach (var value in values ?? [])
        {
            foreach (var raw in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                any = true;
                if (!Names.TryGetValue(raw, out var p))
                {
                    error = $"unknown --only part '{raw}' (expected: {string.Join(", ", Names.Keys)})";
                    return AuditParts.None;
                }

                parts |= p;
            }
        }

        return any ? parts : AuditParts.All;
    }

    /// <summary>The canonical comma-separated names of <paramref name="parts"/>.</summary>
    public static string Format(AuditParts parts) => string.Join(",", Names.Where(kv => parts.HasFlag(kv.Value)).Select(kv => kv.Key));
}
