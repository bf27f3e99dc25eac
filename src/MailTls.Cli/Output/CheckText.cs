using System.Globalization;
using MailTls.Audit;
using MailTls.Dns.Dnssec;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Smtp;
using Spectre.Console;

namespace MailTls.Cli.Output;

/// <summary>Human report of <c>mailtls check</c>: sections, a table per MX address with the sender verdicts, findings with why and fix, a summary line.</summary>
internal static class CheckText
{
    public static void Write(CliConsole console, DomainAuditResult r)
    {
        var ansi = console.Ansi;
        ansi.MarkupLine($"[bold]mailtls check {Markup.Escape(r.Domain)}[/]  [grey]{r.CheckedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC, {r.Elapsed.TotalSeconds:0.0} s[/]");
        ansi.WriteLine();

        Section(ansi, "DNSSEC", r.Dnssec is null ? "not checked"
            : r.DsMissing ? "signed, but no DS at the parent (insecure)"
            : r.Dnssec.Status switch
            {
                DnssecStatus.Secure => "secure (validated from the root trust anchor)",
                DnssecStatus.Insecure => "not signed" + (r.Dnssec.InsecureCut is { } cut ? $" (chain of trust ends at {cut})" : string.Empty),
                DnssecStatus.Bogus => $"BOGUS ({r.Dnssec.Failure}): {r.Dnssec.Message}",
                _ => "indeterminate: " + r.Dnssec.Message,
            });

        if (!r.Completed)
        {
            ansi.MarkupLine($"[red bold]check incomplete:[/] {Markup.Escape(r.IncompleteReason ?? "unknown reason")}");
        }

        if (r.NullMx)
        {
            Section(ansi, "MX", "null MX (\"0 .\"): the domain accepts no mail");
        }

        if (!r.NullMx && r.Completed)
        {
            var sts = r.MtaSts;
            var record = sts.Discovery switch
            {
                StsDiscoveryResult.Found f => f.Record.Text,
                StsDiscoveryResult.NoPolicy n => n.Reason switch
                {
                    StsNoPolicyReason.MultipleRecords => "several v=STSv1 records (senders ignore them all)",
                    StsNoPolicyReason.InvalidRecord => "invalid record (senders ignore it)",
                    _ => "no record",
                },
                StsDiscoveryResult.TempFailure => "lookup failed",
                _ => "not checked",
            };
            Section(ansi, "MTA-STS", "TXT  " + record);
            if (sts.Fetch is { } fetch)
            {
                ansi.MarkupLine($"          [grey]fetch[/] {Markup.Escape(FetchLine(fetch))}");
            }

            if (sts.Policy is { } p)
            {
                ansi.MarkupLine($"          [grey]policy[/] mode {Markup.Escape(p.Mode.ToWireName())}, max_age {p.MaxAge.ToString(CultureInfo.InvariantCulture)}, mx {Markup.Escape(string.Join(", ", p.Mx))}");
            }

            Section(ansi, "TLS-RPT", r.TlsRpt.Selection?.RecordText ?? (r.TlsRpt.Status.ToString() is "NoData" or "NxDomain" ? "no record" : "lookup failed: " + r.TlsRpt.Status));
            ansi.WriteLine();
            WriteMxTable(console, r);
        }

        var problems = r.Findings.Where(f => f.Severity != Severity.Info).OrderByDescending(f => f.Severity).ToList();
        var infos = r.Findings.Where(f => f.Severity == Severity.Info).ToList();
        if (problems.Count > 0)
        {
            ansi.WriteLine();
            ansi.MarkupLine("[bold]Findings[/]");
            foreach (var f in problems)
            {
                var (label, style) = f.Severity == Severity.Error ? ("error  ", "red bold") : ("warning", "yellow");
                ansi.MarkupLine($"  [{style}]{label}[/] [bold]{Markup.Escape(f.Code)}[/] [grey]({Markup.Escape(f.Subject)})[/]");
                ansi.MarkupLine($"          {Markup.Escape(f.Message)}");
                ansi.MarkupLine($"          [grey]why:[/] {Markup.Escape(f.Why)}");
                ansi.MarkupLine($"          [grey]fix:[/] {Markup.Escape(f.Fix)}");
                ansi.MarkupLine($"          [grey]rule:[/] {Markup.Escape(f.Rule)}");
            }
        }

        if (infos.Count > 0)
        {
            ansi.WriteLine();
            ansi.MarkupLine("[bold]Notes[/]");
            foreach (var f in infos)
            {
                ansi.MarkupLine($"  [blue]info[/]    [bold]{Markup.Escape(f.Code)}[/] [grey]({Markup.Escape(f.Subject)})[/]: {Markup.Escape(f.Message)}");
            }
        }

        ansi.WriteLine();
        var errors = r.Findings.Any(f => f.Severity == Severity.Error);
        var color = !r.Completed ? "red" : errors ? "red bold" : r.Findings.Any(f => f.Severity == Severity.Warning) ? "yellow bold" : "green bold";
        ansi.MarkupLine($"[{color}]Summary:[/] {Markup.Escape(r.Summary)}");
    }

