using System.Security.Cryptography;
using MailTls.Dns.Wire;

namespace MailTls.Dns.Dnssec;

/// <summary>Outcome of a denial-of-existence proof.</summary>
internal enum DenialOutcome
{
    /// <summary>Proven.</summary>
    Proven,

    /// <summary>Proven only up to an NSEC3 opt-out span: an unsigned delegation may exist (RFC 5155 §6, §8.6).</summary>
    OptOut,

    /// <summary>The records do not prove it.</summary>
    NotProven,

    /// <summary>NSEC3 with more iterations than <see cref="Limits.Nsec3MaxIterations"/> (RFC 9276 §3.2: insecure).</summary>
    TooManyIterations,
}

/// <summary>What a DS denial says about a name below a secure zone while walking the chain down.</summary>
internal enum DelegationOutcome
{
    NotACut,
    InsecureDelegation,
    InsecureOptOut,
    NameMissing,
    Bogus,
    TooManyIterations,
}

/// <summary>
/// NSEC (RFC 4035 §5.4, RFC 6840 §4.1) and NSEC3 (RFC 5155 §8) proofs over records whose signatures were already
/// verified. Names are in this layer's text form; <c>zone</c> is the apex of the zone that signed the records.
/// </summary>
internal sealed class DenialProofs
{
    private readonly string zone;
    private readonly List<(string Owner, NsecData Data)> nsecs;
    private readonly List<(string Owner, byte[] Hash, Nsec3Data Data)> nsec3s;

    public DenialProofs(string zone, IEnumerable<DnsRecord> verified)
    {
        this.zone = zone;
        nsecs = [.. verified.Where(r => r.Type == DnsRecordType.NSEC && NameOps.IsAtOrBelow(r.Name, zone))
            .Select(r => (r.Name, RecordData.Nsec(r)!)).Where(x => x.Item2 is not null)];
        nsec3s = [];
        foreach (var r in verified.Where(r => r.Type == DnsRecordType.NSEC3 && NameOps.Equal(NameOps.Parent(r.Name), zone)))
        {
            var label = r.Name.Split('.')[0];
            if (RecordData.Nsec3(r) is { HashAlgorithm: 1 } data && Base32Hex.Decode(label) is { Length: 20 } hash)
            {
                nsec3s.Add((r.Name, hash, data));
            }
        }
    }

    public bool HasNsec => nsecs.Count > 0;

    public bool HasNsec3 => nsec3s.Count > 0;

    public bool Nsec3TooExpensive => nsec3s.Count > 0 && nsec3s.All(x => x.Data.Iterations > Limits.Nsec3MaxIterations);

    /// <summary>RFC 5155 §5: IH(salt, x, k) over the lower-case wire name.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "NSEC3 hash algorithm 1 is SHA-1 by definition (RFC 5155 §5).")]
    public static byte[] Nsec3Hash(string name, ReadOnlySpan<byte> salt, int iterations)
    {
        var input = NameOps.Wire(name);
        var buffer = new byte[input.Length + salt.Length];
        input.CopyTo(buffer, 0);
        salt.CopyTo(buffer.AsSpan(input.Length));
        var hash = SHA1.HashData(buffer);
        var round = new byte[hash.Length + salt.Length];
        salt.CopyTo(round.AsSpan(hash.Length));
        for (var i = 0; i < iterations; i++)
        {
            hash.CopyTo(round, 0);
            hash = SHA1.HashData(round);
        }

        return hash;
    }

    /// <summary>NODATA: <paramref name="name"/> exists without <paramref name="type"/> (and without CNAME).</summary>
    public DenialOutcome ProveNoData(string name, DnsRecordType type)
    {
        if (HasNsec)
        {
            var match = nsecs.FirstOrDefault(n => n.Owner == name);
            if (match.Data is not null)
            {
                var t = match.Data.Types;
                var delegation = t.Contains(DnsRecordType.NS) && !t.Contains(DnsRecordType.SOA);
                return !t.Contains(type) && !t.Contains(DnsRecordType.CNAME) && (type == DnsRecordType.DS || !delegation) ? DenialOutcome.Proven : DenialOutcome.NotProven;
            }

            // Empty non-terminal (RFC 4035 §3.1.3.2): an NSEC covers the name and its next name lies below it.
            if (nsecs.Any(n => Covers(n.Owner, n.Data.NextName, name) && NameOps.IsAtOrBelow(n.Data.NextName, name) && !n.Data.NextName.Equals(name, StringComparison.Ordinal)))
            {
                return DenialOutcome.Proven;
            }

            // Wildcard NODATA (RFC 4035 §3.1.3.4): the name is covered and the wildcard at the closest encloser lacks the type.
            var cover = nsecs.FirstOrDefault(n => Covers(n.Owner, n.Data.NextName, name));
            if (cover.Data is not null)
            {
                var wildcard = NameOps.Wildcard(ClosestEncloser(name, cover.Owner, cover.Data.NextName));
                var w = nsecs.FirstOrDefault(n => n.Owner == wildcard);
                if (w.Data is not null && !w.Data.Types.Contains(type) && !w.Data.Types.Contains(DnsRecordType.CNAME))
                {
                    return DenialOutcome.Proven;
                }
            }

            return DenialOutcome.NotProven;
        }

        if (!HasNsec3)
        {
            return DenialOutcome.NotProven;
        }

        if (Nsec3TooExpensive)
        {
            return DenialOutcome.TooManyIterations;
        }

        var m3 = Nsec3Match(name);
        if (m3 is { } found)
        {
            var t = found.Types;
            return !t.Contains(type) && !t.Contains(DnsRecordType.CNAME) ? DenialOutcome.Proven : DenialOutcome.NotProven;
        }

        var ce = ClosestEncloserProof(name);
        if (ce is null)
        {
            return DenialOutcome.NotProven;
        }

        // RFC 5155 §8.6: DS NODATA under an opt-out span.
        if (type == DnsRecordType.DS && ce.Value.NextCloserOptOut)
        {
            return DenialOutcome.OptOut;
        }

        // RFC 5155 §8.7: wildcard NODATA.
        var wm = Nsec3Match(NameOps.Wildcard(ce.Value.Encloser));
        return wm is not null && !wm.Types.Contains(type) && !wm.Types.Contains(DnsRecordType.CNAME) ? DenialOutcome.Proven : DenialOutcome.NotProven;
    }

