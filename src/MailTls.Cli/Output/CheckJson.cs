using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MailTls.Audit;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;
using MailTls.Pki;
using MailTls.Smtp;

namespace MailTls.Cli.Output;

/// <summary>
/// JSON of <c>mailtls check</c> (design §4): <c>{"domain","checked_at","findings","mx":[{"host","addresses","verdict",…}],
/// "mta_sts","tls_rpt","dane","dnssec"}</c> plus <c>summary</c> and <c>completed</c>. Keys are stable: extend, never rename.
/// </summary>
internal static class CheckJson
{
    public static JsonObject Domain(DomainAuditResult r) => new()
    {
        ["domain"] = r.Domain,
        ["checked_at"] = r.CheckedAt.ToString("O", CultureInfo.InvariantCulture),
        ["summary"] = r.Summary,
        ["completed"] = r.Completed,
        ["incomplete_reason"] = r.IncompleteReason,
        ["elapsed_seconds"] = Math.Round(r.Elapsed.TotalSeconds, 2),
        ["findings"] = JsonOutput.Findings(r.Findings.OrderByDescending(f => f.Severity)),
        ["null_mx"] = r.NullMx,
        ["smtp_probed"] = r.SmtpProbed,
        ["port25_blocked"] = r.Port25Blocked,
        ["mx"] = new JsonArray([.. r.Mx.Select(m => (JsonNode)Mx(m))]),
        ["mta_sts"] = MtaSts(r),
        ["tls_rpt"] = new JsonObject
        {
            ["status"] = r.TlsRpt.Status.ToString(),
            ["record"] = r.TlsRpt.Selection?.RecordText,
            ["valid"] = r.TlsRpt.Selection?.ParseResult?.IsValid ?? false,
            ["rua"] = JsonOutput.Strings(r.TlsRpt.Selection?.ParseResult?.Record?.Rua.Select(u => u.OriginalString) ?? []),
        },
        ["dane"] = new JsonObject
        {
            ["hosts"] = r.Mx.Count,
            ["hosts_with_usable_tlsa"] = r.Mx.Count(m => m.Tlsa.State == DaneState.Usable),
            ["all_matched"] = r.Mx.Count > 0 && r.Mx.All(m => m.Tlsa.State == DaneState.Usable && m.Addresses.All(a => a.Dane.Count > 0 && a.Dane.All(d => d.Result.Matched))),
        },
        ["dnssec"] = new JsonObject
        {
            ["status"] = Status(r.Dnssec?.Status),
            ["failure"] = r.Dnssec is { Failure: not DnssecFailure.None } d ? d.Failure.ToString() : null,
            ["message"] = r.Dnssec?.Message,
            ["insecure_cut"] = r.Dnssec?.InsecureCut,
            ["ds_missing"] = r.DsMissing,
        },
    };

    private static JsonObject Mx(MxAudit m) => new()
    {
        ["host"] = m.Host,
        ["preference"] = m.Preference,
        ["canonical_name"] = m.CanonicalName,
        ["addresses"] = JsonOutput.Strings(m.Addresses.Select(a => a.Address.ToString())),
        ["verdict"] = SenderVerdicts.Name(m.Verdict),
        ["governed_by"] = SenderVerdicts.Name(m.Governs),
        ["covered_by_policy"] = m.CoveredByPolicy,
        ["matched_pattern"] = m.MatchedPattern,
        ["address_dnssec"] = Status(m.AddressDnssec),
        ["tlsa"] = new JsonObject
        {
            ["owner"] = m.Tlsa.Owner,
            ["status"] = m.Tlsa.Status.ToString(),
            ["dnssec"] = Status(m.Tlsa.Dnssec),
            ["state"] = m.Tlsa.State.ToString().ToLowerInvariant(),
            ["records"] = JsonOutput.Strings(m.Tlsa.Records.Select(t => t.ToString())),
        },
        ["caa"] = m.Caa is null ? null : Caa(m.Caa),
        ["results"] = new JsonArray([.. m.Addresses.Select(a => (JsonNode)Address(a))]),
    };

    private static JsonObject Address(AddressAudit a) => new()
    {
        ["ip"] = a.Address.ToString(),
        ["smtp"] = a.Probe is not { } p ? null : new JsonObject
        {
            ["outcome"] = Kebab(p.Outcome.ToString()),
            ["detail"] = p.Detail,
            ["banner"] = p.Banner,
            ["starttls"] = p.StartTlsOffered,
            ["elapsed_seconds"] = Math.Round(p.Elapsed.TotalSeconds, 2),
            ["tls"] = new JsonArray([.. p.Sessions.Select((s, i) => (JsonNode)new JsonObject
            {
                ["protocol"] = StartTlsProber.Protocol(s.Protocol),
                ["cipher"] = s.CipherSuite.ToString(),
                ["key"] = s.KeyAlgorithm,
                ["offered"] = s.Offered,
                ["pkix"] = i < a.Pki.Count ? Pki(a.Pki[i]) : null,
                ["chain"] = new JsonArray([.. s.Chain.Select(c => (JsonNode)Certificate(c))]),
            })]),
        },
        ["dane"] = new JsonArray([.. a.Dane.Select(d => (JsonNode)new JsonObject
        {
            ["key"] = d.KeyAlgorithm,
            ["status"] = Kebab(d.Result.Status.ToString()),
            ["matched"] = d.Result.Matched,
            ["record"] = d.Result.MatchedRecord?.ToString(),
            ["depth"] = d.Result.Depth,
        })]),
        ["verdict"] = new JsonObject
        {
            ["verdict"] = SenderVerdicts.Name(a.Verdict.Verdict),
            ["governed_by"] = SenderVerdicts.Name(a.Verdict.Governs),
            ["mta_sts_sender"] = SenderVerdicts.Name(a.Verdict.MtaSts),
            ["dane_sender"] = SenderVerdicts.Name(a.Verdict.Dane),
            ["opportunistic_sender"] = SenderVerdicts.Name(a.Verdict.Opportunistic),
            ["reason"] = a.Verdict.Reason,
        },
    };

