using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls dnssec NAME [TYPE]</c>: validates NAME/TYPE in process from the trust anchor down and prints the
/// chain zone by zone (DS, DNSKEY, RRSIG with key tags, algorithms and signature windows) with the verdict.
/// Exit 0 secure or insecure (an unsigned zone is not an error of the name), 1 bogus, 3 indeterminate.
/// JSON: <c>{"name","type","status","failure","message","insecure_cut","answer","chain","findings"}</c>.
/// </summary>
internal static class DnssecCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The DNS name to validate, e.g. _25._tcp.mail.example.com." };
        var type = new Argument<string>("TYPE") { Description = "Record type (A, AAAA, MX, TXT, TLSA, CAA, CNAME, DS, DNSKEY, …).", DefaultValueFactory = _ => "A" };
        var resolver = new Option<string[]>("--resolver")
        {
            Description = "Upstream recursive resolver ADDR[:PORT] (IPv6 as [ADDR]:PORT); repeatable. Default: /etc/resolv.conf's nameservers.",
            AllowMultipleArgumentsPerToken = false,
        };
        var anchorFile = new Option<string?>("--trust-anchor") { Description = "Trust anchors in DS or DNSKEY presentation format (replaces the built-in IANA root KSKs)." };
        var timeout = new Option<double>("--timeout") { Description = "Per-query timeout in seconds.", DefaultValueFactory = _ => Limits.DnsQueryTimeout.TotalSeconds };
        var command = new Command("dnssec", "Validate a DNS answer with DNSSEC from the root down and show the chain of trust.") { name, type, resolver, anchorFile, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var qname = DnsName.TryNormalize(parse.GetRequiredValue(name)) is { } n ? n : parse.GetRequiredValue(name) == "." ? "." : throw new UsageException("not a DNS name: " + parse.GetRequiredValue(name));
            if (!DnsRecordTypeText.TryParse(parse.GetValue(type), out var qtype))
            {
                throw new UsageException("unknown record type: " + parse.GetValue(type));
            }

            var seconds = parse.GetValue(timeout);
            if (seconds is <= 0 or > 300)
            {
                throw new UsageException("--timeout must be between 0 and 300 seconds");
            }

            var servers = await ServersAsync(parse.GetValue(resolver) ?? [], cancellationToken);
            var anchors = await AnchorsAsync(parse.GetValue(anchorFile), cancellationToken);
            var stub = new DnsStubResolver(new DnsStubResolverSettings { Servers = servers, Timeout = TimeSpan.FromSeconds(seconds) });
            var validator = new DnssecValidator(new CachingDnsResolver(stub), anchors);
            var result = await validator.ValidateAsync(qname, qtype, cancellationToken);
            var findings = DnssecFindings.For(result, DateTimeOffset.UtcNow);
            if (console.Json)
            {
                JsonOutput.Write(console, Json(result, findings));
            }
            else
            {
                WriteText(console, result, findings);
            }

            return result.Status switch
            {
                DnssecStatus.Secure or DnssecStatus.Insecure => ExitCode.Success,
                DnssecStatus.Bogus => ExitCode.Findings,
                _ => ExitCode.Incomplete,
            };
        });
        return command;
    }

    internal static async Task<IReadOnlyList<IPEndPoint>> ServersAsync(string[] texts, CancellationToken cancellationToken)
    {
        if (texts.Length == 0)
        {
            return await DnsServerAddress.SystemAsync(cancellationToken);
        }

        var servers = new List<IPEndPoint>();
        foreach (var t in texts)
        {
            servers.Add(DnsServerAddress.TryParse(t) ?? throw new UsageException($"--resolver {t}: expected ADDR[:PORT], e.g. 127.0.0.1:5353 or [2001:db8::1]:53"));
        }

        return servers;
    }

    /// <summary>
    /// <c>--trust-anchor FILE</c>, else <c>$MAILTLS_TRUST_ANCHOR</c> (set by <c>lab/exec</c> for the lab's private
    /// root), else the built-in IANA root keys.
    /// </summary>
    internal static async Task<TrustAnchors> AnchorsAsync(string? path, CancellationToken cancellationToken)
    {
        path ??= Environment.GetEnvironmentVariable("MAILTLS_TRUST_ANCHOR") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        if (path is null)
        {
            return TrustAnchors.BuiltIn;
        }

        var text = await InputFiles.ReadTextAsync(path, Limits.TrustAnchorFileMaxChars + 1, cancellationToken);
        var loaded = TrustAnchors.Load(text);
        return loaded.Anchors ?? throw new UsageException($"--trust-anchor {path}: {string.Join("; ", loaded.Errors)}");
    }

    private static void WriteText(CliConsole console, DnssecResult result, IReadOnlyList<MailTls.Findings.Finding> findings)
    {
        var ansi = console.Ansi;
        var color = result.Status switch
        {
            DnssecStatus.Secure => "green",
            DnssecStatus.Insecure => "yellow",
            _ => "red",
        };
        ansi.MarkupLine($"[bold]{Markup.Escape(result.Name)} {DnsRecordTypeText.ToText(result.Type)}[/]: [{color} bold]{StatusName(result.Status)}[/]" +
            (result.InsecureCut is { } cut ? $" (chain of trust ends at [bold]{Markup.Escape(cut)}[/])" : string.Empty));
        ansi.MarkupLine("  " + Markup.Escape(result.Message));
        ansi.WriteLine();

        string? zone = null;
        foreach (var step in result.Steps)
        {
            if (step.Zone != zone)
            {
                zone = step.Zone;
                ansi.MarkupLine($"[bold]zone {Markup.Escape(Fqdn(zone))}[/]");
            }

            var verdictColor = step.Verdict switch { DnssecStatus.Secure => "green", DnssecStatus.Insecure => "yellow", _ => "red" };
            ansi.MarkupLine($"  [{verdictColor}]{StatusName(step.Verdict),-13}[/] {KindName(step.Kind)} {Markup.Escape(Fqdn(step.Owner))}: {Markup.Escape(step.Message)}");
            foreach (var ds in step.Ds)
            {
                ansi.MarkupLine($"      DS     tag {ds.KeyTag,5}  alg {ds.Algorithm,2} {DnssecAlgorithms.Name(ds.Algorithm),-18} digest {DnssecAlgorithms.DigestName(ds.DigestType),-8} {ds.Matched switch { true => "[green]matches a DNSKEY[/]", false => "[red]no matching DNSKEY[/]", _ => string.Empty }}");
            }

            foreach (var key in step.Keys)
            {
                ansi.MarkupLine($"      DNSKEY tag {key.KeyTag,5}  alg {key.Algorithm,2} {DnssecAlgorithms.Name(key.Algorithm),-18} flags {key.Flags} ({(key.Sep ? "KSK" : "ZSK")}, {key.KeyBits} bits){(key.MatchedDs ? " [green]trusted via DS/anchor[/]" : string.Empty)}");
            }

            foreach (var sig in step.Signatures)
            {
                ansi.MarkupLine($"      RRSIG  {DnsRecordTypeText.ToText(sig.TypeCovered),-6} by tag {sig.KeyTag,5} alg {sig.Algorithm,2}  {Time(sig.Inception)} .. {Time(sig.Expiration)}  {OutcomeMarkup(sig.Outcome)}");
            }
        }

        if (result.Answer.Rrset.Count > 0)
        {
            ansi.WriteLine();
            foreach (var r in result.Answer.CnameChain.Concat(result.Answer.Rrset))
            {
                ansi.MarkupLine("  " + Markup.Escape(r.ToString()));
            }
        }

        if (findings.Count > 0)
        {
            ansi.WriteLine();
            foreach (var f in findings)
            {
                ansi.MarkupLine($"[bold]{Markup.Escape(f.Code)}[/] ({JsonOutput.SeverityName(f.Severity)}): {Markup.Escape(f.Message)}");
                ansi.MarkupLine("  fix: " + Markup.Escape(f.Fix));
            }
        }
    }

    private static JsonObject Json(DnssecResult result, IReadOnlyList<MailTls.Findings.Finding> findings) => new()
    {
        ["name"] = result.Name,
        ["type"] = DnsRecordTypeText.ToText(result.Type),
        ["status"] = StatusName(result.Status),
        ["failure"] = result.Failure == DnssecFailure.None ? null : result.Failure.ToString(),
        ["message"] = result.Message,
        ["insecure_cut"] = result.InsecureCut,
        ["earliest_expiration"] = result.EarliestExpiration?.ToString("O", CultureInfo.InvariantCulture),
        ["answer"] = new JsonObject
        {
            ["status"] = result.Answer.Status.ToString(),
            ["canonical_name"] = result.Answer.CanonicalName,
            ["cname_chain"] = JsonOutput.Strings(result.Answer.CnameChain.Select(r => r.ToString())),
            ["records"] = JsonOutput.Strings(result.Answer.Rrset.Select(r => r.ToString())),
            ["error"] = result.Answer.Error,
        },
        ["chain"] = new JsonArray([.. result.Steps.Select(s => (JsonNode)new JsonObject
        {
            ["zone"] = s.Zone,
            ["owner"] = s.Owner,
            ["step"] = KindName(s.Kind),
            ["verdict"] = StatusName(s.Verdict),
            ["failure"] = s.Failure == DnssecFailure.None ? null : s.Failure.ToString(),
            ["message"] = s.Message,
            ["ds"] = new JsonArray([.. s.Ds.Select(d => (JsonNode)new JsonObject
            {
                ["key_tag"] = d.KeyTag,
                ["algorithm"] = d.Algorithm,
                ["digest_type"] = d.DigestType,
                ["digest"] = d.Digest,
                ["matched"] = d.Matched,
            })]),
            ["dnskey"] = new JsonArray([.. s.Keys.Select(k => (JsonNode)new JsonObject
            {
                ["key_tag"] = k.KeyTag,
                ["flags"] = k.Flags,
                ["algorithm"] = k.Algorithm,
                ["bits"] = k.KeyBits,
                ["sep"] = k.Sep,
                ["trusted"] = k.MatchedDs,
            })]),
            ["rrsig"] = new JsonArray([.. s.Signatures.Select(g => (JsonNode)new JsonObject
            {
                ["type_covered"] = DnsRecordTypeText.ToText(g.TypeCovered),
                ["key_tag"] = g.KeyTag,
                ["algorithm"] = g.Algorithm,
                ["signer"] = g.Signer,
                ["inception"] = g.Inception.ToString("O", CultureInfo.InvariantCulture),
                ["expiration"] = g.Expiration.ToString("O", CultureInfo.InvariantCulture),
                ["outcome"] = OutcomeName(g.Outcome),
            })]),
        })]),
        ["findings"] = JsonOutput.Findings(findings),
    };

    private static string StatusName(DnssecStatus status) => status switch
    {
        DnssecStatus.Secure => "secure",
        DnssecStatus.Insecure => "insecure",
        DnssecStatus.Bogus => "bogus",
        _ => "indeterminate",
    };

    private static string KindName(DnssecStepKind kind) => kind switch
    {
        DnssecStepKind.TrustAnchor => "trust-anchor",
        DnssecStepKind.Dnskey => "dnskey",
        DnssecStepKind.Delegation => "delegation",
        DnssecStepKind.Cname => "cname",
        DnssecStepKind.Answer => "answer",
        _ => "denial",
    };

    private static string OutcomeName(SignatureOutcome outcome) => outcome switch
    {
        SignatureOutcome.Valid => "valid",
        SignatureOutcome.Expired => "expired",
        SignatureOutcome.NotYetValid => "not-yet-valid",
        SignatureOutcome.NoMatchingKey => "no-matching-key",
        SignatureOutcome.UnsupportedAlgorithm => "unsupported-algorithm",
        SignatureOutcome.Invalid => "invalid",
        SignatureOutcome.BadLabels => "bad-labels",
        SignatureOutcome.WrongSigner => "wrong-signer",
        _ => "not-tried",
    };

    private static string OutcomeMarkup(SignatureOutcome outcome) =>
        outcome == SignatureOutcome.Valid ? "[green]valid[/]" : $"[red]{OutcomeName(outcome)}[/]";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Fqdn(string name) => name == "." ? "." : name + ".";
}