    /// <summary>NXDOMAIN: neither <paramref name="name"/> nor a wildcard that could have produced it exists.</summary>
    public DenialOutcome ProveNameError(string name)
    {
        if (HasNsec)
        {
            var cover = nsecs.FirstOrDefault(n => Covers(n.Owner, n.Data.NextName, name) && !IsAncestorDelegation(n.Owner, n.Data, name));
            if (cover.Data is null)
            {
                return DenialOutcome.NotProven;
            }

            var wildcard = NameOps.Wildcard(ClosestEncloser(name, cover.Owner, cover.Data.NextName));
            return nsecs.Any(n => Covers(n.Owner, n.Data.NextName, wildcard)) ? DenialOutcome.Proven : DenialOutcome.NotProven;
        }

        if (!HasNsec3)
        {
            return DenialOutcome.NotProven;
        }

        if (Nsec3TooExpensive)
        {
            return DenialOutcome.TooManyIterations;
        }

        var ce = ClosestEncloserProof(name);
        if (ce is null || ce.Value.Encloser == name)
        {
            return DenialOutcome.NotProven;
        }

        // RFC 5155 §8.4: the wildcard at the closest encloser must be covered too.
        if (Nsec3Covering(NameOps.Wildcard(ce.Value.Encloser)) is null)
        {
            return DenialOutcome.NotProven;
        }

        // An opt-out span over the next closer name may hide an unsigned delegation (RFC 5155 §6); unbound
        // reports such NXDOMAIN answers as insecure, and so do we.
        return ce.Value.NextCloserOptOut ? DenialOutcome.OptOut : DenialOutcome.Proven;
    }

    /// <summary>Wildcard answer (RFC 4035 §5.3.4, RFC 5155 §8.8): the next closer name of the expansion does not exist.</summary>
    public DenialOutcome ProveWildcardExpansion(string name, int rrsigLabels)
    {
        var nextCloser = NameOps.Suffix(name, rrsigLabels + 1);
        if (HasNsec)
        {
            return nsecs.Any(n => Covers(n.Owner, n.Data.NextName, name)) ? DenialOutcome.Proven : DenialOutcome.NotProven;
        }

        if (Nsec3TooExpensive)
        {
            return DenialOutcome.TooManyIterations;
        }

        return Nsec3Covering(nextCloser) is { } c ? (c.OptOut ? DenialOutcome.OptOut : DenialOutcome.Proven) : DenialOutcome.NotProven;
    }

    /// <summary>While walking down: what a signed DS denial for <paramref name="child"/> says.</summary>
    public DelegationOutcome ClassifyDsDenial(string child, bool nxdomain)
    {
        if (HasNsec)
        {
            var match = nsecs.FirstOrDefault(n => n.Owner == child);
            if (match.Data is not null)
            {
                var t = match.Data.Types;
                if (t.Contains(DnsRecordType.DS) || t.Contains(DnsRecordType.SOA))
                {
                    return DelegationOutcome.Bogus;
                }

                return t.Contains(DnsRecordType.NS) ? DelegationOutcome.InsecureDelegation : DelegationOutcome.NotACut;
            }

            if (ProveNoData(child, DnsRecordType.DS) == DenialOutcome.Proven)
            {
                return DelegationOutcome.NotACut; // empty non-terminal
            }

            return nxdomain && ProveNameError(child) == DenialOutcome.Proven ? DelegationOutcome.NameMissing : DelegationOutcome.Bogus;
        }

        if (!HasNsec3)
        {
            return DelegationOutcome.Bogus;
        }

        if (Nsec3TooExpensive)
        {
            return DelegationOutcome.TooManyIterations;
        }

        if (Nsec3Match(child) is { } m)
        {
            if (m.Types.Contains(DnsRecordType.DS) || m.Types.Contains(DnsRecordType.SOA))
            {
                return DelegationOutcome.Bogus;
            }

            return m.Types.Contains(DnsRecordType.NS) ? DelegationOutcome.InsecureDelegation : DelegationOutcome.NotACut;
        }

        if (nxdomain)
        {
            return ProveNameError(child) is DenialOutcome.Proven or DenialOutcome.OptOut ? DelegationOutcome.NameMissing : DelegationOutcome.Bogus;
        }

        if (ProveNoData(child, DnsRecordType.DS) == DenialOutcome.Proven)
        {
            return DelegationOutcome.NotACut; // wildcard NODATA (RFC 5155 §8.7): a synthesised name is no cut
        }

        var ce = ClosestEncloserProof(child);
        return ce is { NextCloserOptOut: true } ? DelegationOutcome.InsecureOptOut : DelegationOutcome.Bogus;
    }

