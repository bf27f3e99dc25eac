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
        var command = new Command("serve", "Serve MTA-STS policies over HTTPS (policy host), with certificate hot reload and a DNS self-check; and the dashboard.") { config, check, resolver };
        command.Subcommands.Add(HashPassword(context));
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

    /// <summary>
    /// <c>mailtls serve hash-password</c>: the <c>dashboard.auth.password_hash</c> value for a password read from
    /// stdin (without echo on a terminal) or <c>--password-file</c>, never from the command line.
    /// </summary>
    private static Command HashPassword(CliContext context)
    {
        var file = new Option<string?>("--password-file") { Description = "Read the password from this file (first line) instead of stdin." };
        var command = new Command("hash-password", "Print the dashboard password hash (PBKDF2-SHA256) for serve.yaml; the password is read from stdin.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            string? password;
            if (parse.GetValue(file) is { } path)
            {
                password = (await InputFiles.ReadTextAsync(path, 4096, cancellationToken)).Split('\n')[0].TrimEnd('\r');
            }
            else if (!System.Console.IsInputRedirected)
            {
                await console.Error.WriteAsync("Dashboard password: ");
                password = ReadHidden();
                await console.Error.WriteLineAsync();
            }
            else
            {
                password = await System.Console.In.ReadLineAsync(cancellationToken);
            }

            if (string.IsNullOrEmpty(password) || password.Length < 8)
            {
                throw new UsageException("the password must have at least 8 characters (it is read from stdin or --password-file)");
            }

            var hash = MailTls.Server.Dashboard.DashboardPassword.Hash(password);
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject { ["password_hash"] = hash });
            }
            else
            {
                console.Out.WriteLine(hash);
                await console.Error.WriteLineAsync($"in serve.yaml: dashboard: {{auth: {{password_hash: \"{hash}\"}}}}");
            }

            return ExitCode.Success;
        });
        return command;
    }

    private static string ReadHidden()
    {
        var chars = new System.Text.StringBuilder();
        while (true)
        {
            var key = System.Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                return chars.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Length > 0)
                {
                    chars.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                chars.Append(key.KeyChar);
            }
        }
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
            await console.Error.WriteLineAsync("mailtls serve: " + (e.Message.StartsWith("dashboard", StringComparison.Ordinal) ? e.Message : "cannot listen: " + e.Message));
            return ExitCode.Incomplete;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM while the listeners were still binding: stop what started, as after a normal start.
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
