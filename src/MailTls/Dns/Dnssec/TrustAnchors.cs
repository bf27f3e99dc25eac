using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>Result of <see cref="TrustAnchors.Load"/>: the anchors, or the errors (one per bad line).</summary>
public sealed record TrustAnchorLoadResult(TrustAnchors? Anchors, IReadOnlyList<string> Errors)
{
    public bool Success => Anchors is not null;
}

/// <summary>
/// DNSSEC trust anchors (RFC 4033 §2, RFC 7958): DS or DNSKEY records for one or more zones. Built in: the IANA
/// root KSK-2017 (20326) and KSK-2024 (38696) DS records, so the validator keeps working across the 2026 root
/// KSK rollover. A file in DS or DNSKEY presentation format replaces them (the lab uses its own root).
/// </summary>
public sealed class TrustAnchors
{
    private const string BuiltInText =
        ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n" +
        ". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";

    private TrustAnchors(IReadOnlyList<DnsRecord> records)
    {
        Records = records;
    }

    /// <summary>The IANA root anchors (KSK-2017 and KSK-2024).</summary>
    public static TrustAnchors BuiltIn { get; } = Load(BuiltInText).Anchors!;

    /// <summary>DS and DNSKEY records, owner names normalised.</summary>
    public IReadOnlyList<DnsRecord> Records { get; }

    /// <summary>Zones with an anchor.</summary>
    public IEnumerable<string> Zones => Records.Select(r => r.Name).Distinct(StringComparer.Ordinal);

    /// <summary>The deepest anchored zone at or above <paramref name="name"/>, or null.</summary>
    public string? ClosestZone(string name) =>
        Zones.Where(z => NameOps.IsAtOrBelow(name, z)).OrderByDescending(NameOps.LabelCount).FirstOrDefault();

    /// <summary>
    /// Parses anchors: one DS or DNSKEY record per logical line in presentation format (RFC 4034 §§2.2, 5.3),
    /// e.g. <c>. IN DS 20326 8 2 E06D…</c> or <c>. 172800 IN DNSKEY 257 3 8 AwEAA…</c>. Comments (<c>;</c>),
    /// blank lines and records split over lines with parentheses are accepted. Never throws on bad input.
    /// </summary>
    public static TrustAnchorLoadResult Load(string? text)
    {
        if (text is null || text.Length > Limits.TrustAnchorFileMaxChars)
        {
            return new TrustAnchorLoadResult(null, ["trust anchor text missing or larger than " + Limits.TrustAnchorFileMaxChars + " characters"]);
        }

        var errors = new List<string>();
        var records = new List<DnsRecord>();
        foreach (var (logical, number) in LogicalLines(text))
        {
            var parsed = RecordText.Parse(logical);
            if (parsed.Record is not { } r)
            {
                errors.Add($"line {number}: {parsed.Error}");
                continue;
            }

            if (r.Type == DnsRecordType.DS && RecordData.Ds(r) is not null)
            {
                records.Add(r);
            }
            else if (r.Type == DnsRecordType.DNSKEY && RecordData.Dnskey(r) is { } key && key.Protocol == 3 && key.IsZoneKey)
            {
                records.Add(r);
            }
            else
            {
                errors.Add($"line {number}: only DS records and zone-key DNSKEY records (protocol 3) can be trust anchors");
            }
        }

        if (records.Count == 0 && errors.Count == 0)
        {
            errors.Add("no DS or DNSKEY record found");
        }

        return errors.Count == 0 ? new TrustAnchorLoadResult(new TrustAnchors(records), []) : new TrustAnchorLoadResult(null, errors);
    }

    /// <summary>Joins parenthesised records (RFC 1035 §5.1) and drops comments and blank lines.</summary>
    private static IEnumerable<(string Text, int Line)> LogicalLines(string text)
    {
        var current = new System.Text.StringBuilder();
        var depth = 0;
        var start = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]);
            if (depth == 0)
            {
                start = i + 1;
            }

            foreach (var c in line)
            {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            }

            current.Append(' ').Append(line);
            if (depth <= 0)
            {
                depth = 0;
                var logical = current.ToString().Trim();
                current.Clear();
                if (logical.Length > 0)
                {
                    yield return (logical, start);
                }
            }
        }

        if (current.ToString().Trim().Length > 0)
        {
            yield return (current.ToString().Trim(), start);
        }
    }

    private static string StripComment(string line)
    {
        var inQuotes = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"' && (i == 0 || line[i - 1] != '\\'))
            {
                inQuotes = !inQuotes;
            }
            else if (line[i] == ';' && !inQuotes)
            {
                return line[..i];
            }
        }

        return line.TrimEnd('\r');
    }
}