    private static JsonObject MtaSts(DomainAuditResult r)
    {
        var s = r.MtaSts;
        var o = new JsonObject
        {
            ["discovery"] = s.Discovery switch
            {
                StsDiscoveryResult.Found => "found",
                StsDiscoveryResult.NoPolicy n => Kebab(n.Reason.ToString()),
                StsDiscoveryResult.TempFailure => "temporary-failure",
                _ => null,
            },
            ["record"] = s.Discovery is StsDiscoveryResult.Found f ? f.Record.Text : null,
            ["id"] = s.Discovery is StsDiscoveryResult.Found f2 ? f2.Record.Id : null,
        };
        if (s.Fetch is { } fetch)
        {
            var fo = new JsonObject
            {
                ["url"] = fetch.Url,
                ["result"] = Kebab(fetch.GetType().Name),
                ["result_type"] = fetch.ResultType,
            };
            switch (fetch)
            {
                case StsPolicyFetchResult.Fetched x:
                    fo["content_type"] = x.ContentType;
                    fo["bytes"] = x.Body.Length;
                    fo["tls"] = Tls(x.Tls);
                    break;
                case StsPolicyFetchResult.Redirect x:
                    fo["status"] = x.Status;
                    fo["location"] = x.Location;
                    break;
                case StsPolicyFetchResult.HttpStatus x:
                    fo["status"] = x.Status;
                    break;
                case StsPolicyFetchResult.BadContentType x:
                    fo["content_type"] = x.ContentType;
                    break;
                case StsPolicyFetchResult.TooLarge x:
                    fo["content_length"] = x.ContentLength;
                    fo["bytes_read"] = x.BytesRead;
                    break;
                case StsPolicyFetchResult.Timeout x:
                    fo["stage"] = x.Stage;
                    fo["deadline_seconds"] = x.Deadline.TotalSeconds;
                    break;
                case StsPolicyFetchResult.TlsFailure x:
                    fo["tls_failure"] = Kebab(x.Kind.ToString());
                    fo["detail"] = x.Detail;
                    fo["chain"] = new JsonArray([.. x.Chain.Select(c => (JsonNode)Certificate(c))]);
                    break;
                case StsPolicyFetchResult.DnsFailure x:
                    fo["detail"] = x.Detail;
                    break;
                case StsPolicyFetchResult.ConnectFailure x:
                    fo["detail"] = x.Detail;
                    break;
            }

            o["fetch"] = fo;
        }

        o["policy"] = s.Policy is not { } p ? null : new JsonObject
        {
            ["mode"] = p.Mode.ToWireName(),
            ["max_age"] = p.MaxAge,
            ["mx"] = JsonOutput.Strings(p.Mx.Select(x => x.ToString())),
            ["text"] = p.RawText,
        };
        o["policy_host_caa"] = s.PolicyHostCaa is null ? null : Caa(s.PolicyHostCaa);
        return o;
    }

    private static JsonObject Tls(StsPolicyTlsInfo t) => new()
    {
        ["address"] = t.Address.ToString(),
        ["protocol"] = StartTlsProber.Protocol(t.Protocol),
        ["cipher"] = t.CipherSuite.ToString(),
        ["pkix"] = Pki(t.Pki),
        ["chain"] = new JsonArray([.. t.Chain.Select(c => (JsonNode)Certificate(c))]),
    };

    private static JsonObject Pki(WebPkiResult p) => new()
    {
        ["valid"] = p.IsValid,
        ["status"] = Kebab(p.Status.ToString()),
        ["problems"] = JsonOutput.Strings(p.Problems.Select(x => Kebab(x.ToString()))),
        ["detail"] = p.Detail,
    };

    private static JsonObject Caa(CaaAudit c) => new()
    {
        ["name"] = c.Name,
        ["relevant_owner"] = c.RelevantOwner,
        ["records"] = JsonOutput.Strings(c.Records.Select(r => $"{r.Flags} {r.Tag} \"{r.Value}\"")),
        ["issuer"] = c.Issuer,
        ["issuer_caa_domains"] = JsonOutput.Strings(c.IssuerDomains),
        ["verdict"] = Kebab(c.Verdict.ToString()),
    };

    /// <summary>Certificate JSON per certificate instance: a scan shows the same MX chains for thousands of domains.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Certificate2, JsonObject> Certificates = [];

    private static JsonObject Certificate(X509Certificate2 c) => (JsonObject)Certificates.GetValue(c, CertificateUncached).DeepClone();

    private static JsonObject CertificateUncached(X509Certificate2 c) => new()
    {
        ["subject"] = c.Subject,
        ["issuer"] = c.Issuer,
        ["names"] = JsonOutput.Strings(CertificateIdentity.GetDnsNames(c)),
        ["not_before"] = c.NotBefore.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        ["not_after"] = c.NotAfter.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        ["key"] = StartTlsProber.KeyAlgorithm(c),
        ["sha256"] = c.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
    };

    private static string? Status(DnssecStatus? s) => s?.ToString().ToLowerInvariant();

    /// <summary>PascalCase → kebab-case.</summary>
    internal static string Kebab(string s)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsUpper(s[i]) && i > 0)
            {
                sb.Append('-');
            }

            sb.Append(char.ToLowerInvariant(s[i]));
        }

        return sb.ToString();
    }
}
