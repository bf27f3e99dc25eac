using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dane;
using MailTls.Findings;
using MailTls.Pki;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>tlsa match --chain FILE --record "U S M HEX"… [--host H]</c>: which record matches which certificate of a
/// chain as the server would present it, with RFC 7672 semantics. Exit 0 when a record authenticates the chain.
/// </summary>
internal static class TlsaCommand
{
    public static Command Create(CliContext context)
    {
        var tlsa = new Command("tlsa", "Work with TLSA records and certificate chains.");
        tlsa.Subcommands.Add(MatchCommand(context));
        tlsa.Subcommands.Add(TlsaGuardCommand.Create(context));
        return tlsa;
    }

    private static Command MatchCommand(CliContext context)
    {
        var chain = new Option<string>("--chain") { Description = "PEM (or DER) chain as the server presents it, leaf first.", Required = true };
        var records = new Option<string[]>("--record") { Description = "A TLSA record 'U S M HEX'; repeat for each record of the RRset.", Required = true };
        var hosts = new Option<string[]>("--host") { Description = "Reference name(s) for DANE-TA name checks: the MX host (TLSA base domain) and/or the recipient domain." };
        var command = new Command("match", "Show which TLSA record matches which certificate of a chain (RFC 7672).") { chain, records, hosts };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var path = parse.GetRequiredValue(chain);
            var bytes = await InputFiles.ReadAsync(path, Limits.PemMaxBytes + 1, cancellationToken);
            var certificates = bytes.Length > Limits.PemMaxBytes
                ? new PemCertificatesResult([], $"larger than {Limits.PemMaxBytes} bytes")
                : PemReader.ReadCertificates(bytes);
            if (!certificates.IsSuccess || certificates.Certificates.Count == 0)
            {
                throw new UsageException($"{path}: {certificates.Error ?? "no certificate found"}");
            }

            var findings = new List<Finding>();
            var parsed = new List<TlsaRecord>();
            foreach (var text in parse.GetRequiredValue(records))
            {
                var r = TlsaRecordParser.Parse(text);
                findings.AddRange(r.Findings);
                if (r.Record is { } record)
                {
                    parsed.Add(record);
                }
            }

            if (findings.HasErrors())
            {
                if (console.Json)
                {
                    JsonOutput.Write(console, new JsonObject { ["matched"] = false, ["matches"] = new JsonArray(), ["findings"] = JsonOutput.Findings(findings) });
                }
                else
                {
                    FindingsText.Verdict(console, false, "TLSA record", findings);
                }

                return ExitCode.Findings;
            }

            var referenceNames = parse.GetValue(hosts) ?? [];
            if (referenceNames.Length == 0 && parsed.Any(r => r.Usage == (byte)TlsaUsage.DaneTa))
            {
                throw new UsageException("DANE-TA(2) records need --host MXHOST: the leaf certificate must carry that name (RFC 7672 §3.2.3)");
            }

            var options = new TlsaMatchOptions { ReferenceNames = referenceNames, Now = DateTimeOffset.UtcNow };
            var result = TlsaMatcher.Match(certificates.Certificates, parsed, options);
            findings.AddRange(result.Findings);
            if (console.Json)
            {
                JsonOutput.Write(console, Json(result, certificates.Certificates, findings));
            }
            else
            {
                Text(console, result, certificates.Certificates, findings);
            }

            return result.Matched ? ExitCode.Success : ExitCode.Findings;
        });
        return command;
    }

    private static JsonObject Json(TlsaMatchResult result, IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain, IReadOnlyList<Finding> findings)
    {
        var matches = new JsonArray();
        var perRecord = new JsonArray();
        foreach (var d in result.Records)
        {
            if (d.Outcome == TlsaRecordOutcome.Matched)
            {
                matches.Add(new JsonObject { ["record"] = d.Record.ToString(), ["depth"] = d.Depth });
            }

            perRecord.Add(new JsonObject
            {
                ["record"] = d.Record.ToString(),
                ["outcome"] = OutcomeName(d.Outcome),
                ["depth"] = d.Depth,
                ["detail"] = d.Detail,
            });
        }

        return new JsonObject
        {
            ["matched"] = result.Matched,
            ["matches"] = matches,
            ["status"] = StatusName(result.Status),
            ["depth"] = result.Depth,
            ["records"] = perRecord,
            ["chain"] = new JsonArray([.. chain.Select((c, i) => (JsonNode)new JsonObject
            {
                ["depth"] = i,
                ["subject"] = c.Subject,
                ["issuer"] = c.Issuer,
                ["not_before"] = c.NotBefore.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                ["not_after"] = c.NotAfter.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(c.RawData)),
            })]),
            ["findings"] = JsonOutput.Findings(findings),
        };
    }

    private static void Text(CliConsole console, TlsaMatchResult result, IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> chain, IReadOnlyList<Finding> findings)
    {
        var chainTable = new Table().Border(TableBorder.Simple).AddColumn("depth").AddColumn("subject").AddColumn("issuer").AddColumn("valid until");
        for (var i = 0; i < chain.Count; i++)
        {
            chainTable.AddRow(i.ToString(CultureInfo.InvariantCulture), Markup.Escape(chain[i].Subject), Markup.Escape(chain[i].Issuer),
                chain[i].NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        console.Ansi.Write(chainTable);
        var table = new Table().Border(TableBorder.Simple).AddColumn("record").AddColumn("outcome").AddColumn("depth").AddColumn("detail");
        foreach (var d in result.Records)
        {
            var outcome = d.Outcome == TlsaRecordOutcome.Matched ? "[green]matched[/]" : $"[yellow]{OutcomeName(d.Outcome)}[/]";
            table.AddRow(Markup.Escape(Abbreviate(d.Record.ToString())), outcome, d.Depth < 0 ? "-" : d.Depth.ToString(CultureInfo.InvariantCulture), Markup.Escape(d.Detail));
        }

        console.Ansi.Write(table);
        console.Ansi.MarkupLine(result.Matched
            ? $"[green bold]matched[/]: {Markup.Escape(Abbreviate(result.MatchedRecord!.ToString()))} at depth {result.Depth}"
            : $"[red bold]no match[/] ({StatusName(result.Status)})");
        FindingsText.Write(console, findings.Where(f => f.Severity != Severity.Info || !result.Matched).ToList());
    }

    private static string Abbreviate(string record) => record.Length > 40 ? record[..28] + "…" + record[^8..] : record;

    private static string OutcomeName(TlsaRecordOutcome outcome) => outcome switch
    {
        TlsaRecordOutcome.Matched => "matched",
        TlsaRecordOutcome.Unusable => "unusable",
        TlsaRecordOutcome.DigestSuperseded => "digest-superseded",
        TlsaRecordOutcome.DigestMismatch => "mismatch",
        TlsaRecordOutcome.TaNotPresented => "ta-not-presented",
        TlsaRecordOutcome.NameMismatch => "name-mismatch",
        TlsaRecordOutcome.ChainIncomplete => "chain-incomplete",
        TlsaRecordOutcome.ChainInvalid => "chain-invalid",
        TlsaRecordOutcome.Expired => "expired",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private static string StatusName(TlsaMatchStatus status) => status switch
    {
        TlsaMatchStatus.Matched => "matched",
        TlsaMatchStatus.NoUsableRecords => "no-usable-records",
        TlsaMatchStatus.Mismatch => "mismatch",
        TlsaMatchStatus.NameMismatch => "name-mismatch",
        TlsaMatchStatus.ChainIncomplete => "chain-incomplete",
        TlsaMatchStatus.ChainInvalid => "chain-invalid",
        TlsaMatchStatus.Expired => "expired",
        _ => status.ToString().ToLowerInvariant(),
    };
}
