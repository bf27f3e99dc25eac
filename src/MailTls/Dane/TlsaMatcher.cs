using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MailTls.Findings;
using MailTls.Pki;

namespace MailTls.Dane;

/// <summary>
/// Matches the certificate chain a server presented (leaf first, as sent) against a TLSA RRset, per RFC 7672 §3
/// and RFC 7671 §5/§9:
/// <list type="bullet">
/// <item>Unusable records are discarded; per usage and selector only the strongest digest counts (SHA2-512 over
/// SHA2-256, as Postfix's <c>sha512 sha256</c> and OpenSSL's danetest ordinals); Full(0) records always count.</item>
/// <item>DANE-EE(3) matches the leaf only, with no name or date checks (unless <see cref="TlsaMatchOptions.CheckDaneEeNames"/>).</item>
/// <item>DANE-TA(2) matches a presented certificate at depth ≥ 1, or for <c>2 0 0</c>/<c>2 1 0</c> a TA given only in
/// DNS that signed a presented certificate; the path from the TA to the leaf must validate at
/// <see cref="TlsaMatchOptions.Now"/> and the leaf must carry a reference name as a SAN DNS-ID.</item>
/// <item>Precedence: DANE-EE, then DANE-TA shallowest first, then PKIX-EE, then PKIX-TA; any success authenticates.</item>
/// </list>
/// Never throws for hostile records or certificates.
/// </summary>
public static class TlsaMatcher
{
    public static TlsaMatchResult Match(IReadOnlyList<X509Certificate2> presentedChain, IReadOnlyList<TlsaRecord> records, TlsaMatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(presentedChain);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(options);
        var diagnostics = new List<TlsaRecordDiagnostic>();
        var findings = new List<Finding>();
        var subject = presentedChain.Count > 0 ? presentedChain[0].Subject : "(empty chain)";

        var usable = new List<TlsaRecord>();
        foreach (var r in records)
        {
            if (TlsaValidator.IsUsable(r, options.AllowPkixUsages))
            {
                usable.Add(r);
            }
            else
            {
                diagnostics.Add(new TlsaRecordDiagnostic(r, TlsaRecordOutcome.Unusable, -1, "unusable record discarded"));
                findings.Add(DaneFindings.Unusable.Create(subject, $"'{Short(r)}' is unusable and was ignored."));
            }
        }

        // RFC 7671 §9 digest agility: within a usage+selector, SHA2-512 supersedes SHA2-256.
        var candidates = new List<TlsaRecord>();
        foreach (var r in usable)
        {
            if (r.MatchingType == 1 && usable.Any(o => o.Usage == r.Usage && o.Selector == r.Selector && o.MatchingType == 2))
            {
                diagnostics.Add(new TlsaRecordDiagnostic(r, TlsaRecordOutcome.DigestSuperseded, -1, "a SHA2-512 record exists for the same usage and selector"));
                findings.Add(DaneFindings.DigestSuperseded.Create(subject, $"'{Short(r)}' is ignored: SHA2-512 is published for usage {r.Usage} selector {r.Selector}."));
            }
            else
            {
                candidates.Add(r);
            }
        }

        if (candidates.Count == 0 || presentedChain.Count == 0)
        {
            var status = candidates.Count == 0 ? TlsaMatchStatus.NoUsableRecords : TlsaMatchStatus.Mismatch;
            findings.Add(candidates.Count == 0
                ? DaneFindings.AllUnusable.Create(subject, "No usable TLSA record: the server cannot be authenticated.")
                : DaneFindings.Mismatch.Create(subject, "The server presented no certificate."));
            return new TlsaMatchResult(status, null, -1, diagnostics, findings);
        }

        var context = new MatchContext(presentedChain, options, candidates);
        var evaluated = candidates.Select(r => context.Evaluate(r)).ToList();
        diagnostics.AddRange(evaluated);

        var ordered = evaluated.OrderBy(d => Rank(d.Record.Usage)).ThenBy(d => d.Depth < 0 ? int.MaxValue : d.Depth).ToList();
        var winner = ordered.FirstOrDefault(d => d.Outcome == TlsaRecordOutcome.Matched);
        if (winner is not null)
        {
            findings.Add(DaneFindings.Matched.Create(subject,
                string.Create(CultureInfo.InvariantCulture, $"'{Short(winner.Record)}' matched at depth {winner.Depth}."),
                FindingList.Evidence(("record", winner.Record.ToString()), ("depth", winner.Depth.ToString(CultureInfo.InvariantCulture)))));
            return new TlsaMatchResult(TlsaMatchStatus.Matched, winner.Record, winner.Depth, diagnostics, findings);
        }

        var partial = ordered.FirstOrDefault(d => d.Outcome is TlsaRecordOutcome.NameMismatch or TlsaRecordOutcome.ChainIncomplete
            or TlsaRecordOutcome.ChainInvalid or TlsaRecordOutcome.Expired);
        if (partial is not null)
        {
            var (st, def) = partial.Outcome switch
            {
                TlsaRecordOutcome.NameMismatch => (TlsaMatchStatus.NameMismatch, DaneFindings.NameMismatch),
                TlsaRecordOutcome.ChainIncomplete => (TlsaMatchStatus.ChainIncomplete, DaneFindings.ChainIncomplete),
                TlsaRecordOutcome.Expired => (TlsaMatchStatus.Expired, DaneFindings.Expired),
                _ => (TlsaMatchStatus.ChainInvalid, DaneFindings.ChainInvalid),
            };
            findings.Add(def.Create(subject, $"'{Short(partial.Record)}' matched at depth {partial.Depth.ToString(CultureInfo.InvariantCulture)} but {partial.Detail}.",
                FindingList.Evidence(("record", partial.Record.ToString()))));
            return new TlsaMatchResult(st, partial.Record, partial.Depth, diagnostics, findings);
        }

        if (evaluated.Any(d => d.Outcome == TlsaRecordOutcome.TaNotPresented))
        {
            findings.Add(DaneFindings.TaNotPresented.Create(subject, "A DANE-TA(2) record matches none of the issuer certificates the server sent."));
        }

        findings.Add(DaneFindings.Mismatch.Create(subject, "No usable TLSA record matches the presented chain.",
            FindingList.Evidence(("leaf-3-1-1", Convert.ToHexStringLower(TlsaBuilder.Association(presentedChain[0].RawData, TlsaSelector.Spki, TlsaMatchingType.Sha256) ?? [])))));
        return new TlsaMatchResult(TlsaMatchStatus.Mismatch, null, -1, diagnostics, findings);
    }

    private static int Rank(byte usage) => usage switch { 3 => 0, 2 => 1, 1 => 2, _ => 3 };

    internal static string Short(TlsaRecord r)
    {
        var s = r.ToString();
        return s.Length > 48 ? s[..48] + "…" : s;
    }

    /// <summary>True when <paramref name="record"/>'s data matches <paramref name="der"/> under its selector and matching type.</summary>
    internal static bool Matches(TlsaRecord record, byte[] der)
    {
        var data = TlsaBuilder.Association(der, (TlsaSelector)record.Selector, (TlsaMatchingType)record.MatchingType);
        return data is not null && data.AsSpan().SequenceEqual(record.Data.Span);
    }

    internal static bool NameMatches(X509Certificate2 leaf, IReadOnlyList<string> names) =>
        names.Any(n => CertificateIdentity.Matches(n, leaf));
}
