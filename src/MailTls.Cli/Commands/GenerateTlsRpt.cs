using System.CommandLine;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.TlsRpt;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>generate tlsrpt --domain D --rua URI…</c>: the <c>_smtp._tls</c> TXT record (RFC 8460 §3), checked by the same
/// parser <c>lint tlsrpt-record</c> uses. A bare address is taken as <c>mailto:</c>.
/// </summary>
internal static class GenerateTlsRpt
{
    public static Command Command(CliContext context)
    {
        var domain = new Option<string>("--domain") { Description = "The Policy Domain.", Required = true };
        var rua = new Option<string[]>("--rua") { Description = "Where senders send reports: mailto:ADDRESS or https://URL; repeat for several.", Required = true };
        var command = new Command("tlsrpt", "Generate the TLS-RPT TXT record.") { domain, rua };
        command.SetAction(parse =>
        {
            var console = context.Console(parse);
            var d = DnsName.TryNormalize(parse.GetRequiredValue(domain));
            if (d is null || !DnsName.IsLdhDomain(d))
            {
                throw new UsageException($"--domain: '{parse.GetValue(domain)}' is not a domain name");
            }

            var uris = new List<Uri>();
            foreach (var raw in parse.GetRequiredValue(rua))
            {
                var text = raw.Contains(':', StringComparison.Ordinal) ? raw : "mailto:" + raw;
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
                {
                    throw new UsageException($"--rua: '{raw}' is not a mailto: or https: URI");
                }

                uris.Add(uri);
            }

            var value = TlsRptRecordFormatter.Format(uris);
            var check = TlsRptRecordParser.Parse(value);
            var name = "_smtp._tls." + d;
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject
                {
                    ["name"] = name,
                    ["value"] = value,
                    ["findings"] = JsonOutput.Findings(check.Findings),
                });
            }
            else if (check.IsValid)
            {
                console.Ansi.MarkupLine($"[bold]DNS[/] (publish in the {Markup.Escape(d)} zone):");
                console.Ansi.WriteLine($"{name}. IN TXT \"{value}\"");
                FindingsText.Write(console, check.Findings);
            }
            else
            {
                FindingsText.Verdict(console, false, "TLS-RPT record", check.Findings);
            }

            return check.IsValid ? ExitCode.Success : ExitCode.Findings;
        });
        return command;
    }
}
