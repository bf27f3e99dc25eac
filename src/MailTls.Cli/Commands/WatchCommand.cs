using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Audit;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Pki;
using MailTls.Reports.Storage;
using MailTls.Watch;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls watch --config FILE [--once] [--db PATH|URL] [--now TIME]</c>: audits the configured domains every
/// interval (or once, for cron and systemd timers) with the check pipeline, stores each audit, and alerts through the
/// configured sinks on new problems and on their recovery (docs/watch.md). <c>watch alerts</c> lists the stored
/// alerts. Exit (<c>--once</c>): 0 no open error alert, 1 open error alerts, 2 usage, 3 the pass could not complete
/// (an audit incomplete, a notice not delivered, the database unavailable).
/// </summary>
internal static class WatchCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string>("--config", "-c") { Description = "Watch configuration (YAML; see docs/watch.md).", Required = true };
        var once = new Option<bool>("--once") { Description = "Run one pass and exit (for cron or a systemd timer)." };
        var db = new Option<string?>("--db") { Description = "SQLite file or postgres://… URL (overrides the configuration's db; default: $MAILTLS_DB, else $XDG_DATA_HOME/mailtls/mailtls.db)." };
        var now = new Option<string?>("--now") { Description = "Simulated clock: run as if it were this UTC time (ISO 8601); the clock advances from there. For tests and rehearsals of expiry thresholds." };
        var command = new Command("watch", "Audit domains on a schedule, store each audit and alert (webhook, e-mail) on new problems and their recovery.")
        {
            config, once, db, now,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var cfg = await LoadAsync(parse.GetValue(config)!, cancellationToken);
            var time = Clock(parse.GetValue(now));
            await using var store = await OpenAsync(parse.GetValue(db) ?? cfg.Database, cancellationToken);
            var sinks = await SinksAsync(cfg, time, cancellationToken);
            try
            {
                var servers = await DnssecCommand.ServersAsync([.. cfg.Resolvers], cancellationToken);
                var anchors = await DnssecCommand.AnchorsAsync(cfg.TrustAnchorFile, cancellationToken);
                var caa = CheckCommand.CaaIssuers(cfg.CaaIssuers);
                var runner = new WatchRunner(cfg, store, store, store, sinks, r => CheckJson.Domain(r).ToJsonString(), time);
                PassAuditor NewAuditor()
                {
                    var options = CheckCommand.Options(cfg.Timeout, cfg.ProbeSmtp, caa) with
                    {
                        Time = time,
                        MxCertificateExpiryWarning = cfg.MxCertificateExpiry,
                        PolicyCertificateExpiryWarning = cfg.PolicyCertificateExpiry,
                        DnssecSignatureExpiryWarning = cfg.DnssecSignatureExpiry,
                    };
                    var auditor = new DomainAuditor(new CachingDnsResolver(CheckCommand.Stub(servers, cfg.Timeout)), anchors, options);
                    return new PassAuditor(auditor.AuditAsync, auditor);
                }

                if (parse.GetValue(once))
                {
                    WatchPassResult result;
                    using (var auditor = NewAuditor())
                    {
                        result = await RunPassAsync(runner, auditor, cancellationToken);
                    }

                    Write(console, result, line: false);
                    return !result.Completed ? ExitCode.Incomplete : result.HasOpenErrors ? ExitCode.Findings : ExitCode.Success;
                }

                await console.Error.WriteLineAsync($"mailtls watch: {cfg.Domains.Count} domain(s) every {Durations.Describe((long)cfg.Interval.TotalSeconds)}; store {ReportDatabase.Redact(store.Description)}; sinks: {(sinks.Count == 0 ? "none" : string.Join(", ", sinks.Select(s => s.Name)))}");
                while (!cancellationToken.IsCancellationRequested)
                {
                    var started = TimeProvider.System.GetTimestamp();
                    try
                    {
                        using var auditor = NewAuditor();
                        var result = await RunPassAsync(runner, auditor, cancellationToken);
                        Write(console, result, line: true);
                    }
                    catch (IOException e)
                    {
                        // The daemon outlives a database outage: the next pass tries again.
                        await console.Error.WriteLineAsync("mailtls watch: pass failed: " + e.Message);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    var wait = cfg.Interval - TimeProvider.System.GetElapsedTime(started);
                    try
                    {
                        await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                await console.Error.WriteLineAsync("mailtls watch: stopped");
                return ExitCode.Success;
            }
            finally
            {
                foreach (var s in sinks.OfType<IDisposable>())
                {
                    s.Dispose();
                }
            }
        });
        command.Subcommands.Add(Alerts(context));
        return command;
    }

    private static Command Alerts(CliContext context)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Watch configuration (for its db)." };
        var db = new Option<string?>("--db") { Description = "SQLite file or postgres://… URL (default: the configuration's db, else $MAILTLS_DB, else $XDG_DATA_HOME/mailtls/mailtls.db)." };
        var domain = new Option<string?>("--domain") { Description = "Only this domain." };
        var all = new Option<bool>("--all") { Description = "Resolved alerts too (newest first), not only the open ones." };
        var command = new Command("alerts", "List the stored alerts (open ones by default).") { config, db, domain, all };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var cfgPath = parse.GetValue(config);
            var cfg = cfgPath is null ? null : await LoadAsync(cfgPath, cancellationToken);
            await using var store = await OpenAsync(parse.GetValue(db) ?? cfg?.Database, cancellationToken);
            var d = parse.GetValue(domain);
            var name = d is null ? null : DnsName.TryNormalize(d) ?? throw new UsageException("--domain: not a domain name: " + d);
            var alerts = parse.GetValue(all)
                ? await store.AlertsAsync(name, 1000, cancellationToken)
                : [.. (await store.OpenAlertsAsync(cancellationToken)).Where(a => name is null || a.Domain == name)];
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonArray([.. alerts.Select(a => (JsonNode)AlertPayload.Alert(a))]));
            }
            else
            {
                foreach (var a in alerts)
                {
                    await console.Out.WriteLineAsync(string.Join('\t', a.IsOpen ? "open" : "resolved", a.Severity.ToString().ToLowerInvariant(), a.Domain, a.Kind, a.Subject,
                        a.OpenedAt.ToString("u", CultureInfo.InvariantCulture), a.ResolvedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-"));
                }
            }

            return alerts.Any(a => a.IsOpen && a.Severity == Findings.Severity.Error) ? ExitCode.Findings : ExitCode.Success;
        });
        return command;
    }

    private static async Task<WatchPassResult> RunPassAsync(WatchRunner runner, PassAuditor auditor, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunPassAsync(auditor, cancellationToken);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new IOException("database unavailable: " + e.Message, e);
        }
    }

    /// <summary>The pass clock: real time, or <c>--now</c> plus the time elapsed since start.</summary>
    private static TimeProvider Clock(string? now)
    {
        if (now is null)
        {
            return TimeProvider.System;
        }

        if (!DateTimeOffset.TryParse(now, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            throw new UsageException($"--now: '{now}' is not an ISO 8601 time, e.g. 2026-05-01T12:00:00Z");
        }

        return new ShiftedTimeProvider(t - TimeProvider.System.GetUtcNow());
    }

    private static async Task<WatchConfig> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var text = await InputFiles.ReadTextAsync(path, Limits.WatchConfigMaxBytes, cancellationToken);
        var cfg = WatchConfig.Parse(text, out var errors);
        return errors.Count > 0 ? throw new UsageException(path + ": " + string.Join("; ", errors)) : cfg;
    }

    private static async Task<SqlReportStore> OpenAsync(string? db, CancellationToken cancellationToken)
    {
        try
        {
            return await ReportDatabase.OpenAsync(db, cancellationToken: cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("db: " + e.Message);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new IOException($"database {ReportDatabase.Redact(db ?? ReportDatabase.DefaultLocation())} unavailable: {e.Message}", e);
        }
    }

    /// <summary>The configured sinks with their secrets read now (a missing secret is a usage error before any pass).</summary>
    private static async Task<IReadOnlyList<IAlertSink>> SinksAsync(WatchConfig cfg, TimeProvider time, CancellationToken cancellationToken)
    {
        var sinks = new List<IAlertSink>();
        foreach (var w in cfg.Webhooks)
        {
            var secret = w.SecretFile is null ? null : System.Text.Encoding.UTF8.GetBytes(await SecretAsync(w.SecretFile, $"sink {w.Name}: secret_file", cancellationToken));
            sinks.Add(new WebhookSink(w, secret));
        }

        foreach (var e in cfg.Emails)
        {
            string? password = null;
            if (e.PasswordFile is { } file)
            {
                password = await SecretAsync(file, $"sink {e.Name}: password_file", cancellationToken);
            }
            else if (e.PasswordEnv is { } env)
            {
                password = Environment.GetEnvironmentVariable(env) is { Length: > 0 } p ? p : throw new UsageException($"sink {e.Name}: password_env: ${env} is not set");
            }

            IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2>? roots = null;
            if (e.CaFile is { } ca)
            {
                var pem = PemReader.ReadCertificates(await InputFiles.ReadTextAsync(ca, Limits.PemMaxBytes + 1, cancellationToken));
                roots = pem.IsSuccess && pem.Certificates.Count > 0 ? pem.Certificates : throw new UsageException($"sink {e.Name}: ca_file {ca}: {pem.Error ?? "no certificate"}");
            }

            sinks.Add(new EmailSink(e, password, roots) { Time = time });
        }

        return sinks;
    }

    private static async Task<string> SecretAsync(string path, string what, CancellationToken cancellationToken)
    {
        try
        {
            var text = (await InputFiles.ReadTextAsync(path, Limits.WatchSecretMaxBytes, cancellationToken)).TrimEnd('\r', '\n');
            return text.Length > 0 ? text : throw new UsageException($"{what} {path} is empty");
        }
        catch (UsageException e)
        {
            throw new UsageException($"{what}: {e.Message}");
        }
    }

    private static void Write(CliConsole console, WatchPassResult r, bool line)
    {
        if (console.Json)
        {
            var o = Json(r);
            if (line)
            {
                console.Out.WriteLine(JsonOutput.Line(o));
            }
            else
            {
                JsonOutput.Write(console, o);
            }

            return;
        }

        var opened = r.Domains.SelectMany(d => d.Changes.Opened).ToList();
        var resolved = r.Domains.SelectMany(d => d.Changes.Resolved).ToList();
        var incomplete = r.Domains.Count(d => !d.Completed);
        var ansi = console.Ansi;
        ansi.MarkupLine(Markup.Escape($"watch pass {r.StartedAt.ToString("u", CultureInfo.InvariantCulture)}: {r.Domains.Count} domain(s) audited{(incomplete > 0 ? $" ({incomplete} incomplete)" : string.Empty)}; {opened.Count} new, {resolved.Count} resolved, {r.Open.Count} open ({r.Open.Count(a => a.Severity == Findings.Severity.Error)} error)"));
        foreach (var a in opened)
        {
            ansi.MarkupLine($"  [{(a.Severity == Findings.Severity.Error ? "red" : "yellow")}]NEW     [/] {Markup.Escape($"{a.Severity.ToString().ToLowerInvariant(),-7} {a.Domain}  {a.Kind}  {a.Subject}: {a.Message}")}");
        }

        foreach (var a in resolved)
        {
            ansi.MarkupLine($"  [green]RESOLVED[/] {Markup.Escape($"{a.Domain}  {a.Kind}  {a.Subject}")}");
        }

        foreach (var d in r.Domains.Where(d => !d.Completed))
        {
            ansi.MarkupLine($"  [red]INCOMPLETE[/] {Markup.Escape(d.Summary)}");
        }

        if (r.Deliveries.Count > 0)
        {
            var failed = r.Deliveries.Where(x => x.State != NoticeState.Delivered).ToList();
            ansi.MarkupLine(Markup.Escape($"  notices: {r.Deliveries.Count - failed.Count} delivered" + (failed.Count > 0 ? $", {failed.Count} not: " + string.Join("; ", failed.Select(f => $"{f.Notice.Sink}: {f.Error}").Distinct()) : string.Empty)));
        }
    }

    /// <summary><c>{"started_at","finished_at","completed","domains":[…],"opened":[alert],"resolved":[alert],"open":[alert],"notices":[…]}</c>.</summary>
    internal static JsonObject Json(WatchPassResult r) => new()
    {
        ["started_at"] = r.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["finished_at"] = r.FinishedAt.ToString("O", CultureInfo.InvariantCulture),
        ["completed"] = r.Completed,
        ["domains"] = new JsonArray([.. r.Domains.Select(d => (JsonNode)new JsonObject
        {
            ["domain"] = d.Domain,
            ["audit_id"] = d.AuditId,
            ["completed"] = d.Completed,
            ["summary"] = d.Summary,
            ["errors"] = d.Errors,
            ["warnings"] = d.Warnings,
            ["tlsrpt"] = d.Reports is not { } t ? null : new JsonObject
            {
                ["evaluated"] = t.Evaluated,
                ["window_sessions"] = t.WindowSessions,
                ["window_failures"] = t.WindowFailures,
                ["baseline_sessions"] = t.BaselineSessions,
                ["baseline_failures"] = t.BaselineFailures,
            },
        })]),
        ["opened"] = new JsonArray([.. r.Domains.SelectMany(d => d.Changes.Opened).Select(a => (JsonNode)AlertPayload.Alert(a))]),
        ["resolved"] = new JsonArray([.. r.Domains.SelectMany(d => d.Changes.Resolved).Select(a => (JsonNode)AlertPayload.Alert(a))]),
        ["open"] = new JsonArray([.. r.Open.Select(a => (JsonNode)AlertPayload.Alert(a))]),
        ["notices"] = new JsonArray([.. r.Deliveries.Select(n => (JsonNode)new JsonObject
        {
            ["notice_id"] = n.Notice.Id,
            ["sink"] = n.Notice.Sink,
            ["event"] = AlertPayload.EventName(n.Notice.Event),
            ["alert_id"] = n.Notice.Alert.Id,
            ["state"] = n.State.ToString().ToLowerInvariant(),
            ["error"] = n.Error,
        })]),
    };

    /// <summary>The system clock shifted by a fixed offset (<c>--now</c>).</summary>
    private sealed class ShiftedTimeProvider(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
