using System.CommandLine;
using System.Text.Json.Nodes;
using MailTls.Audit;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Smtp;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls check DOMAIN… [--resolver ADDR[:PORT]]… [--trust-anchor FILE] [--timeout S] [--no-smtp] [--caa-issuer ORG=DOMAIN]…</c>:
/// the full audit of each domain (design §4). Domains run concurrently; several domains → a JSON array.
/// Exit 0 no error findings, 1 error findings, 2 usage, 3 a check could not complete (resolver unreachable).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var domains = new Argument<string[]>("DOMAIN") { Description = "Mail domains to check.", Arity = ArgumentArity.OneOrMore };
        var resolver = new Option<string[]>("--resolver")
        {
            Description = "Upstream recursive resolver ADDR[:PORT] (IPv6 as [ADDR]:PORT); repeatable. Default: /etc/resolv.conf's nameservers.",
            AllowMultipleArgumentsPerToken = false,
        };
        var anchorFile = new Option<string?>("--trust-anchor") { Description = "DNSSEC trust anchors in DS or DNSKEY presentation format (replaces the built-in IANA root KSKs)." };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Deadline in seconds for each network step (policy fetch; SMTP connect, banner, each command, TLS handshake).",
            DefaultValueFactory = _ => Limits.CheckStsPolicyFetchTimeout.TotalSeconds,
        };
        var noSmtp = new Option<bool>("--no-smtp") { Description = "Do not connect to the MX hosts on port 25 (DNS and policy checks only)." };
        var caaIssuer = new Option<string[]>("--caa-issuer")
        {
            Description = "Extra CA for the CAA check: 'ISSUER-ORG=CAA-DOMAIN[,DOMAIN]' (matched against the issuer's O or CN); repeatable. Also read from $MAILTLS_CAA_ISSUERS (';'-separated).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("check", "Audit a mail domain: MTA-STS, TLS-RPT, DANE, DNSSEC, STARTTLS and CAA, with a verdict per MX.")
        {
            domains, resolver, anchorFile, timeout, noSmtp, caaIssuer,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var names = new List<string>();
            foreach (var d in parse.GetValue(domains) ?? [])
            {
                names.Add(DnsName.TryNormalize(d) is { } n && n.Contains('.', StringComparison.Ordinal) ? n : throw new UsageException("not a domain name: " + d));
            }

            var seconds = parse.GetValue(timeout);
            if (seconds is <= 0 or > 300)
            {
                throw new UsageException("--timeout must be between 0 and 300 seconds");
            }

            var caaTable = CaaIssuers(parse.GetValue(caaIssuer) ?? []);
            var servers = await DnssecCommand.ServersAsync(parse.GetValue(resolver) ?? [], cancellationToken);
            var anchors = await DnssecCommand.AnchorsAsync(parse.GetValue(anchorFile), cancellationToken);
            var step = TimeSpan.FromSeconds(seconds);
            var stub = Stub(servers, step);
            var options = Options(step, !parse.GetValue(noSmtp), caaTable);
            using var auditor = new DomainAuditor(new CachingDnsResolver(stub), anchors, options);
            using var slots = new SemaphoreSlim(Limits.CheckDomainConcurrency);
            var results = await Task.WhenAll(names.Select(async n =>
            {
                await slots.WaitAsync(cancellationToken);
                try
                {
                    return await auditor.AuditAsync(n, cancellationToken);
                }
                finally
                {
                    slots.Release();
                }
            }));

            if (console.Json)
            {
                JsonOutput.Write(console, results.Length == 1 ? CheckJson.Domain(results[0]) : new JsonArray([.. results.Select(r => (JsonNode)CheckJson.Domain(r))]));
            }
            else
            {
                for (var i = 0; i < results.Length; i++)
                {
                    if (i > 0)
                    {
                        console.Ansi.WriteLine();
                    }

                    CheckText.Write(console, results[i]);
                }
            }

            if (results.Any(r => !r.Completed))
            {
                return ExitCode.Incomplete;
            }

            return results.Any(r => r.Findings.Any(f => f.Severity == Severity.Error)) ? ExitCode.Findings : ExitCode.Success;
        });
        return command;
    }

    /// <summary>The CAA issuer table from <c>--caa-issuer</c> values and <c>$MAILTLS_CAA_ISSUERS</c> (shared with scan).</summary>
    internal static CaaIssuerTable CaaIssuers(IEnumerable<string> values)
    {
        var extra = new List<(string, string[])>();
        foreach (var text in values.Append(Environment.GetEnvironmentVariable("MAILTLS_CAA_ISSUERS") ?? string.Empty))
        {
            extra.AddRange(CaaIssuerTable.Parse(text, out var errors));
            if (errors.Count > 0)
            {
                throw new UsageException("--caa-issuer " + string.Join("; ", errors));
            }
        }

        return new CaaIssuerTable(extra);
    }

    /// <summary>The stub resolver of a check or scan run with the per-step deadline.</summary>
    internal static DnsStubResolver Stub(IReadOnlyList<System.Net.IPEndPoint> servers, TimeSpan step) => new(new DnsStubResolverSettings
    {
        Servers = servers,
        Timeout = step < Limits.DnsQueryTimeout ? step : Limits.DnsQueryTimeout,
    });

    /// <summary>Audit options of a check or scan run: <c>--timeout</c> applied to every network step.</summary>
    internal static DomainAuditOptions Options(TimeSpan step, bool probeSmtp, CaaIssuerTable caaIssuers) => new()
    {
        ProbeSmtp = probeSmtp,
        PolicyFetch = new StsPolicyFetcherOptions { Timeout = step },
        Smtp = new StartTlsProberOptions
        {
            ConnectTimeout = step < Limits.SmtpConnectTimeout ? step : Limits.SmtpConnectTimeout,
            BannerTimeout = step,
            CommandTimeout = step,
            HandshakeTimeout = step,
            ProbeTimeout = step * 2,
        },
        CaaIssuers = caaIssuers,
    };

}
