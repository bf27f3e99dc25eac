using System.Security.Cryptography.X509Certificates;
using MailTls.Dns;

namespace MailTls.Audit;

/// <summary>What the relevant CAA RRset says about an issuer (RFC 8659 §4).</summary>
public enum CaaVerdict
{
    /// <summary>No CAA RRset up to the root: any CA may issue.</summary>
    NoRecords,

    /// <summary>The issuer's domain is listed (or the set has no issue/issuewild property for this case).</summary>
    Permitted,

    /// <summary>The set restricts issuance and the issuer is not listed (or a critical unknown property forbids all).</summary>
    Forbidden,

    /// <summary>The set restricts issuance but the issuer's CAA identifier is not known.</summary>
    UnknownIssuer,
}

/// <summary>
/// CAA evaluation (RFC 8659): the relevant RRset is the first non-empty CAA RRset found climbing from the name to the
/// root (§3, CNAMEs followed by the DNS layer); <c>issue</c> (or <c>issuewild</c> for a wildcard name, falling back to
/// <c>issue</c>) lists the issuer-domain-names that may issue; an empty value forbids all; a critical property with an
/// unknown tag forbids all (§4.1). Pure.
/// </summary>
public static class CaaEvaluator
{
    private static readonly HashSet<string> KnownTags = new(StringComparer.OrdinalIgnoreCase) { "issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone" };

    /// <summary>Evaluates <paramref name="records"/> (the relevant RRset) for an issuer with CAA identifiers <paramref name="issuerDomains"/> (empty: unknown issuer).</summary>
    public static CaaVerdict Evaluate(IReadOnlyList<CaaData> records, IReadOnlyCollection<string> issuerDomains, bool wildcard = false)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(issuerDomains);
        if (records.Count == 0)
        {
            return CaaVerdict.NoRecords;
        }

        if (records.Any(IsCriticalUnknown))
        {
            return CaaVerdict.Forbidden;
        }

        var issue = records.Where(r => string.Equals(r.Tag, "issue", StringComparison.OrdinalIgnoreCase)).ToList();
        var relevant = issue;
        if (wildcard)
        {
            var wild = records.Where(r => string.Equals(r.Tag, "issuewild", StringComparison.OrdinalIgnoreCase)).ToList();
            if (wild.Count > 0)
            {
                relevant = wild;
            }
        }

        if (relevant.Count == 0)
        {
            return CaaVerdict.Permitted;
        }

        var allowed = relevant.Select(r => IssuerDomain(r.Value)).Where(d => d.Length > 0).ToList();
        if (allowed.Count == 0)
        {
            return CaaVerdict.Forbidden;
        }

        if (issuerDomains.Count == 0)
        {
            return CaaVerdict.UnknownIssuer;
        }

