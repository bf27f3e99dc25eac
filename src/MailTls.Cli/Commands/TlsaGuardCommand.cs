using System.CommandLine;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Plan;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>tlsa guard --cert NEWCERT --host MXHOST [--port 25]</c>: exit 0 when deploying NEWCERT keeps DANE working (a
/// published, DNSSEC-secure TLSA record matches it and is at least 2×TTL old, or already authenticates the live
/// certificate; or DANE does not apply), 1 when it would break DANE, 3 when DNS could not tell. A certbot deploy hook
/// (docs/plan.md, contrib/certbot-dane-guard).
/// </summary>
internal static class TlsaGuardCommand
{
    public static Command Create(CliContext context)
    {
        var cert = new Option<string>("--cert") { Description = "The certificate about to be deployed (PEM chain, leaf first; certbot's fullchain.pem).", Required = true };
        var host = new Option<string>("--host") { Description = "The MX host the certificate is for (TLSA at _PORT._tcp.HOST).", Required = true };
        var port = new Option<int>("--port") { Description = "The service port.", DefaultValueFactory = _ => 25 };
        var noProbe = new Option<bool>("--no-probe") { Description = "Do not connect to the host to see which certificate it serves now." };
        var options = new PlanOptions();
        var command = new Command("guard", "Refuse a certificate that DANE would reject (RFC 7671 §8.1): for certbot deploy hooks.") { cert, host, port, noProbe };
        command.Options.Add(options.Db);
        command.Options.Add(options.Resolver);
        command.Options.Add(options.TrustAnchor);
        command.Options.Add(options.Timeout);
        command.Options.Add(options.Now);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var name = DnsName.TryNormalize(parse.GetRequiredValue(host)) ?? throw new UsageException("--host: not a host name");
            var p = parse.GetValue(port);
            if (p is < 1 or > 65535)
            {
                throw new UsageException("--port must be 1..65535");
            }

            var chain = await PlanCommand.ChainAsync(parse.GetRequiredValue(cert), cancellationToken);
            var step = options.Step(parse);
            var servers = await DnssecCommand.ServersAsync(parse.GetValue(options.Resolver) ?? [], cancellationToken);
            var anchors = await DnssecCommand.AnchorsAsync(parse.GetValue(options.TrustAnchor), cancellationToken);
            await using var store = await PlanOptions.OpenStoreAsync(parse.GetValue(options.Db), cancellationToken);
            var guard = new TlsaGuard(store, new TlsaGuardOptions
            {
                Recursive = new CachingDnsResolver(CheckCommand.Stub(servers, step)),
                Anchors = anchors,
                Clock = options.Clock(parse),
                Port = p,
                Timeout = step,
                ProbeLive = !parse.GetValue(noProbe),
            });
            var result = await guard.CheckAsync(name, chain, cancellationToken);
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject
                {
                    ["host"] = result.Host,
                    ["owner"] = result.Owner,
                    ["accept"] = result.Verdict == GuardVerdict.Accept,
                    ["verdict"] = result.Verdict.ToString().ToLowerInvariant(),
                    ["reason"] = result.Reason,
                    ["ttl"] = result.Ttl,
                    ["safe_after"] = result.SafeAfter is { } s ? PlanJson.Iso(s) : null,
                    ["records"] = new JsonArray([.. result.Records.Select(r => (JsonNode)new JsonObject
                    {
                        ["record"] = r.Record.ToString(),
                        ["matches_new"] = r.MatchesNew,
                        ["matches_live"] = r.MatchesLive,
                        ["first_seen"] = PlanJson.Iso(r.FirstSeen),
                        ["safe_after"] = PlanJson.Iso(r.SafeAfter),
                    })]),
                    ["findings"] = JsonOutput.Findings(result.Findings),
                });
            }
            else
            {
                var verdict = result.Verdict switch
                {
                    GuardVerdict.Accept => "[green bold]deploy[/]",
                    GuardVerdict.Refuse => "[red bold]do not deploy[/]",
                    _ => "[yellow bold]unknown[/]",
                };
                console.Ansi.MarkupLine($"{verdict} {Markup.Escape(parse.GetRequiredValue(cert))} on {Markup.Escape(name)}: {Markup.Escape(result.Reason)}");
                foreach (var r in result.Records)
                {
                    console.Ansi.MarkupLine($"  [grey]{Markup.Escape(r.Record.ToString())}: {(r.MatchesNew ? "matches the new certificate" : "does not match it")}{(r.MatchesLive ? ", authenticates the live one" : string.Empty)}; first seen {PlanJson.Iso(r.FirstSeen)}[/]");
                }

                FindingsText.Write(console, result.Findings);
            }

            return result.Verdict switch
            {
                GuardVerdict.Accept => ExitCode.Success,
                GuardVerdict.Refuse => ExitCode.Findings,
                _ => ExitCode.Incomplete,
            };
        });
        return command;
    }
}
