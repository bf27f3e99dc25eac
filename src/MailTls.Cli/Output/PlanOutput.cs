using System.Text.Json.Nodes;
using MailTls.Findings;
using MailTls.Plan;
using Spectre.Console;

namespace MailTls.Cli.Output;

/// <summary>Rendering of plans and plan status (JSON keys: docs/plan.md).</summary>
internal static class PlanOutput
{
    public static void WriteNoPlan(CliConsole console, string domain, ChangeKind change, IReadOnlyList<Finding> findings)
    {
        if (console.Json)
        {
            JsonOutput.Write(console, new JsonObject
            {
                ["domain"] = domain,
                ["change"] = PlanNames.Of(change),
                ["plan"] = null,
                ["stored"] = false,
                ["findings"] = JsonOutput.Findings(findings),
            });
            return;
        }

        console.Ansi.MarkupLine($"[bold]{Markup.Escape(domain)}[/]: no {PlanNames.Of(change)} plan.");
        FindingsText.Write(console, findings);
    }

    public static void WritePlan(CliConsole console, ChangePlan plan, IReadOnlyDictionary<int, DateTimeOffset> earliest, bool stored, ApplyRun? run)
    {
        if (console.Json)
        {
            var o = new JsonObject
            {
                ["domain"] = plan.Domain,
                ["change"] = PlanNames.Of(plan.Change),
                ["plan"] = PlanJson.Write(plan, earliest),
                ["stored"] = stored,
                ["findings"] = JsonOutput.Findings(plan.Findings),
            };
            if (run is not null)
            {
                o["applied"] = Applied(run);
                o["status"] = Status(run.Status);
                o["findings"] = JsonOutput.Findings([.. plan.Findings, .. run.Findings]);
            }

            JsonOutput.Write(console, o);
            return;
        }

        var a = console.Ansi;
        a.MarkupLine($"[bold]Plan{(plan.Id > 0 ? " #" + plan.Id : string.Empty)}: {PlanNames.Of(plan.Change)} for {Markup.Escape(plan.Domain)}[/]" +
            (plan.Arguments.Count > 0 ? " (" + Markup.Escape(string.Join(", ", plan.Arguments.Select(kv => kv.Key + "=" + kv.Value))) + ")" : string.Empty));
        a.MarkupLine($"[grey]zone {Markup.Escape(plan.Zone)}; authoritative: {Markup.Escape(string.Join(", ", plan.Servers))}; updates to: {Markup.Escape(plan.Primary ?? "(unknown)")}[/]");
        foreach (var t in plan.Ttls)
        {
            a.MarkupLine($"[grey]  {Markup.Escape(t.Owner)} {t.Type}: {(t.Ttl is { } ttl ? "TTL " + ttl + " s" : "absent, negative TTL " + t.NegativeTtl + " s")}[/]");
        }

        a.WriteLine();
        foreach (var step in plan.Steps)
        {
            WriteStep(console, step, earliest.TryGetValue(step.Number, out var e) ? e : null);
        }

        FindingsText.Write(console, plan.Findings);
        if (run is not null)
        {
            a.WriteLine();
            WriteApplied(console, run);
            WriteStatus(console, run.Status, null);
        }
        else if (stored)
        {
            a.MarkupLine($"[grey]Stored. Follow it with 'mailtls plan status {Markup.Escape(plan.Domain)}' (or 'plan apply {Markup.Escape(plan.Domain)} --tsig-key … --serve-config …').[/]");
        }
    }

    public static void WriteStatus(CliConsole console, PlanStatus status, ApplyRun? run)
    {
        if (console.Json)
        {
            var o = Status(status);
            if (run is not null)
            {
                o["applied"] = Applied(run);
            }

            JsonOutput.Write(console, o);
            return;
        }

        var a = console.Ansi;
        if (run is not null)
        {
            WriteApplied(console, run);
        }

        var plan = status.Plan;
        var gate = status.GateGreen ? "[green bold]green[/]" : "[red bold]not green[/]";
        a.MarkupLine($"[bold]{Markup.Escape(plan.Domain)}[/]: plan #{plan.Id} {PlanNames.Of(plan.Change)} ({status.State.ToString().ToLowerInvariant()}), " +
            (status.CurrentStep is { } c ? $"at step {c} of {plan.Steps.Count}, gate {gate}" : $"gate {gate}") + $" [grey](checked {PlanJson.Iso(status.CheckedAt)})[/]");
        foreach (var s in status.Steps)
        {
            var mark = s.State switch { StepState.Done => "[green]done   [/]", StepState.Current => "[yellow]current[/]", _ => "[grey]pending[/]" };
            var when = s.DoneAt is { } d ? "done " + PlanJson.Iso(d) : "earliest " + PlanJson.Iso(s.Earliest);
            a.MarkupLine($" {mark} {s.Step.Number,2}. [[{PlanNames.Of(s.Step.Kind)}]] {Markup.Escape(s.Step.Title)} [grey]({when})[/]");
            if (s.State == StepState.Current)
            {
                foreach (var c2 in s.Checks)
                {
                    a.MarkupLine($"            {(c2.Result.Ok ? "[green]ok[/]  " : "[red]no[/]  ")}{Markup.Escape(c2.Check.Description)}: {Markup.Escape(c2.Result.Detail)}");
                }
            }
        }

        a.MarkupLine("[bold]next:[/] " + Markup.Escape(status.Next) + (status.Earliest is { } e && status.CurrentStep is not null ? $" [grey](from {PlanJson.Iso(e)})[/]" : string.Empty));
        FindingsText.Write(console, [.. status.Findings.Where(f => f.Code != PlanFindings.GatePending.Code)]);
    }