        return allowed.Any(a => issuerDomains.Any(d => string.Equals(a, d.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)))
            ? CaaVerdict.Permitted
            : CaaVerdict.Forbidden;
    }

    /// <summary>True for a record with the issuer-critical flag (bit 0, value 128) and a tag this evaluator does not know.</summary>
    public static bool IsCriticalUnknown(CaaData record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (record.Flags & 0x80) != 0 && !KnownTags.Contains(record.Tag);
    }

    /// <summary>The issuer-domain-name of an issue/issuewild value (RFC 8659 §4.2: before ';', whitespace trimmed).</summary>
    public static string IssuerDomain(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var semi = value.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? value : value[..semi]).Trim().TrimEnd('.');
    }

    /// <summary>The issuer-domain-names allowed by the relevant set (for display).</summary>
    public static IReadOnlyList<string> AllowedIssuers(IReadOnlyList<CaaData> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return [.. records.Where(r => string.Equals(r.Tag, "issue", StringComparison.OrdinalIgnoreCase)).Select(r => IssuerDomain(r.Value)).Where(d => d.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Names visited when climbing from <paramref name="name"/> to the last label before the root (RFC 8659 §3).</summary>
    public static IReadOnlyList<string> Climb(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var labels = name.TrimEnd('.').Split('.');
        var names = new List<string>();
        for (var i = 0; i < labels.Length && i < Limits.CaaMaxClimb; i++)
        {
            names.Add(string.Join('.', labels[i..]));
        }

        return names;
    }
}

/// <summary>
/// Maps a certificate's issuing CA to the CAA issuer-domain-names it checks (the CAA identifiers CAs disclose in the
/// CCADB). Built-in entries cover the CAs that issue most MX and web certificates; more come from
/// <c>ORG=DOMAIN[,DOMAIN]</c> entries (the <c>--caa-issuer</c> option or <c>MAILTLS_CAA_ISSUERS</c>, separated by ';').
/// An entry matches when the issuer's O or CN attribute contains the key (case-insensitive).
/// </summary>
public sealed class CaaIssuerTable
{
    private static readonly (string Key, string[] Domains)[] BuiltIn =
    [
        ("Let's Encrypt", ["letsencrypt.org"]),
        ("DigiCert", ["digicert.com", "symantec.com", "geotrust.com", "rapidssl.com", "thawte.com"]),
        ("Sectigo", ["sectigo.com", "comodoca.com", "comodo.com", "usertrust.com", "trust-provider.com"]),
        ("ZeroSSL", ["sectigo.com", "zerossl.com"]),
        ("Google Trust Services", ["pki.goog"]),
        ("GlobalSign", ["globalsign.com"]),
        ("Amazon", ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"]),
        ("Buypass", ["buypass.com", "buypass.no"]),
        ("Entrust", ["entrust.net", "affirmtrust.com"]),
        ("GoDaddy", ["godaddy.com", "starfieldtech.com"]),
        ("SSL Corporation", ["ssl.com"]),
        ("Microsoft Corporation", ["microsoft.com"]),
        ("Certum", ["certum.pl", "certum.eu"]),
        ("Asseco", ["certum.pl", "certum.eu"]),
        ("HARICA", ["harica.gr"]),
        ("Actalis", ["actalis.it"]),
        ("IdenTrust", ["identrust.com"]),
    ];

    private readonly List<(string Key, string[] Domains)> entries;

    public CaaIssuerTable(IEnumerable<(string Key, string[] Domains)>? extra = null)
    {
        entries = [.. extra ?? [], .. BuiltIn];
    }

    public static CaaIssuerTable Default { get; } = new();

    /// <summary>Parses <c>ORG=DOMAIN[,DOMAIN][;ORG=DOMAIN…]</c>; returns null entries for malformed parts.</summary>
    public static IReadOnlyList<(string Key, string[] Domains)> Parse(string? text, out IReadOnlyList<string> errors)
    {
        var list = new List<(string, string[])>();
        var errs = new List<string>();
        foreach (var part in (text ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.LastIndexOf('=');
            var domains = eq > 0 ? part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (eq <= 0 || domains.Length == 0 || domains.Any(d => DnsName.TryNormalize(d) is null))
            {
                errs.Add($"'{part}': expected ORG=DOMAIN[,DOMAIN]");
                continue;
            }

            list.Add((part[..eq].Trim(), domains));
        }

        errors = errs;
        return list;
    }

    /// <summary>The CAA identifiers of the CA that issued <paramref name="leaf"/> (empty when unknown).</summary>
    public IReadOnlyList<string> DomainsFor(X509Certificate2 leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var org = leaf.IssuerName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value is "2.5.4.10" or "2.5.4.3")
            .Select(r => r.GetSingleElementValue() ?? string.Empty)
            .ToList();
        foreach (var (key, domains) in entries)
        {
            if (org.Any(o => o.Contains(key, StringComparison.OrdinalIgnoreCase)))
            {
                return domains;
            }
        }

        return [];
    }

    /// <summary>The issuer's O (or CN) for display.</summary>
    public static string IssuerName(X509Certificate2 leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var rdns = leaf.IssuerName.EnumerateRelativeDistinguishedNames().ToList();
        return rdns.FirstOrDefault(r => r.GetSingleElementType().Value == "2.5.4.10")?.GetSingleElementValue()
            ?? rdns.FirstOrDefault(r => r.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue()
            ?? leaf.Issuer;
    }
}
