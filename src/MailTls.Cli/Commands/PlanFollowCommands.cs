using System.CommandLine;
using MailTls.Cli.Output;
using MailTls.Plan;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>plan status|verify|apply|cancel DOMAIN</c>: follow the domain's stored plan. status re-checks the live world and
/// says where the domain is and what to do next (exit 1 when something is out of order); verify exits 0 only when the
/// current step may be done now (or the plan is complete), 1 otherwise; apply performs DNS and policy steps as far as
/// their gates and waits allow; cancel ends the plan.
/// </summary>
internal static class PlanFollowCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return Follow(context, "status", "Re-check the live world: which step the domain is at, whether its gate is green, what to do next.");
        yield return Follow(context, "verify", "Exit 0 when the current step's gate is green (or the plan is complete), 1 otherwise (for scripts).");
        yield return Follow(context, "apply", "Perform the next DNS (RFC 2136 + TSIG) and policy-file steps, each verified before the next.");
        yield return Follow(context, "cancel", "End the domain's active plan.");
    }

    internal static int ApplyExit(ApplyRun run)
    {
        if (run.Failed || run.Status.Findings.Any(f => f.IsError))
        {
            return ExitCode.Findings;
        }

        return run.Status.Incomplete ? ExitCode.Incomplete : ExitCode.Success;
    }

    private static Command Follow(CliContext context, string verb, string description)
    {
        var options = new PlanOptions();
        var domain = new Argument<string>("DOMAIN") { Description = "The mail domain." };
        var command = new Command(verb, description) { domain };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var name = PlanCommand.Domain(parse.GetRequiredValue(domain));
            await using var store = await PlanOptions.OpenStoreAsync(parse.GetValue(options.Db), cancellationToken);
            var stored = await store.LatestPlanAsync(name, cancellationToken) ?? throw new UsageException($"no plan for {name} in {store.Description}: make one with 'mailtls plan CHANGE {name} …'");
            var worldOptions = await options.WorldAsync(parse, store, cancellationToken);
            var runner = new PlanRunner(store, worldOptions);
            switch (verb)
            {
                case "cancel":
                    if (stored.State != PlanState.Active)
                    {
                        throw new UsageException($"the latest plan of {name} (#{stored.Plan.Id}) is {stored.State.ToString().ToLowerInvariant()}, not active");
                    }

                    await store.RecordProgressAsync(stored.Plan.Id, [], PlanState.Cancelled, worldOptions.PlanClock.GetUtcNow(), cancellationToken);
                    stored = await store.LatestPlanAsync(name, cancellationToken) ?? stored;
                    var (cancelled, _) = await runner.StatusAsync(stored, cancellationToken);
                    PlanOutput.WriteStatus(console, cancelled!, null);
                    return ExitCode.Success;
                case "apply":
                    if (stored.State != PlanState.Active)
                    {
                        throw new UsageException($"the latest plan of {name} (#{stored.Plan.Id}) is {stored.State.ToString().ToLowerInvariant()}: nothing to apply");
                    }

                    var applier = await options.ApplierAsync(parse, name, cancellationToken);
                    var (run, runError) = await runner.ApplyAsync(stored.Plan.Id, name, applier, cancellationToken);
                    if (run is null)
                    {
                        await console.Error.WriteLineAsync("mailtls: " + runError);
                        return ExitCode.Incomplete;
                    }

                    PlanOutput.WriteStatus(console, run.Status, run);
                    return ApplyExit(run);
            }

            var (status, error) = await runner.StatusAsync(stored, cancellationToken);
            if (status is null)
            {
                await console.Error.WriteLineAsync("mailtls: " + error);
                return ExitCode.Incomplete;
            }

            PlanOutput.WriteStatus(console, status, null);
            if (status.Incomplete && !status.Findings.Any(f => f.IsError))
            {
                return ExitCode.Incomplete;
            }

            return verb == "verify"
                ? status.GateGreen ? ExitCode.Success : ExitCode.Findings
                : status.Findings.Any(f => f.IsError) ? ExitCode.Findings : ExitCode.Success;
        });
        return command;
    }
}
