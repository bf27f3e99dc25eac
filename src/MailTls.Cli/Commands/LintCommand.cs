using System.CommandLine;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Findings;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls lint …</c>: validate one artefact before publishing it. Exit 0 when valid (warnings allowed),
/// 1 when invalid. JSON: <c>{"valid", "findings", "parsed"}</c>.
/// </summary>
internal static class LintCommand
{
    public static Command Create(CliContext context)
    {
        var lint = new Command("lint", "Validate an MTA-STS record or policy, a TLS-RPT record or report, or a TLSA record.");
        lint.Subcommands.Add(LintMtaSts.RecordCommand(context));
        lint.Subcommands.Add(LintMtaSts.PolicyCommand(context));
        lint.Subcommands.Add(LintTlsRpt.RecordCommand(context));
        lint.Subcommands.Add(LintTlsRpt.ReportCommand(context));
        lint.Subcommands.Add(LintTlsa.Command(context));
        return lint;
    }

    /// <summary>Writes the lint result in the chosen format and returns the exit code.</summary>
    public static int Report(CliConsole console, string what, bool valid, IReadOnlyList<Finding> findings, JsonNode? parsed, Action? writeParsedText = null)
    {
        if (console.Json)
        {
            JsonOutput.Write(console, new JsonObject
            {
                ["valid"] = valid,
                ["findings"] = JsonOutput.Findings(findings),
                ["parsed"] = parsed,
            });
        }
        else
        {
            FindingsText.Verdict(console, valid, what, findings);
            if (valid)
            {
                writeParsedText?.Invoke();
            }
        }

        return valid ? ExitCode.Success : ExitCode.Findings;
    }
}
