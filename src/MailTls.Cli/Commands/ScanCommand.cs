using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MailTls.Audit;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Scan;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls scan FILE|- [--concurrency N] [--output FILE.jsonl] [--resume] [--only PARTS] [--resolver …]
/// [--trust-anchor FILE] [--timeout S]</c>: the check of every domain of a list (issue 6) with one shared auditor
/// (DNS cache, DNSSEC zones, one STARTTLS probe per MX address and SNI), bounded concurrency, one check object per
/// line written and flushed as each domain completes, and a summary at the end (<c>--json</c>: as data).
/// Exit 0 no error findings, 1 a domain has error findings, 2 usage, 3 a domain could not be checked or the scan was interrupted.
/// </summary>
internal static class ScanCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("FILE") { Description = "Domain list, one a line ('#' comments and blank lines ignored); '-' reads stdin." };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Domains audited at once.",
            DefaultValueFactory = _ => Limits.ScanDefaultConcurrency,
        };
        var output = new Option<string?>("--output") { Description = "Write the check objects here, one JSON line per domain (JSONL), appended as each completes. Default: stdout." };
        var resume = new Option<bool>("--resume") { Description = "Skip domains already in --output (a truncated last line from a crash is dropped)." };
        var only = new Option<string[]>("--only")
        {
            Description = "Limit the work: comma-separated parts of mta-sts, tls-rpt, dane, dnssec, smtp, caa (default: all).",
            AllowMultipleArgumentsPerToken = false,
        };
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
        var caaIssuer = new Option<string[]>("--caa-issuer")
        {
            Description = "Extra CA for the CAA check: 'ISSUER-ORG=CAA-DOMAIN[,DOMAIN]'; repeatable. Also read from $MAILTLS_CAA_ISSUERS.",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("scan", "Audit many domains (the check of each, as JSON lines) with shared caches, bounded concurrency and a summary.")
        {
            input, concurrency, output, resume, only, resolver, anchorFile, timeout, caaIssuer,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var n = parse.GetValue(concurrency);
            if (n < 1 || n > Limits.ScanMaxConcurrency)
            {
                throw new UsageException($"--concurrency must be between 1 and {Limits.ScanMaxConcurrency}");
            }

            var seconds = parse.GetValue(timeout);
            if (seconds is <= 0 or > 300)
            {
                throw new UsageException("--timeout must be between 0 and 300 seconds");
            }

            var parts = ScanOnly.Parse(parse.GetValue(only), out var onlyError);
            if (onlyError is not null)
            {
                throw new UsageException(onlyError);
            }

            var outputPath = parse.GetValue(output);
            var doResume = parse.GetValue(resume);
            if (doResume && outputPath is null)
            {
                throw new UsageException("--resume needs --output FILE.jsonl");
            }

            if (console.Json && outputPath is null)
            {
                throw new UsageException("--json prints the summary on stdout; give --output FILE.jsonl for the results");
            }

            var inputPath = parse.GetValue(input) ?? "-";
            if (inputPath != "-" && !File.Exists(inputPath))
            {
                throw new UsageException("no such file: " + inputPath);
            }

            var caaTable = CheckCommand.CaaIssuers(parse.GetValue(caaIssuer) ?? []);
            var servers = await DnssecCommand.ServersAsync(parse.GetValue(resolver) ?? [], cancellationToken);
            var anchors = await DnssecCommand.AnchorsAsync(parse.GetValue(anchorFile), cancellationToken);
            var step = TimeSpan.FromSeconds(seconds);
            var options = CheckCommand.Options(step, probeSmtp: true, caaTable) with { Parts = parts };

            IReadOnlySet<string> done = new HashSet<string>(StringComparer.Ordinal);
            Stream? file = null;
            TextWriter sink;
            if (outputPath is not null)
            {
                file = new FileStream(outputPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
                if (doResume)
                {
                    ScanResumeState state;
                    try
                    {
                        state = ScanResume.Read(file);
                    }
                    catch (InvalidDataException e)
                    {
                        await file.DisposeAsync();
                        throw new UsageException(e.Message);
                    }

                    done = state.Done;
                    file.SetLength(state.ValidLength);
                    if (state.DroppedTail)
                    {
                        await console.Error.WriteLineAsync($"mailtls scan: --resume dropped a partial last line of {outputPath}");
                    }
                }
                else
                {
                    file.SetLength(0);
                }

                file.Seek(0, SeekOrigin.End);
                sink = new StreamWriter(file, new UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" };
            }
            else
            {
                sink = console.Out;
            }

            var summary = new ScanSummary();
            summary.AddSkipped(0);
            var clock = Stopwatch.StartNew();
            var interrupted = false;
            using var auditor = new DomainAuditor(new CachingDnsResolver(CheckCommand.Stub(servers, step), Limits.ScanDnsCacheMaxEntries), anchors, options);
            try
            {
                var showProgress = console.Color && outputPath is not null;
                var total = showProgress && inputPath != "-" ? CountDomains(inputPath) : (int?)null;
                var run = RunAsync(inputPath, done, n, auditor, summary, sink, console, cancellationToken);
                if (showProgress)
                {
                    interrupted = await WithProgressAsync(run, summary, total, done.Count, clock);
                }
                else
                {
                    interrupted = await run;
                }
            }
            finally
            {
                await sink.FlushAsync(CancellationToken.None);
                if (file is not null)
                {
                    await sink.DisposeAsync();
                }
            }

            var elapsed = clock.Elapsed;
            if (console.Json)
            {
                JsonOutput.Write(console, SummaryJson(summary, parts, elapsed, interrupted, auditor.ProbesStarted, auditor.PolicyFetchesStarted, outputPath));
            }
            else
            {
                var target = outputPath is null
                    ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(console.Error), Interactive = InteractionSupport.No })
                    : console.Ansi;
                WriteSummary(target, summary, parts, elapsed, interrupted, auditor.ProbesStarted, outputPath);
            }

            if (interrupted || summary.Incomplete > 0)
            {
                return ExitCode.Incomplete;
            }

            return summary.WithErrors > 0 ? ExitCode.Findings : ExitCode.Success;
        });
        return command;
    }

    /// <summary>Reads the list, audits with <paramref name="concurrency"/> workers, writes a line per domain. True when interrupted.</summary>
    private static async Task<bool> RunAsync(string inputPath, IReadOnlySet<string> done, int concurrency, DomainAuditor auditor, ScanSummary summary, TextWriter sink, CliConsole console, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<string>(new BoundedChannelOptions(concurrency * 2) { SingleWriter = true });
        var writeGate = new SemaphoreSlim(1, 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;

        async Task ProduceAsync()
        {
            try
            {
                using var reader = inputPath == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(inputPath);
                await foreach (var line in ScanInput.ReadAsync(reader, token))
                {
                    if (line.Domain is null)
                    {
                        summary.AddInvalidLine();
                        await console.Error.WriteLineAsync("mailtls scan: " + line.Error);
                    }
                    else if (done.Contains(line.Domain))
                    {
                        summary.AddSkipped(1);
                    }
                    else
                    {
                        await queue.Writer.WriteAsync(line.Domain, token);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                queue.Writer.TryComplete();
            }
        }

        async Task ConsumeAsync()
        {
            await foreach (var domain in queue.Reader.ReadAllAsync(token))
            {
                var result = await auditor.AuditAsync(domain, token);
                var line = JsonOutput.Line(CheckJson.Domain(result));
                await writeGate.WaitAsync(CancellationToken.None);
                try
                {
                    await sink.WriteAsync(line + "\n");
                    await sink.FlushAsync(CancellationToken.None);
                    summary.Add(result);
                }
                finally
                {
                    writeGate.Release();
                }
            }
        }

        var producer = ProduceAsync();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(ConsumeAsync, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException)
        {
        }

        await stop.CancelAsync();
        await producer;
        foreach (var w in workers)
        {
            if (w.IsFaulted && w.Exception?.InnerException is not OperationCanceledException)
            {
                await w; // rethrow a real failure
            }
        }

        writeGate.Dispose();
        return cancellationToken.IsCancellationRequested;
    }

    private static async Task<bool> WithProgressAsync(Task<bool> run, ScanSummary summary, int? total, int skippedAtStart, Stopwatch clock)
    {
        var progressConsole = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = InteractionSupport.Yes,
        });
        var result = false;
        await progressConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("scan", maxValue: total is { } t ? Math.Max(1, t - skippedAtStart) : 1);
                task.IsIndeterminate = total is null;
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(250));
                    var rate = summary.Domains / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                    task.Value = summary.Domains;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{summary.Domains} domains, {rate:F0}/s");
                }

                result = await run;
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Domains in a list file (for the progress bar's ETA): lines that are neither blank nor comments.</summary>
    private static int CountDomains(string path)
    {
        var count = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (ScanInput.ParseLine(line, 0) is { Domain: not null })
            {
                count++;
            }
        }

        return count;
    }

    internal static JsonObject SummaryJson(ScanSummary s, AuditParts parts, TimeSpan elapsed, bool interrupted, int probes, int fetches, string? output)
    {
        var errors = new JsonObject();
        foreach (var (code, count) in s.ErrorsByCode)
        {
            errors[code] = count;
        }

        var modes = new JsonObject();
        foreach (var (mode, count) in s.StsModes)
        {
            modes[mode] = count;
        }

        return new JsonObject
        {
            ["domains"] = s.Domains,
            ["with_mta_sts"] = s.WithMtaSts,
            ["with_dane"] = s.WithDane,
            ["errors_by_code"] = errors,
            ["with_mta_sts_record"] = s.WithMtaStsRecord,
            ["with_tls_rpt"] = s.WithTlsRpt,
            ["dnssec_secure"] = s.DnssecSigned,
            ["null_mx"] = s.NullMx,
            ["with_errors"] = s.WithErrors,
            ["incomplete"] = s.Incomplete,
            ["skipped"] = s.Skipped,
            ["invalid_lines"] = s.InvalidLines,
            ["interrupted"] = interrupted,
            ["only"] = ScanOnly.Format(parts),
            ["mta_sts_modes"] = modes,
            ["top_findings"] = new JsonArray([.. s.TopFindings().Select(kv => (JsonNode)new JsonObject { ["code"] = kv.Key, ["domains"] = kv.Value })]),
            ["slowest_hosts"] = new JsonArray([.. s.SlowestHosts().Select(h => (JsonNode)new JsonObject { ["host"] = h.Host, ["address"] = h.Address, ["seconds"] = h.Seconds })]),
            ["smtp_probes"] = probes,
            ["policy_fetches"] = fetches,
            ["elapsed_seconds"] = Math.Round(elapsed.TotalSeconds, 2),
            ["domains_per_second"] = Math.Round(s.Domains / Math.Max(0.001, elapsed.TotalSeconds), 1),
            ["output"] = output,
        };
    }

    private static void WriteSummary(IAnsiConsole ansi, ScanSummary s, AuditParts parts, TimeSpan elapsed, bool interrupted, int probes, string? output)
    {
        static string Pct(int part, int whole) => whole == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole:F1} %");
        var rate = s.Domains / Math.Max(0.001, elapsed.TotalSeconds);
        ansi.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Scanned {s.Domains} domain(s) in {elapsed.TotalSeconds:F1} s ({rate:F1}/s), {probes} STARTTLS probe(s); parts: {ScanOnly.Format(parts)}{(s.Skipped > 0 ? $"; {s.Skipped} skipped (--resume)" : string.Empty)}{(s.InvalidLines > 0 ? $"; {s.InvalidLines} invalid line(s)" : string.Empty)}{(interrupted ? "; INTERRUPTED" : string.Empty)}{(output is null ? string.Empty : "; results in " + output)}.")));
        var adoption = new Table().Title("Adoption").AddColumn("").AddColumn(new TableColumn("domains").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        void Row(string label, int count) => adoption.AddRow(Markup.Escape(label), count.ToString(CultureInfo.InvariantCulture), Pct(count, s.Domains));
        Row("MTA-STS record", s.WithMtaStsRecord);
        Row("MTA-STS policy", s.WithMtaSts);
        foreach (var (mode, count) in s.StsModes)
        {
            Row("  mode " + mode, count);
        }

        Row("TLS-RPT", s.WithTlsRpt);
        Row("DANE (usable TLSA)", s.WithDane);
        Row("DNSSEC secure", s.DnssecSigned);
        Row("null MX", s.NullMx);
        Row("with errors", s.WithErrors);
        Row("incomplete", s.Incomplete);
        ansi.Write(adoption);

        var top = s.TopFindings();
        if (top.Count > 0)
        {
            var t = new Table().Title("Most frequent findings").AddColumn("code").AddColumn(new TableColumn("domains").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            foreach (var (code, count) in top)
            {
                t.AddRow(Markup.Escape(code), count.ToString(CultureInfo.InvariantCulture), Pct(count, s.Domains));
            }

            ansi.Write(t);
        }

        var slow = s.SlowestHosts();
        if (slow.Count > 0)
        {
            var t = new Table().Title("Slowest hosts (STARTTLS probe)").AddColumn("host").AddColumn("address").AddColumn(new TableColumn("seconds").RightAligned());
            foreach (var h in slow)
            {
                t.AddRow(Markup.Escape(h.Host), Markup.Escape(h.Address), h.Seconds.ToString("F3", CultureInfo.InvariantCulture));
            }

            ansi.Write(t);
        }
    }
}