    private static void WriteMxTable(CliConsole console, DomainAuditResult r)
    {
        if (r.Mx.Count == 0)
        {
            Section(console.Ansi, "MX", "none");
            return;
        }

        var table = new Table { Border = console.Color ? TableBorder.Rounded : TableBorder.Simple };
        table.AddColumns("MX host", "address", "STARTTLS / TLS", "certificate", "DANE", "MTA-STS", "verdict");
        foreach (var m in r.Mx)
        {
            var host = $"{m.Host} ({m.Preference.ToString(CultureInfo.InvariantCulture)})" + (m.CanonicalName is { } c ? $" → {c}" : string.Empty);
            var sts = m.CoveredByPolicy switch { true => "covered", false => "NOT covered", _ => "-" };
            if (m.Addresses.Count == 0)
            {
                table.AddRow(Esc(host), "(no address)", "-", "-", Esc(Dane(m, null)), Esc(sts), Verdict(m.Verdict, m.Governs));
                continue;
            }

            foreach (var a in m.Addresses)
            {
                var tls = a.Probe switch
                {
                    null => r.Port25Blocked ? "not probed (port 25 blocked here)" : "not probed",
                    { Outcome: SmtpProbeOutcome.TlsEstablished } p => string.Join(" + ", p.Sessions.Select(s => $"{StartTlsProber.Protocol(s.Protocol)} {s.KeyAlgorithm}")),
                    var p => Kebab(p.Outcome),
                };
                var cert = a.Pki.Count == 0 ? "-" : string.Join(" + ", a.Pki.Select(p => p.IsValid ? "valid" : Kebab2(p.Status.ToString())));
                table.AddRow(Esc(host), Esc(a.Address.ToString()), Esc(tls), Esc(cert), Esc(Dane(m, a)), Esc(sts), Verdict(a.Verdict.Verdict, a.Verdict.Governs));
                host = string.Empty;
            }
        }

        console.Ansi.Write(table);
    }

    private static string Dane(MxAudit m, AddressAudit? a) => m.Tlsa.State switch
    {
        DaneState.Usable when a is not null && a.Dane.Count > 0 => string.Join(" + ", a.Dane.Select(d => d.Result.Matched ? "matched " + Short(d.Result.MatchedRecord?.ToString()) : Kebab2(d.Result.Status.ToString()))),
        DaneState.Usable => $"{m.Tlsa.Records.Count} TLSA",
        DaneState.AllUnusable => "TLSA all unusable",
        DaneState.LookupFailed => "lookup failed",
        DaneState.Insecure => m.Tlsa.Records.Count > 0 ? "TLSA ignored (insecure)" : "-",
        _ => "none",
    };

    private static string Short(string? record) => record is null ? string.Empty : record.Length > 12 ? record[..5] : record;

    private static string Verdict(SenderAction action, GoverningMechanism governs)
    {
        var color = action switch
        {
            SenderAction.Deliver => "green",
            SenderAction.DeliverWithReport => "yellow",
            SenderAction.Refuse => "red bold",
            _ => "grey",
        };
        return $"[{color}]{SenderVerdicts.Name(action)}[/] [grey]({SenderVerdicts.Name(governs)})[/]";
    }

    private static string FetchLine(StsPolicyFetchResult f) => f switch
    {
        StsPolicyFetchResult.Fetched x => $"{x.Url}: 200, {x.ContentType}, {x.Body.Length} bytes, {StartTlsProber.Protocol(x.Tls.Protocol)}, certificate valid",
        StsPolicyFetchResult.Redirect x => $"{x.Url}: {x.Status} redirect to {x.Location}",
        StsPolicyFetchResult.HttpStatus x => $"{x.Url}: HTTP {x.Status}",
        StsPolicyFetchResult.BadContentType x => $"{x.Url}: 200 but Content-Type {x.ContentType}",
        StsPolicyFetchResult.TooLarge x => $"{x.Url}: larger than {Limits.StsPolicyMaxBytes} bytes",
        StsPolicyFetchResult.Timeout x => $"{x.Url}: timed out after {x.Deadline.TotalSeconds:0.#} s ({x.Stage})",
        StsPolicyFetchResult.TlsFailure x => $"{x.Url}: TLS failure ({Kebab2(x.Kind.ToString())})",
        StsPolicyFetchResult.DnsFailure x => $"{x.Url}: {x.Detail}",
        StsPolicyFetchResult.ConnectFailure x => $"{x.Url}: {x.Detail}",
        _ => f.Url,
    };

    private static void Section(IAnsiConsole ansi, string name, string text) =>
        ansi.MarkupLine($"[bold]{Markup.Escape(name),-8}[/]  {Markup.Escape(text)}");

    private static string Esc(string s) => Markup.Escape(s);

    private static string Kebab(SmtpProbeOutcome o) => Kebab2(o.ToString());

    private static string Kebab2(string s) => CheckJson.Kebab(s);
}
