using System.CommandLine;
using System.Text.Json.Nodes;
using MailTls.Dane;
using MailTls.Findings;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>lint tlsa TEXT… [--port 25]</c>: TLSA presentation syntax and parameters (RFC 6698, 7218, 7671, 7672).
/// With two or more records the RRset as a whole is checked too (rollover partner, unusable set, size).
/// </summary>
internal static class LintTlsa
{
    public static Command Command(CliContext context)
    {
        var text = new Argument<string[]>("TEXT")
        {
            Description = "A TLSA record: 'U S M HEX', optionally with owner/TTL/class as in a zone file. Give several to check an RRset.",
            Arity = ArgumentArity.OneOrMore,
        };
        var port = new Option<int>("--port") { Description = "The service port (usages 0/1 are unusable for SMTP on 25).", DefaultValueFactory = _ => 25 };
        var command = new Command("tlsa", "Validate TLSA records (RFC 6698/7671/7672).") { text, port };
        command.SetAction(parse =>
        {
            var console = context.Console(parse);
            var findings = new List<Finding>();
            var records = new List<TlsaRecord>();
            var parsed = new JsonArray();
            var valid = true;
            foreach (var t in parse.GetRequiredValue(text))
            {
                var result = TlsaRecordParser.Parse(t);
                findings.AddRange(result.Findings);
                if (result.Record is not { } r)
                {
                    valid = false;
                    continue;
                }

                findings.AddRange(TlsaValidator.Validate(r, parse.GetValue(port)));
                records.Add(r);
                parsed.Add(RecordJson(r, result.Owner));
            }

            if (records.Count > 1)
            {
                findings.AddRange(TlsaRecordSetAnalyzer.Analyze(records));
            }

            valid = valid && !findings.HasErrors();
            JsonNode node = parsed.Count == 1 ? parsed[0]!.DeepClone() : parsed;
            return LintCommand.Report(console, records.Count > 1 ? "TLSA RRset" : "TLSA record", valid, findings, node, () =>
            {
                foreach (var r in records)
                {
                    console.Ansi.MarkupLine($"{Markup.Escape(r.ToString())} [grey]({Describe(r)})[/]");
                }
            });
        });
        return command;
    }

    public static JsonObject RecordJson(TlsaRecord r, string? owner = null) => new()
    {
        ["name"] = owner,
        ["usage"] = r.Usage,
        ["selector"] = r.Selector,
        ["matching"] = r.MatchingType,
        ["data"] = r.DataHex,
    };

    /// <summary>RFC 7218 names of the three parameters, e.g. "DANE-EE SPKI SHA2-256".</summary>
    public static string Describe(TlsaRecord r)
    {
        var usage = r.Usage switch { 0 => "PKIX-TA", 1 => "PKIX-EE", 2 => "DANE-TA", 3 => "DANE-EE", 255 => "PrivCert", _ => "usage " + r.Usage };
        var selector = r.Selector switch { 0 => "Cert", 1 => "SPKI", 255 => "PrivSel", _ => "selector " + r.Selector };
        var matching = r.MatchingType switch { 0 => "Full", 1 => "SHA2-256", 2 => "SHA2-512", 255 => "PrivMatch", _ => "matching " + r.MatchingType };
        return $"{usage} {selector} {matching}";
    }
}
