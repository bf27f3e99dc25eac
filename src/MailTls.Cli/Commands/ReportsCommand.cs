using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.MtaSts;
using MailTls.Reports;
using MailTls.Reports.Storage;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls reports import|fetch|summary|show|readiness|chart</c> (design §4): ingest TLS-RPT reports into the store
/// and answer the operator's questions from it. Exit 0 success, 1 some input rejected / not ready / not found,
/// 2 usage, 3 store or mailbox unavailable.
/// </summary>
internal static class ReportsCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("reports", "Ingest TLS-RPT reports (files, IMAP) and analyse them.");
        command.Subcommands.Add(Import(context));
        command.Subcommands.Add(Fetch(context));
        command.Subcommands.Add(Summary(context));
        command.Subcommands.Add(Show(context));
        command.Subcommands.Add(Readiness(context));
        command.Subcommands.Add(Chart(context));
        return command;
    }

    private static Option<string?> DbOption() => new("--db")
    {
        Description = "SQLite file or postgres://user:pass@host:port/db (default: $MAILTLS_DB, else $XDG_DATA_HOME/mailtls/mailtls.db).",
    };

    private static async Task<SqlReportStore> OpenAsync(string? db, CancellationToken cancellationToken)
    {
        try
        {
            return await ReportDatabase.OpenAsync(db, cancellationToken: cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--db: " + e.Message);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new IOException($"database {ReportDatabase.Redact(db ?? ReportDatabase.DefaultLocation())} unavailable: {e.Message}", e);
        }
    }

    private static Command Import(CliContext context)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Report files (.json, .json.gz, .zip, .eml, mbox) or directories.", Arity = ArgumentArity.OneOrMore };
        var db = DbOption();
        var command = new Command("import", "Import report files and directories into the store.") { paths, db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            await using var store = await OpenAsync(parse.GetValue(db), cancellationToken);
            await using var ingestor = new ReportIngestor(store);
            ImportTally tally;
            try
            {
                tally = await ReportFileImporter.ImportAsync(ingestor, parse.GetRequiredValue(paths), cancellationToken: cancellationToken);
            }
            catch (FileNotFoundException e)
            {
                throw new UsageException(e.Message);
            }

            return WriteTally(console, tally);
        });
        return command;
    }

    private static Command Fetch(CliContext context)
    {
        var url = new Option<string>("--imap") { Description = "imaps://user@host[:port]/MAILBOX (no password in the URL).", Required = true };
        var passwordFile = new Option<string?>("--password-file") { Description = "File holding the IMAP password (else $MAILTLS_IMAP_PASSWORD)." };
        var moveTo = new Option<string>("--move-to") { Description = "Folder for processed messages (created if missing).", DefaultValueFactory = _ => "TLS-RPT/processed" };
        var flag = new Option<bool>("--flag") { Description = "Flag processed messages (\\Seen, $TLSRPT-Processed) instead of moving them." };
        var watch = new Option<bool>("--watch") { Description = "Keep running: wait for new mail with IMAP IDLE." };
        var db = DbOption();
        var command = new Command("fetch", "Fetch TLS-RPT mail from an IMAP mailbox; messages are moved only after their reports are stored.") { url, passwordFile, moveTo, flag, watch, db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            Uri uri;
            try
            {
                uri = ImapFetchSettings.ParseUrl(parse.GetRequiredValue(url));
            }
            catch (ArgumentException e)
            {
                throw new UsageException("--imap: " + e.Message);
            }

            var password = parse.GetValue(passwordFile) is { } file
                ? (await InputFiles.ReadTextAsync(file, 4096, cancellationToken)).TrimEnd('\r', '\n')
                : Environment.GetEnvironmentVariable("MAILTLS_IMAP_PASSWORD")
                  ?? throw new UsageException("no IMAP password: use --password-file FILE or set MAILTLS_IMAP_PASSWORD");
            var settings = new ImapFetchSettings { Url = uri, Password = password, MoveTo = parse.GetRequiredValue(moveTo), FlagOnly = parse.GetValue(flag) };
            await using var store = await OpenAsync(parse.GetValue(db), cancellationToken);
            await using var ingestor = new ReportIngestor(store);
            try
            {
                if (parse.GetValue(watch))
                {
                    await ImapReportFetcher.WatchAsync(ingestor, settings, t => WriteTally(console, t), cancellationToken);
                    return ExitCode.Success;
                }

                return WriteTally(console, await ImapReportFetcher.FetchAsync(ingestor, settings, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCode.Success;
            }
            catch (Exception e) when (e is MailKit.Security.AuthenticationException or MailKit.ProtocolException or MailKit.Net.Imap.ImapCommandException
                or System.Net.Sockets.SocketException or MailKit.FolderNotFoundException or System.Security.Authentication.AuthenticationException)
            {
                throw new IOException($"IMAP {uri.Host}: {e.Message}", e);
            }
        });
        return command;
    }

    private static int WriteTally(CliConsole console, ImportTally tally)
    {
        if (console.Json)
        {
            JsonOutput.Write(console, new JsonObject
            {
                ["imported"] = tally.Imported,
                ["duplicates"] = tally.Duplicates,
                ["rejected"] = tally.Rejected,
                ["errors"] = new JsonArray([.. tally.Errors.Select(e => (JsonNode)new JsonObject { ["source"] = e.Source, ["status"] = e.Status, ["reason"] = e.Reason })]),
            });
        }
        else
        {
            console.Out.WriteLine($"imported {tally.Imported}, duplicates {tally.Duplicates}, rejected {tally.Rejected}");
            foreach (var e in tally.Errors)
            {
                console.Out.WriteLine($"  {e.Status}: {e.Source}: {e.Reason}");
            }
        }

        return tally.Rejected > 0 ? ExitCode.Findings : ExitCode.Success;
    }

    private static Command Summary(CliContext context)
    {
        var db = DbOption();
        var domain = new Option<string?>("--domain") { Description = "Only this policy-domain." };
        var since = new Option<string?>("--since") { Description = "Only reports starting on or after: 30d, 12h, or YYYY-MM-DD." };
        var policyType = new Option<string?>("--policy-type") { Description = "sts or tlsa (or no-policy-found)." };
        var by = new Option<string?>("--by") { Description = "Group rows by result-type, sender, mx, ip, day or policy." };
        var csv = new Option<bool>("--csv") { Description = "Print rows as CSV." };
        var command = new Command("summary", "Sessions and failures over the stored reports.") { db, domain, since, policyType, by, csv };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var query = Query(parse, domain, since, policyType) with { By = Grouping(parse.GetValue(by)) };
            await using var store = await OpenAsync(parse.GetValue(db), cancellationToken);
            var result = await store.SummaryAsync(query, cancellationToken);
            if (console.Json)
            {
                JsonOutput.Write(console, ReportJson.Summary(query.By, result));
            }
            else if (parse.GetValue(csv))
            {
                var name = ReportJson.GroupName(query.By);
                console.Out.WriteLine($"{name},result_type,reports,successful_sessions,failed_sessions");
                foreach (var r in result.Rows)
                {
                    console.Out.WriteLine(string.Join(',', Csv(r.Key), Csv(r.ResultType ?? string.Empty), r.Reports, r.SuccessfulSessions, r.FailedSessions));
                }
            }
            else
            {
                console.Ansi.MarkupLine($"[bold]{result.Reports}[/] report(s): [green]{result.SuccessfulSessions}[/] successful, [red]{result.FailedSessions}[/] failed session(s) (summed over every policy, as reported)");
                if (result.Rows.Count > 0)
                {
                    var table = new Table().AddColumn(ReportJson.GroupName(query.By)).AddColumn("result type").AddColumn(new TableColumn("reports").RightAligned())
                        .AddColumn(new TableColumn("successful").RightAligned()).AddColumn(new TableColumn("failed").RightAligned());
                    foreach (var r in result.Rows)
                    {
                        table.AddRow(Markup.Escape(r.Key), Markup.Escape(r.ResultType ?? string.Empty), r.Reports.ToString(CultureInfo.InvariantCulture),
                            r.SuccessfulSessions.ToString(CultureInfo.InvariantCulture), r.FailedSessions.ToString(CultureInfo.InvariantCulture));
                    }

                    console.Ansi.Write(table);
                }
            }

            return ExitCode.Success;
        });
        return command;
    }

    private static string Csv(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static SummaryGrouping Grouping(string? by) => ReportJson.TryParseGrouping(by, out var g)
        ? g
        : throw new UsageException($"--by {by}: expected {string.Join(", ", ReportJson.GroupingWords)}");

    private static SummaryQuery Query(ParseResult parse, Option<string?> domain, Option<string?> since, Option<string?> policyType)
    {
        var type = parse.GetValue(policyType);
        if (!ReportJson.IsPolicyType(type))
        {
            throw new UsageException($"--policy-type {type}: expected sts, tlsa or no-policy-found");
        }

        return new SummaryQuery(parse.GetValue(domain), parse.GetValue(since) is { } s ? Since(s, DateTimeOffset.UtcNow) : null, type);
    }

    internal static DateTimeOffset Since(string text, DateTimeOffset now) => ReportJson.TryParseSince(text, now, out var since)
        ? since
        : throw new UsageException($"--since {text}: expected Nd, Nh or YYYY-MM-DD");

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("REPORT-ID") { Description = "The report-id from the report JSON." };
        var db = DbOption();
        var command = new Command("show", "Show a stored report: key, revisions, deviations, policies and failure details.") { id, db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            await using var store = await OpenAsync(parse.GetValue(db), cancellationToken);
            var reports = await store.FindAsync(parse.GetRequiredValue(id), cancellationToken);
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject { ["reports"] = new JsonArray([.. reports.Select(r => (JsonNode)ReportJson.Report(r))]) });
            }
            else if (reports.Count == 0)
            {
                console.Error.WriteLine($"no stored report with report-id {parse.GetRequiredValue(id)}");
            }
            else
            {
                foreach (var r in reports)
                {
                    WriteShow(console, r);
                }
            }

            return reports.Count == 0 ? ExitCode.Findings : ExitCode.Success;
        });
        return command;
    }

    private static void WriteShow(CliConsole console, StoredReport r)
    {
        var a = console.Ansi;
        a.MarkupLine($"[bold]{Markup.Escape(r.ReportId)}[/] from [bold]{Markup.Escape(r.OrganizationName ?? r.Sender)}[/] ({Markup.Escape(r.Sender)}), {r.Start:yyyy-MM-dd HH:mm} – {r.End:yyyy-MM-dd HH:mm} UTC, revision {r.Revision}{(r.IsCurrent ? string.Empty : " (superseded)")}");
        a.MarkupLine($"  source {Markup.Escape(r.SourceKind)} {Markup.Escape(r.SourceName ?? string.Empty)}; sha256 {r.ContentSha256[..16]}…");
        foreach (var p in r.Policies)
        {
            a.MarkupLine($"  policy [bold]{Markup.Escape(p.PolicyType)}[/] {Markup.Escape(p.PolicyDomain ?? "?")}: [green]{p.SuccessfulSessions}[/] successful, [red]{p.FailedSessions}[/] failed"
                + (p.StsMode is null ? string.Empty : $"; mode {p.StsMode}, max_age {p.StsMaxAge}, mx {Markup.Escape(string.Join(" ", p.StsMx ?? []))}")
                + (p.TlsaRecords is null ? string.Empty : $"; {p.TlsaRecords.Count} TLSA record(s)"));
            foreach (var f in p.Failures)
            {
                a.MarkupLine($"    [red]{Markup.Escape(f.ResultType)}[/] × {f.FailedSessions} mx {Markup.Escape(f.ReceivingMxHostname ?? "-")} ip {Markup.Escape(f.ReceivingIp ?? "-")} {Markup.Escape(f.FailureReasonCode ?? string.Empty)}");
                a.MarkupLine($"      fix: {Markup.Escape(ReadinessAnalyzer.FixFor(f.ResultType))}");
            }
        }

        foreach (var d in r.Deviations)
        {
            a.MarkupLine($"  deviation [yellow]{Markup.Escape(d.Code)}[/]: {Markup.Escape(d.Message)}");
        }
    }

    private static Command Readiness(CliContext context)
    {
        var domain = new Argument<string>("DOMAIN") { Description = "The policy domain." };
        var days = new Option<int>("--days") { Description = "Window in days.", DefaultValueFactory = _ => Limits.ReadinessDefaultDays };
        var policy = new Option<string?>("--policy") { Description = "The published MTA-STS policy file (mta-sts.txt) to compare with." };
        var db = DbOption();
        var command = new Command("readiness", "Testing → enforce verdict for MTA-STS from the stored reports, with evidence.") { domain, days, policy, db };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var n = parse.GetValue(days);
            if (n is < 1 or > 3660)
            {
                throw new UsageException("--days must be between 1 and 3660");
            }

            StsPolicy? published = null;
            if (parse.GetValue(policy) is { } file)
            {
                var parsed = StsPolicyParser.Parse(await InputFiles.ReadAsync(file, Limits.StsPolicyMaxBytes + 1, cancellationToken));
                published = parsed.Policy ?? throw new UsageException($"--policy {file}: not a valid MTA-STS policy ({string.Join("; ", parsed.Findings.Where(f => f.IsError).Select(f => f.Message))})");
            }

            var now = DateTimeOffset.UtcNow;
            var name = parse.GetRequiredValue(domain).Trim().TrimEnd('.').ToLowerInvariant();
            await using var store = await OpenAsync(parse.GetValue(db), cancellationToken);
            var data = await store.ReadinessDataAsync(name, now.AddDays(-n), cancellationToken);
            var result = ReadinessAnalyzer.Analyze(name, data, n, now, published);
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject { ["domain"] = result.Domain, ["ready"] = result.Ready, ["reasons"] = JsonOutput.Findings(result.Reasons) });
            }
            else
            {
                console.Ansi.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {(result.Ready ? "[green bold]ready for enforce[/]" : "[red bold]not ready for enforce[/]")}");
                FindingsText.Write(console, result.Reasons);
            }

            return result.Ready ? ExitCode.Success : ExitCode.Findings;
        });
        return command;
    }

    private static Command Chart(CliContext context)
    {
        var output = new Option<string>("--out") { Description = "Output file: .svg or .png.", Required = true };
        var db = DbOption();
        var domain = new Option<string?>("--domain") { Description = "Only this policy-domain." };
        var since = new Option<string?>("--since") { Description = "Only reports starting on or after: 30d, 12h, or YYYY-MM-DD." };
        var policyType = new Option<string?>("--policy-type") { Description = "sts or tlsa." };
        var command = new Command("chart", "Chart successful and failed sessions per day (ScottPlot).") { output, db, domain, since, policyType };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var path = parse.GetRequiredValue(output);
            var svg = path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);
            if (!svg && !path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException("--out must end in .svg or .png");
            }

            var query = Query(parse, domain, since, policyType);
            await using var store = await OpenAsync(parse.GetValue(db), cancellationToken);
            var points = await store.DailyAsync(query, cancellationToken);
            ReportChart.Write(points, path, svg, query.Domain);
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject { ["out"] = path, ["days"] = points.Count });
            }
            else
            {
                console.Out.WriteLine($"wrote {path} ({points.Count} day(s))");
            }

            return ExitCode.Success;
        });
        return command;
    }
}

