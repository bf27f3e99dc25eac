using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Findings;
using MailTls.TlsRpt;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary><c>lint tlsrpt-record TEXT</c> (RFC 8460 §3) and <c>lint tlsrpt-report FILE</c> (RFC 8460 §4, §5).</summary>
internal static class LintTlsRpt
{
    public static Command RecordCommand(CliContext context)
    {
        var text = new Argument<string>("TEXT") { Description = "The _smtp._tls TXT record value, e.g. 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com'." };
        var command = new Command("tlsrpt-record", "Validate a TLS-RPT TXT record (RFC 8460 §3).") { text };
        command.SetAction(parse =>
        {
            var console = context.Console(parse);
            var result = TlsRptRecordParser.Parse(parse.GetRequiredValue(text));
            JsonNode? parsed = result.Record is { } r
                ? new JsonObject
                {
                    ["version"] = "TLSRPTv1",
                    ["rua"] = JsonOutput.Strings(r.Rua.Select(u => u.OriginalString)),
                    ["extensions"] = new JsonObject([.. r.Extensions.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
                }
                : null;
            return LintCommand.Report(console, "TLS-RPT TXT record", result.IsValid, result.Findings, parsed, () =>
                console.Ansi.MarkupLine($"rua: [bold]{Markup.Escape(string.Join(", ", result.Record!.Rua.Select(u => u.OriginalString)))}[/]"));
        });
        return command;
    }

    public static Command ReportCommand(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A report: .json, .json.gz, .zip, or the e-mail carrying it (.eml); - for stdin." };
        var command = new Command("tlsrpt-report", "Read a TLS-RPT report tolerantly and list its deviations from RFC 8460.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var path = parse.GetRequiredValue(file);
            var cap = Math.Max(Limits.TlsRptMaxMessageBytes, Limits.TlsRptMaxCompressedBytes) + 1;
            var bytes = await InputFiles.ReadAsync(path, cap, cancellationToken);
            var fileName = path == "-" ? null : Path.GetFileName(path);
            if (TlsRptReportReader.Sniff(bytes) != TlsRptPayloadFormat.Unknown || bytes.Length > Limits.TlsRptMaxMessageBytes)
            {
                var direct = TlsRptReportReader.Read(bytes, fileName);
                return Report(console, direct.IsValid, direct.Findings, direct.Report is { } r ? [r] : [], null);
            }

            // Not JSON, gzip or zip: read it as the e-mail that carries the report (RFC 8460 §5.3).
            using var stream = new MemoryStream(bytes, writable: false);
            var message = await TlsRptMessageReader.ReadAsync(stream, cancellationToken);
            var findings = message.Findings.Concat(message.Reports.SelectMany(p => p.Findings.Concat(p.Result.Findings))).ToList();
            var reports = message.Reports.Where(p => p.Report is not null).Select(p => p.Report!).ToList();
            return Report(console, message.IsValid, findings, reports, message.Envelope);
        });
        return command;
    }

    private static int Report(CliConsole console, bool valid, IReadOnlyList<Finding> findings, List<TlsRptReport> reports, TlsRptEnvelope? envelope)
    {
        JsonNode? parsed = null;
        if (reports.Count == 1 && envelope is null)
        {
            parsed = ReportJson(reports[0]);
        }
        else if (envelope is not null || reports.Count > 1)
        {
            parsed = new JsonObject
            {
                ["envelope"] = envelope is null ? null : new JsonObject
                {
                    ["tls_report_domain"] = envelope.ReportDomain,
                    ["tls_report_submitter"] = envelope.ReportSubmitter,
                    ["subject"] = envelope.Subject,
                    ["message_id"] = envelope.MessageId,
                    ["subject_report_id"] = envelope.SubjectReportId,
                },
                ["reports"] = new JsonArray([.. reports.Select(r => (JsonNode)ReportJson(r))]),
            };
        }

        var what = reports.Count > 1 ? $"TLS-RPT message with {reports.Count} reports" : "TLS-RPT report";
        return LintCommand.Report(console, what, valid, findings, parsed, () =>
        {
            foreach (var r in reports)
            {
                WriteText(console, r);
            }
        });
    }

    /// <summary>The normalised report in RFC 8460 wire form, plus exact session totals.</summary>
    private static JsonObject ReportJson(TlsRptReport report)
    {
        var node = JsonNode.Parse(TlsRptReportWriter.ToJson(report))!.AsObject();
        node["successful_sessions"] = report.TotalSuccessfulSessions;
        node["failed_sessions"] = report.TotalFailureSessions;
        return node;
    }

    private static void WriteText(CliConsole console, TlsRptReport report)
    {
        var range = report.DateRange is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"{d.StartDatetime:yyyy-MM-dd HH:mm} – {d.EndDatetime:yyyy-MM-dd HH:mm} UTC")
            : "no date range";
        console.Ansi.MarkupLine($"[bold]{Markup.Escape(report.OrganizationName ?? "(no organization-name)")}[/] report {Markup.Escape(report.ReportId ?? "(no report-id)")}, {Markup.Escape(range)}");
        var table = new Table().Border(TableBorder.Simple).AddColumn("policy").AddColumn("domain").AddColumn(new TableColumn("successful").RightAligned()).AddColumn(new TableColumn("failed").RightAligned()).AddColumn("failures");
        foreach (var p in report.Policies)
        {
            var failures = string.Join("; ", (p.FailureDetails ?? []).Select(f => $"{f.RawResultType} ×{f.FailedSessionCount}" + (f.ReceivingMxHostname is { } mx ? $" at {mx}" : string.Empty)));
            table.AddRow(
                Markup.Escape(p.Policy.RawPolicyType ?? "?"),
                Markup.Escape(p.Policy.PolicyDomain ?? "?"),
                p.Summary.TotalSuccessfulSessionCount.ToString(CultureInfo.InvariantCulture),
                p.Summary.TotalFailureSessionCount.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(failures));
        }

        console.Ansi.Write(table);
        console.Ansi.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"sessions: [green]{report.TotalSuccessfulSessions} successful[/], [red]{report.TotalFailureSessions} failed[/] (summed over every policy, as reported)"));
    }
}
