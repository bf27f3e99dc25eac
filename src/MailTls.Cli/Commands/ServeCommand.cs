using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Server.Configuration;
using MailTls.Server.Hosting;
using MailTls.Server.Operations;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls serve --config FILE</c>: the MTA-STS policy host (docs/serve.md); runs until SIGTERM or Ctrl-C, then
/// stops gracefully. <c>mailtls serve --check-config FILE</c>: the same checks without serving; exit 0 when no error
/// finding, 1 otherwise (an invalid configuration included). JSON: <c>{"valid","config","findings","health"}</c>
/// where <c>health</c> is the /healthz document.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "Serve with this configuration file (YAML or JSON; see docs/serve.md)." };
        var check = new Option<string?>("--check-config") { Description = "Check this configuration, its policies, certificates and DNS, and exit without serving." };
        var resolver = new Option<string[]>("--resolver")
        {
            Description = "Resolver ADDR[:PORT] for the DNS self-check (repeatable); overrides self_check.resolver.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("serve", "Serve MTA-STS policies over HTTPS (policy host), with certificate hot reload and a DNS self-check.") { config, check, resolver };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var configPath = parse.GetValue(config);
            var checkPath = parse.GetValue(check);
            if ((configPath is null) == (checkPath is null))
            {
                throw new UsageException("give exactly one of --config FILE or --check-config FILE");
            }

            var loaded = await ServeConfigLoader.LoadFileAsync(configPath ?? checkPath!, cancellationToken);
            var resolvers = (parse.GetValue(resolver) ?? []).Select(r => DnsServerAddress.TryParse(r) ?? throw new UsageException($"--resolver {r}: expected ADDR[:PORT]")).ToList();
            if (loaded.IsValid && resolvers.Count > 0)
            {
                loaded = loaded with { Settings = loaded.Settings with { SelfCheck = loaded.Settings.SelfCheck with { Resolvers = resolvers } } };
            }

            return checkPath is not null
                ? await CheckAsync(console, checkPath, loaded, cancellationToken)
                : await RunAsync(console, configPath!, loaded, cancellationToken);
        });
        return command;
    }

    private static async Task<int> CheckAsync(CliConsole console, string path, ServeConfigResult loaded, CancellationToken cancellationToken)
    {
        var report = await ConfigCheck.RunAsync(loaded, cancellationToken: cancellationToken);
        if (console.Json)
        {
            JsonOutput.Write(console, new JsonObject
            {
                ["valid"] = report.Valid,
                ["config"] = path,
                ["findings"] = JsonOutput.Findings(report.ConfigFindings),
                ["health"] = report.Health,
            });
        }
        else
        {
            if (report.ConfigFindings.Count > 0)
            {
                FindingsText.Verdict(console, false, "configuration " + path, report.ConfigFindings);
            }

            foreach (var (domain, findings) in report.Domains)
            {
                var detail = report.Health?["domains"]?.AsArray().FirstOrDefault(d => d?["domain"]?.GetValue<string>() == domain);
                var served = detail?["served"]?.GetValue<bool>() == true;
                var id = detail?["published_id"]?.GetValue<string>();
                var cert = detail?["certificate"]?["not_after"]?.GetValue<string>();
                console.Ansi.MarkupLine($"[bold]mta-sts.{Markup.Escape(domain)}[/]: " + (served ? "[green]served[/]" : "[red]not served[/]") +
                    Markup.Escape($" ({detail?["source"]?.GetValue<string>()})") +
                    (id is null ? string.Empty : Markup.Escape($", published id={id}")) +
                    (cert is null ? string.Empty : Markup.Escape($", certificate valid until {cert}")));
                FindingsText.Write(console, findings);
            }

            if (report.Health?["tlsrpt"] is JsonObject tlsrpt)
            {
                var host = tlsrpt["host"]?.GetValue<string>();
                foreach (var t in tlsrpt["tenants"]?.AsArray() ?? [])
                {
                    var ok = t?["store_available"]?.GetValue<bool>() == true;
                    console.Ansi.MarkupLine(Markup.Escape($"tlsrpt tenant {t?["name"]}: https://{host}{t?["path"]} → {t?["store"]} ") + (ok ? "[green]store OK[/]" : "[red]store unavailable[/]"));
                }

                var findings = report.ReceiverFindings;
                FindingsText.Write(console, findings);
            }

            console.Ansi.MarkupLine(report.Valid ? "[green bold]configuration OK[/]" : "[red bold]configuration has errors[/]");
        }

        return report.Valid ? ExitCode.Success : ExitCode.Findings;
    }

    private static async Task<int> RunAsync(CliConsole console, string path, ServeConfigResult loaded, CancellationToken cancellationToken)
    {
        if (!loaded.IsValid)
        {
            var findings = loaded.Errors.Select(e => MailTls.Serve.ServeFindings.ConfigInvalid.Create(path, e)).ToList();
            FindingsText.Verdict(new CliConsole(console.Error, console.Error, json: false, color: false), false, "configuration " + path, findings);
            return ExitCode.Findings;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var loggers = PolicyHost.CreateLoggerFactory(loaded.Settings.LogFormat);
        await using var host = PolicyHost.Create(loaded.Settings, loggers);
        try
        {
            await host.StartAsync(stop.Token);
        }
        catch (IOException e)
        {
            await console.Error.WriteLineAsync("mailtls serve: cannot listen: " + e.Message);
            return ExitCode.Incomplete;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(grace.Token);
        return ExitCode.Success;
    }
}
