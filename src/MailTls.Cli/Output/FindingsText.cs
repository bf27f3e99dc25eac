using MailTls.Findings;
using Spectre.Console;

namespace MailTls.Cli.Output;

/// <summary>Human rendering of findings: what is wrong, why it matters, how to fix it.</summary>
internal static class FindingsText
{
    public static void Write(CliConsole console, IReadOnlyList<Finding> findings)
    {
        var ordered = findings.OrderByDescending(f => f.Severity).ToList();
        foreach (var f in ordered)
        {
            var (label, style) = f.Severity switch
            {
                Severity.Error => ("error  ", "red bold"),
                Severity.Warning => ("warning", "yellow"),
                _ => ("info   ", "blue"),
            };
            var line = f.Evidence.TryGetValue("line", out var l) && !f.Message.Contains("ine " + l, StringComparison.Ordinal) ? $" (line {l})" : string.Empty;
            console.Ansi.MarkupLine($"[{style}]{label}[/] [bold]{Markup.Escape(f.Code)}[/]{Markup.Escape(line)}: {Markup.Escape(f.Message)}");
            if (!string.IsNullOrEmpty(f.Why))
            {
                console.Ansi.MarkupLine($"         [grey]why:[/] {Markup.Escape(f.Why)}");
            }

            if (!string.IsNullOrEmpty(f.Fix))
            {
                console.Ansi.MarkupLine($"         [grey]fix:[/] {Markup.Escape(f.Fix)}");
            }

            if (!string.IsNullOrEmpty(f.Rule))
            {
                console.Ansi.MarkupLine($"         [grey]rule:[/] {Markup.Escape(f.Rule)}");
            }

            foreach (var (k, v) in f.Evidence)
            {
                if (k != "line")
                {
                    console.Ansi.MarkupLine($"         [grey]{Markup.Escape(k)}:[/] {Markup.Escape(v)}");
                }
            }
        }
    }

    /// <summary>A one-line verdict followed by the findings.</summary>
    public static void Verdict(CliConsole console, bool ok, string what, IReadOnlyList<Finding> findings)
    {
        var errors = findings.Count(f => f.Severity == Severity.Error);
        var warnings = findings.Count(f => f.Severity == Severity.Warning);
        var counts = $"{errors} error(s), {warnings} warning(s)";
        if (ok)
        {
            console.Ansi.MarkupLine($"[green bold]valid[/] {Markup.Escape(what)} [grey]({counts})[/]");
        }
        else
        {
            console.Ansi.MarkupLine($"[red bold]invalid[/] {Markup.Escape(what)} [grey]({counts})[/]");
        }

        Write(console, findings);
    }
}
