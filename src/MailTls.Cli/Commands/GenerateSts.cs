using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>generate sts --domain D --mx P… [--mode testing] [--max-age S] [--id ID] [--out DIR]</c>: the _mta-sts TXT
/// record and the policy file, both checked by the same parsers that <c>lint</c> uses before they are printed.
/// </summary>
internal static class GenerateSts
{
    /// <summary>One week: below it every sender refetches often and lint warns (RFC 8461 §3.2 expects weeks).</summary>
    private const long DefaultMaxAge = 604_800;

    public static Command Command(CliContext context)
    {
        var domain = new Option<string>("--domain") { Description = "The Policy Domain (the part after @ in addresses).", Required = true };
        var mx = new Option<string[]>("--mx") { Description = "An MX host name or '*.' pattern; repeat for each (required unless --mode none).", AllowMultipleArgumentsPerToken = false };
        var mode = new Option<string>("--mode") { Description = "testing (start here), enforce, or none (to retire a policy).", DefaultValueFactory = _ => "testing" };
        mode.AcceptOnlyFromAmong("testing", "enforce", "none");
        var maxAge = new Option<long>("--max-age") { Description = "Seconds senders may cache the policy (0..31557600).", DefaultValueFactory = _ => DefaultMaxAge };
        var id = new Option<string?>("--id") { Description = "The record id (1-32 letters/digits); default: the current UTC time." };
        var crlf = new Option<bool>("--crlf") { Description = "End policy lines with CRLF instead of LF." };
        var outDir = new Option<string?>("--out") { Description = "Write DIR/.well-known/mta-sts.txt and DIR/_mta-sts.<domain>.txt." };
        var command = new Command("sts", "Generate the _mta-sts TXT record and the MTA-STS policy file.")
        {
            domain, mx, mode, maxAge, id, crlf, outDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var d = DnsName.TryNormalize(parse.GetRequiredValue(domain));
            if (d is null || !DnsName.IsLdhDomain(d))
            {
                throw new UsageException($"--domain: '{parse.GetValue(domain)}' is not a domain name");
            }

            var stsMode = parse.GetValue(mode) switch
            {
                "enforce" => StsMode.Enforce,
                "none" => StsMode.None,
                _ => StsMode.Testing,
            };
            var patterns = parse.GetValue(mx) ?? [];
            var recordId = parse.GetValue(id) ?? StsId.NewFromTime(DateTimeOffset.UtcNow);
            var lineEnding = parse.GetValue(crlf) ? StsLineEnding.CrLf : StsLineEnding.Lf;

            var findings = new List<Finding>();
            var mxPatterns = new List<MxPattern>();
            foreach (var text in patterns)
            {
                if (MxPattern.TryParse(text, out var pattern, out var error))
                {
                    mxPatterns.Add(pattern!);
                }
                else
                {
                    findings.Add(StsFindings.PolicyBadMx.Create("--mx " + text, $"'{text}' is not a valid mx pattern: {error}", FindingList.Evidence(("mx", text))));
                }
            }

            if (patterns.Length == 0 && stsMode != StsMode.None)
            {
                findings.Add(StsFindings.PolicyMissingMx.Create("policy", "Give at least one --mx: every MX host of the domain must match a pattern."));
            }

            var txtValue = StsId.IsValid(recordId) ? StsRecordFormatter.Format(recordId) : $"v=STSv1; id={recordId};";
            var recordCheck = StsRecordParser.Parse(txtValue);
            findings.AddRange(recordCheck.Findings);
            var maxAgeValue = parse.GetValue(maxAge);
            if (maxAgeValue is < 0 or > Limits.StsMaxAgeMax)
            {
                findings.Add(StsFindings.PolicyBadMaxAge.Create("--max-age", $"max_age must be between 0 and {Limits.StsMaxAgeMax} seconds, not {maxAgeValue}.", FindingList.Evidence(("max_age", maxAgeValue.ToString(CultureInfo.InvariantCulture)))));
            }

            var policyText = string.Empty;
            if (!findings.HasErrors())
            {
                policyText = StsPolicyFormatter.Format(stsMode, maxAgeValue, mxPatterns, null, lineEnding);
                findings.AddRange(StsPolicyParser.Parse(Encoding.UTF8.GetBytes(policyText)).Findings);
            }

            var ok = !findings.HasErrors();
            var txtName = "_mta-sts." + d;
            var files = new JsonArray();
            if (ok && parse.GetValue(outDir) is { } dir)
            {
                var policyPath = Path.Combine(dir, ".well-known", "mta-sts.txt");
                var txtPath = Path.Combine(dir, txtName + ".txt");
                Directory.CreateDirectory(Path.GetDirectoryName(policyPath)!);
                await File.WriteAllTextAsync(policyPath, policyText, new UTF8Encoding(false), cancellationToken);
                await File.WriteAllTextAsync(txtPath, $"{txtName}. IN TXT \"{txtValue}\"\n", new UTF8Encoding(false), cancellationToken);
                files.Add(policyPath);
                files.Add(txtPath);
            }

            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject
                {
                    ["txt"] = new JsonObject { ["name"] = txtName, ["value"] = txtValue },
                    ["policy"] = policyText,
                    ["policy_url"] = $"https://mta-sts.{d}/.well-known/mta-sts.txt",
                    ["findings"] = JsonOutput.Findings(findings),
                    ["files"] = files,
                });
            }
            else if (ok)
            {
                WriteText(console, d, txtName, txtValue, policyText, files);
                FindingsText.Write(console, findings);
            }
            else
            {
                FindingsText.Verdict(console, false, "MTA-STS input", findings);
            }

            return ok ? ExitCode.Success : ExitCode.Findings;
        });
        return command;
    }

    private static void WriteText(CliConsole console, string domain, string txtName, string txtValue, string policyText, JsonArray files)
    {
        console.Ansi.MarkupLine($"[bold]DNS[/] (publish in the {Markup.Escape(domain)} zone):");
        console.Ansi.WriteLine($"{txtName}. IN TXT \"{txtValue}\"");
        console.Ansi.WriteLine();
        console.Ansi.MarkupLine($"[bold]Policy[/] (serve at https://mta-sts.{Markup.Escape(domain)}/.well-known/mta-sts.txt as text/plain, status 200, no redirect):");
        console.Out.Write(policyText.Replace("\r\n", "\n", StringComparison.Ordinal));
        console.Ansi.WriteLine();
        console.Ansi.MarkupLine("[grey]Change the id in the TXT record every time the policy changes, or senders keep the old policy until max_age runs out.[/]");
        foreach (var f in files)
        {
            console.Ansi.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]wrote[/] {Markup.Escape(f!.GetValue<string>())}"));
        }
    }
}