    /// <summary>RFC 4034 §4.1.1 / §6.1: owner &lt; name &lt; next, the last NSEC wrapping to the apex.</summary>
    private bool Covers(string owner, string next, string name)
    {
        if (!NameOps.IsAtOrBelow(name, zone))
        {
            return false;
        }

        var afterOwner = NameOps.CanonicalCompare(owner, name) < 0;
        var nextCmp = NameOps.CanonicalCompare(next, owner);
        return nextCmp <= 0 ? afterOwner : afterOwner && NameOps.CanonicalCompare(name, next) < 0;
    }

    /// <summary>RFC 6840 §4.1: an NSEC at a delegation (NS without SOA) or a DNAME says nothing about names below it.</summary>
    private static bool IsAncestorDelegation(string owner, NsecData data, string name) =>
        owner != name && NameOps.IsAtOrBelow(name, owner)
        && ((data.Types.Contains(DnsRecordType.NS) && !data.Types.Contains(DnsRecordType.SOA)) || data.Types.Contains(DnsRecordType.DNAME));

    /// <summary>The longest ancestor of <paramref name="name"/> shared with the NSEC's owner or next name.</summary>
    private string ClosestEncloser(string name, string owner, string next)
    {
        var a = CommonAncestor(name, owner);
        var b = CommonAncestor(name, next);
        var ce = NameOps.LabelCount(a) >= NameOps.LabelCount(b) ? a : b;
        return NameOps.IsAtOrBelow(ce, zone) ? ce : zone;
    }

    private static string CommonAncestor(string a, string b)
    {
        var candidate = a;
        while (!NameOps.IsAtOrBelow(b, candidate))
        {
            candidate = NameOps.Parent(candidate);
        }

        return candidate;
    }

    private Nsec3Data? Nsec3Match(string name)
    {
        foreach (var (_, hash, data) in nsec3s)
        {
            if (data.Iterations <= Limits.Nsec3MaxIterations && Nsec3Hash(name, data.Salt.Span, data.Iterations).AsSpan().SequenceEqual(hash))
            {
                return data;
            }
        }

        return null;
    }

    private Nsec3Data? Nsec3Covering(string name)
    {
        foreach (var (_, hash, data) in nsec3s)
        {
            if (data.Iterations > Limits.Nsec3MaxIterations)
            {
                continue;
            }

            var h = Nsec3Hash(name, data.Salt.Span, data.Iterations);
            var next = data.NextHashedOwner.Span;
            var afterOwner = hash.AsSpan().SequenceCompareTo(h) < 0;
            var wraps = next.SequenceCompareTo(hash) <= 0;
            if (wraps ? afterOwner || h.AsSpan().SequenceCompareTo(next) < 0 : afterOwner && h.AsSpan().SequenceCompareTo(next) < 0)
            {
                return data;
            }
        }

        return null;
    }

    /// <summary>RFC 5155 §8.3 closest encloser proof: the longest matching ancestor and a covered next closer name.</summary>
    private (string Encloser, bool NextCloserOptOut)? ClosestEncloserProof(string name)
    {
        var candidate = name;
        string? nextCloser = null;
        while (NameOps.IsAtOrBelow(candidate, zone))
        {
            var match = Nsec3Match(candidate);
            if (match is not null)
            {
                if ((match.Types.Contains(DnsRecordType.NS) && !match.Types.Contains(DnsRecordType.SOA) && candidate != name) || match.Types.Contains(DnsRecordType.DNAME))
                {
                    return null; // RFC 5155 §8.3: an ancestor delegation's NSEC3 proves nothing below it
                }

                if (nextCloser is null)
                {
                    return (candidate, false);
                }

                var cover = Nsec3Covering(nextCloser);
                return cover is null ? null : (candidate, cover.OptOut);
            }

            if (candidate == zone)
            {
                break;
            }

            nextCloser = candidate;
            candidate = NameOps.Parent(candidate);
        }

        return null;
    }
}
