using System.Globalization;
using MailTls.Findings;

namespace MailTls.Plan;

/// <summary>The result of one gate check against the live world.</summary>
public sealed record CheckResult(bool Ok, string Detail)
{
    /// <summary>True when the check could not be completed (DNS or fetch failure): not a "no".</summary>
    public bool Incomplete { get; init; }
}

/// <summary>A check with its result, for status output.</summary>
public sealed record CheckOutcome(GateCheck Check, CheckResult Result);

/// <summary>Where one step stands.</summary>
public enum StepState
{
    Done = 0,

    /// <summary>The first step not done.</summary>
    Current = 1,

    Pending = 2,
}

/// <summary>One step in a status report.</summary>
public sealed record StepStatus(PlanStep Step, StepState State, DateTimeOffset? DoneAt, DateTimeOffset? AppliedAt, DateTimeOffset Earliest, IReadOnlyList<CheckOutcome> Checks);

/// <summary>
/// The answer of <c>plan status</c>: which step the domain is at, whether its gate is green (the step may be done now),
/// what to do next and when, and the findings (steps done out of order or too early, regressions, pending gates).
/// </summary>
public sealed record PlanStatus
{
    public required ChangePlan Plan { get; init; }

    public required PlanState State { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }

    public required IReadOnlyList<StepStatus> Steps { get; init; }

    /// <summary>The first step not done; null when the plan is complete.</summary>
    public int? CurrentStep { get; init; }

    /// <summary>
    /// True when the current step may be carried out now (an action step reached in order with nothing out of order),
    /// or the plan is complete with nothing out of order. A wait or verify step is never green while current: it
    /// completes by itself once its condition holds.
    /// </summary>
    public required bool GateGreen { get; init; }

    public required string Next { get; init; }

    /// <summary>When the current step may start (its wait end, or now).</summary>
    public DateTimeOffset? Earliest { get; init; }

    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>Steps that this evaluation saw done for the first time (to be stored).</summary>
    public IReadOnlyList<int> NewlyDone { get; init; } = [];

    /// <summary>True when some check could not be completed (DNS or fetch failure).</summary>
    public bool Incomplete { get; init; }
}

/// <summary>
/// The status state machine (pure). Steps are walked in order: a step whose every gate check holds is done (and keeps
/// the time it was first seen done, which starts the waits after it); the first step that is not is current. Out of
/// order: a later action step whose own change (its effect checks) is already visible — the gate refuses, and when
/// the current step is a wait, the change came too early. Regression: the last action step done no longer holds.
/// </summary>
public static class PlanProgress
{
    public static PlanStatus Evaluate(ChangePlan plan, IReadOnlyList<StepProgress> progress, Func<GateCheck, CheckResult> results, DateTimeOffset now, PlanState state = PlanState.Active)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(results);
        var done = progress.Where(p => p.DoneAt is not null).ToDictionary(p => p.Number, p => p.DoneAt!.Value);
        var applied = progress.Where(p => p.AppliedAt is not null).ToDictionary(p => p.Number, p => p.AppliedAt!.Value);
        var outcomes = new Dictionary<int, IReadOnlyList<CheckOutcome>>();
        var newly = new List<int>();
        var findings = new List<Finding>();
        var incomplete = false;
        int? current = null;

        CheckResult Result(GateCheck c)
        {
            if (c.Kind == GateKind.Elapsed)
            {
                var anchor = c.Step is { } a && done.TryGetValue(a, out var d) ? d : (DateTimeOffset?)null;
                if (anchor is null)
                {
                    return new CheckResult(false, $"step {c.Step} is not done yet");
                }

                var end = PlanTiming.WaitEnd(new WaitSpec(c.Step!.Value, c.Seconds ?? 0, c.UntilReports, string.Empty), anchor.Value);
                return now >= end
                    ? new CheckResult(true, "passed at " + Iso(end))
                    : new CheckResult(false, $"until {Iso(end)} ({PlanBuilder.Durations((long)Math.Ceiling((end - now).TotalSeconds))} left)");
            }

            var r = results(c);
            incomplete |= r.Incomplete;
            return r;
        }

        if (state == PlanState.Active)
        {
            foreach (var step in plan.Steps)
            {
                if (done.ContainsKey(step.Number))
                {
                    continue;
                }

                var checks = step.Gate.Select(c => new CheckOutcome(c, Result(c))).ToList();
                outcomes[step.Number] = checks;
                if (current is null && checks.All(c => c.Result.Ok))
                {
                    done[step.Number] = now;
                    newly.Add(step.Number);
                    continue;
                }

                current ??= step.Number;
                if (current == step.Number)
                {
                    break;
                }
            }
        }