    private static void WriteStep(CliConsole console, PlanStep step, DateTimeOffset? earliest)
    {
        var a = console.Ansi;
        a.MarkupLine($"[bold]{step.Number,2}. [[{PlanNames.Of(step.Kind)}]] {Markup.Escape(step.Title)}[/]" + (earliest is { } e ? $" [grey](earliest {PlanJson.Iso(e)})[/]" : string.Empty));
        foreach (var line in step.Detail.Split('\n'))
        {
            a.MarkupLine("    " + Markup.Escape(line.TrimEnd('\r')));
        }

        if (step.Dns is { } dns)
        {
            a.MarkupLine($"    [grey]nsupdate (zone {Markup.Escape(dns.Zone)}):[/]");
            foreach (var u in dns.Updates)
            {
                a.MarkupLine("      update " + Markup.Escape(u.ToString()));
            }
        }

        foreach (var g in step.Gate)
        {
            a.MarkupLine($"    [grey]gate:[/] {Markup.Escape(g.Description)}");
        }
    }

    private static void WriteApplied(CliConsole console, ApplyRun run)
    {
        foreach (var ap in run.Applied)
        {
            console.Ansi.MarkupLine($"{(ap.Ok ? "[green]applied[/]" : "[red]failed [/]")} step {ap.Step}: {Markup.Escape(ap.Detail)}");
        }

        if (run.Applied.Count == 0)
        {
            console.Ansi.MarkupLine("[grey]nothing applied (the current step is not a DNS or policy step, or its gate or wait holds it)[/]");
        }
    }

    private static JsonArray Applied(ApplyRun run) =>
        new([.. run.Applied.Select(ap => (JsonNode)new JsonObject { ["step"] = ap.Step, ["ok"] = ap.Ok, ["detail"] = ap.Detail })]);

    public static JsonObject Status(PlanStatus status)
    {
        var plan = status.Plan;
        return new JsonObject
        {
            ["domain"] = plan.Domain,
            ["plan_id"] = plan.Id,
            ["change"] = PlanNames.Of(plan.Change),
            ["state"] = status.State.ToString().ToLowerInvariant(),
            ["checked_at"] = PlanJson.Iso(status.CheckedAt),
            ["current_step"] = status.CurrentStep,
            ["gate_green"] = status.GateGreen,
            ["next"] = status.Next,
            ["earliest"] = status.Earliest is { } e && status.CurrentStep is not null ? PlanJson.Iso(e) : null,
            ["incomplete"] = status.Incomplete,
            ["steps"] = new JsonArray([.. status.Steps.Select(s =>
            {
                var o = PlanJson.Step(s.Step);
                o["state"] = s.State.ToString().ToLowerInvariant();
                o["done_at"] = s.DoneAt is { } d ? PlanJson.Iso(d) : null;
                o["applied_at"] = s.AppliedAt is { } ap ? PlanJson.Iso(ap) : null;
                o["earliest"] = PlanJson.Iso(s.Earliest);
                o["checks"] = new JsonArray([.. s.Checks.Select(c => (JsonNode)new JsonObject
                {
                    ["check"] = PlanNames.Of(c.Check.Kind),
                    ["description"] = c.Check.Description,
                    ["ok"] = c.Result.Ok,
                    ["detail"] = c.Result.Detail,
                    ["incomplete"] = c.Result.Incomplete,
                })]);
                return (JsonNode)o;
            })]),
            ["findings"] = JsonOutput.Findings(status.Findings),
        };
    }
}