/// <summary>Sessions over time with ScottPlot 5 (a real plotting library): stacked successful / failed bars per UTC day.</summary>
internal static class ReportChart
{
    public static void Write(IReadOnlyList<DailyPoint> points, string path, bool svg, string? domain)
    {
        var plot = new ScottPlot.Plot();
        var x = points.Select(p => p.Date.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray();
        var ok = points.Select(p => (double)p.SuccessfulSessions).ToArray();
        var failed = points.Select(p => (double)p.FailedSessions).ToArray();
        var bars = new List<ScottPlot.Bar>();
        for (var i = 0; i < points.Count; i++)
        {
            bars.Add(new ScottPlot.Bar { Position = x[i], ValueBase = 0, Value = ok[i], FillColor = ScottPlot.Colors.SeaGreen, Size = 0.8 });
            bars.Add(new ScottPlot.Bar { Position = x[i], ValueBase = ok[i], Value = ok[i] + failed[i], FillColor = ScottPlot.Colors.Crimson, Size = 0.8 });
        }

        plot.Add.Bars(bars);
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Margins(bottom: 0);
        plot.Title("TLS-RPT sessions per day" + (domain is null ? string.Empty : " – " + domain));
        plot.YLabel("sessions");
        plot.Legend.IsVisible = true;
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "successful", FillColor = ScottPlot.Colors.SeaGreen });
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "failed", FillColor = ScottPlot.Colors.Crimson });
        if (svg)
        {
            plot.SaveSvg(path, 900, 400);
        }
        else
        {
            plot.SavePng(path, 900, 400);
        }
    }
}
