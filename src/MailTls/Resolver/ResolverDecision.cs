using MailTls.MtaSts;

namespace MailTls.Resolver;

/// <summary>What the resolver decided for one domain (independent of the zone's reply options).</summary>
public abstract record ResolverDecision(string Domain)
{
    /// <summary>A valid MTA-STS policy applies (any mode; the zone decides whether testing is enforced).</summary>
    public sealed record Sts(string Domain, StsPolicy Policy, string PolicyId, StsCacheSource Source) : ResolverDecision(Domain);

    /// <summary>The MX RRset and TLSA records are DNSSEC-secure: DANE governs (RFC 8461 §2).</summary>
    public sealed record Dane(string Domain, bool AllHostsHaveTlsa) : ResolverDecision(Domain);

    /// <summary>No policy: no record, mode none, or a fetch failure with nothing valid cached (RFC 8461 §3.3).</summary>
    public sealed record NoPolicy(string Domain, string Reason) : ResolverDecision(Domain);

    /// <summary>A transient failure (DNS SERVFAIL or timeout) with nothing valid cached.</summary>
    public sealed record Temporary(string Domain, string Reason) : ResolverDecision(Domain);
}

/// <summary>How the DANE precedence is expressed to Postfix.</summary>
public enum DaneMode
{
    /// <summary><c>dane-only</c> when every MX host has secure TLSA records, <c>dane</c> otherwise.</summary>
    Auto = 0,

    /// <summary>Always <c>dane-only</c>.</summary>
    DaneOnly = 1,

    /// <summary>Always <c>dane</c> (opportunistic DANE).</summary>
    Dane = 2,

    /// <summary>No DANE check: MTA-STS only, exactly like postfix-mta-sts-resolver.</summary>
    Off = 3,
}

/// <summary>Per-zone reply options (mta-sts-daemon.yml <c>default_zone</c> / <c>zones.NAME</c>).</summary>
public sealed record ResolverZone
{
    /// <summary>Enforce <c>testing</c> policies (non-compliant with RFC 8461 §5; off by default).</summary>
    public bool StrictTesting { get; init; }

    /// <summary>Add <c>servername=hostname</c> (Postfix ≥ 3.4).</summary>
    public bool RequireSni { get; init; } = true;

    /// <summary>Add the TLSRPT attributes for Postfix ≥ 3.10.</summary>
    public bool TlsRpt { get; init; }

    /// <summary>DNS and policy fetch deadline (mta-sts-daemon.yml <c>timeout</c>).</summary>
    public TimeSpan Timeout { get; init; } = Limits.ResolverFetchTimeout;
}

/// <summary>Builds socketmap replies compatible with postfix-mta-sts-resolver (notes §4.1).</summary>
public static class SocketmapReply
{
    /// <summary>The reply for keys that are not looked up and for domains without an enforced policy.</summary>
    public const string NotFound = "NOTFOUND ";

    /// <summary>Reply for a malformed request (no space between name and key).</summary>
    public const string PermBadRequest = "PERM malformed request";

    /// <summary>Formats <paramref name="decision"/> for <paramref name="zone"/>.</summary>
    public static string For(ResolverDecision decision, ResolverZone zone, DaneMode daneMode)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(zone);
        switch (decision)
        {
            case ResolverDecision.Dane d:
                return daneMode switch
                {
                    DaneMode.DaneOnly => "OK dane-only",
                    DaneMode.Dane => "OK dane",
                    _ => d.AllHostsHaveTlsa ? "OK dane-only" : "OK dane",
                };
            case ResolverDecision.Temporary t:
                return "TEMP " + Sanitize(t.Reason);
            case ResolverDecision.Sts s when s.Policy.Mode == StsMode.Enforce || (s.Policy.Mode == StsMode.Testing && zone.StrictTesting):
                return Secure(s.Domain, s.Policy, zone);
            default:
                return NotFound;
        }
    }

    /// <summary><c>OK secure match=…[ servername=hostname][ TLSRPT attributes]</c>.</summary>
    public static string Secure(string domain, StsPolicy policy, ResolverZone zone)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        var patterns = policy.Mx.Select(m => m.Text.StartsWith('*') ? m.Text[1..] : m.Text).Distinct(StringComparer.Ordinal);
        var sb = new System.Text.StringBuilder("OK secure match=");
        sb.Append(string.Join(':', patterns));
        if (zone.RequireSni)
        {
            sb.Append(" servername=hostname");
        }

        if (zone.TlsRpt)
        {
            sb.Append(" policy_type=sts policy_domain=").Append(domain);
            foreach (var m in policy.Mx)
            {
                sb.Append(" mx_host_pattern=").Append(m.Text);
            }

            foreach (var line in PolicyLines(policy))
            {
                sb.Append(" { policy_string = ").Append(line).Append(" }");
            }
        }

        return sb.ToString();
    }

    private static IEnumerable<string> PolicyLines(StsPolicy policy)
    {
        yield return "version: " + policy.Version;
        yield return "mode: " + policy.Mode.ToWireName();
        foreach (var m in policy.Mx)
        {
            yield return "mx: " + m.Text;
        }

        yield return "max_age: " + policy.MaxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Sanitize(string reason)
    {
        var s = new string([.. reason.Select(c => char.IsControl(c) ? ' ' : c)]);
        return s.Length > 200 ? s[..200] : s;
    }
}