        // Later steps: their own change must not be visible yet.
        if (current is { } cur && state == PlanState.Active)
        {
            var currentStep = plan.Steps[cur - 1];
            foreach (var later in plan.Steps.Where(s => s.Number > cur && s.IsAction))
            {
                var effects = later.Gate.Where(g => g.Effect).Select(c => new CheckOutcome(c, Result(c))).ToList();
                outcomes[later.Number] = effects;
                var seen = effects.Where(e => e.Result.Ok).ToList();
                if (seen.Count == 0)
                {
                    continue;
                }

                var what = later.TooEarly ?? $"step {later.Number} ({later.Title}) is already in effect";
                var evidence = FindingList.Evidence(("step", later.Number.ToString(CultureInfo.InvariantCulture)), ("current-step", cur.ToString(CultureInfo.InvariantCulture)),
                    ("seen", string.Join("; ", seen.Select(e => e.Result.Detail))));
                findings.Add(currentStep.Kind == StepKind.Wait
                    ? PlanFindings.TooEarly.Create(plan.Domain, $"{Capital(what)}: step {later.Number} was done while step {cur} ({currentStep.Title}) is still running.", evidence)
                    : PlanFindings.OutOfOrder.Create(plan.Domain, $"{Capital(what)}: step {later.Number} is in effect but step {cur} ({currentStep.Title}) is not done.", evidence));
            }
        }

        // The last action step done must still hold (unless the plan is over).
        if (state == PlanState.Active && current is not null)
        {
            // Later steps may undo what earlier ones did (rollback removes the record an earlier step published): only the
            // most recent action step is held to its effect, and not when this evaluation has just seen it done.
            var last = plan.Steps.Where(s => s.IsAction && done.ContainsKey(s.Number)).LastOrDefault();
            if (last is not null && !newly.Contains(last.Number))
            {
                var effects = last.Gate.Where(g => g.Effect).Select(c => new CheckOutcome(c, Result(c))).ToList();
                outcomes[last.Number] = effects;
                var lost = effects.Where(e => !e.Result.Ok && !e.Result.Incomplete).ToList();
                if (lost.Count > 0)
                {
                    findings.Add(PlanFindings.Regressed.Create(plan.Domain,
                        $"Step {last.Number} ({last.Title}) was done at {Iso(done[last.Number])} but no longer holds: {string.Join("; ", lost.Select(l => l.Check.Description + " — " + l.Result.Detail))}."));
                }
            }
        }

        var finalState = state == PlanState.Active && current is null ? PlanState.Complete : state;
        var earliest = PlanTiming.Earliest(plan, done, now);
        var steps = plan.Steps.Select(s => new StepStatus(
            s,
            done.ContainsKey(s.Number) ? StepState.Done : s.Number == current ? StepState.Current : StepState.Pending,
            done.TryGetValue(s.Number, out var d) ? d : null,
            applied.TryGetValue(s.Number, out var ap) ? ap : null,
            earliest[s.Number],
            outcomes.GetValueOrDefault(s.Number) ?? [])).ToList();

        var violations = findings.Any(f => f.Severity == Severity.Error);
        string next;
        var green = false;
        DateTimeOffset? when = null;
        if (current is { } c2)
        {
            var step = plan.Steps[c2 - 1];
            when = earliest[c2];
            var failing = (outcomes.GetValueOrDefault(c2) ?? []).Where(o => !o.Result.Ok).ToList();
            green = step.IsAction && !violations;
            if (violations)
            {
                next = $"Fix what is out of order first (see the findings), then step {c2}: {step.Title}.";
            }
            else if (step.IsAction)
            {
                next = $"Do step {c2} now: {step.Title}.";
            }
            else
            {
                next = $"Step {c2} ({step.Title}): waiting — " + string.Join("; ", failing.Select(f => f.Check.Description + ": " + f.Result.Detail)) + ".";
            }

            findings.Add(PlanFindings.GatePending.Create(plan.Domain, $"Step {c2} ({step.Title}) is not done: " +
                (failing.Count == 0 ? "nothing checked yet" : string.Join("; ", failing.Select(f => f.Check.Description + " — " + f.Result.Detail))) + "."));
        }
        else
        {
            next = finalState == PlanState.Complete ? "Nothing: the plan is complete." : $"Nothing: the plan is {finalState.ToString().ToLowerInvariant()}.";
            green = finalState == PlanState.Complete && !violations;
        }

        return new PlanStatus
        {
            Plan = plan,
            State = finalState,
            CheckedAt = now,
            Steps = steps,
            CurrentStep = current,
            GateGreen = green,
            Next = next,
            Earliest = when,
            Findings = findings,
            NewlyDone = newly,
            Incomplete = incomplete,
        };
    }

    /// <summary>The gate checks <see cref="Evaluate"/> may ask about (everything but the clock-only checks).</summary>
    public static IEnumerable<GateCheck> ChecksToEvaluate(ChangePlan plan) =>
        (plan ?? throw new ArgumentNullException(nameof(plan))).Steps.SelectMany(s => s.Gate).Where(g => g.Kind != GateKind.Elapsed);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
