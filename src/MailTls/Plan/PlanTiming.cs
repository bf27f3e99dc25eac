namespace MailTls.Plan;

/// <summary>
/// The time rules of plans (pure). A change of an RRset is seen by every resolver once what it cached before has
/// expired: the largest TTL any authoritative server served for the old RRset, or — when the name or type did not
/// exist — the negative TTL, min(SOA TTL, SOA MINIMUM) (RFC 2308 §5). Reports cover whole UTC days (RFC 8460 §4.1)
/// and arrive after the day ends.
/// </summary>
public static class PlanTiming
{
    /// <summary>The negative-caching TTL of a zone (RFC 2308 §5).</summary>
    public static uint NegativeTtl(uint soaTtl, uint soaMinimum) => Math.Min(soaTtl, soaMinimum);

    /// <summary>
    /// When the first reports that can reflect a change done at <paramref name="done"/> are due: the end of the first
    /// full UTC day after it, plus the delivery allowance (<see cref="Limits.PlanReportDeliveryAllowance"/>).
    /// </summary>
    public static DateTimeOffset ReportsDue(DateTimeOffset done)
    {
        var utc = done.ToUniversalTime();
        var nextDay = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
        return nextDay.AddDays(1) + Limits.PlanReportDeliveryAllowance;
    }

    /// <summary>The end of a wait whose anchor step was done at <paramref name="anchorDone"/>.</summary>
    public static DateTimeOffset WaitEnd(WaitSpec wait, DateTimeOffset anchorDone)
    {
        ArgumentNullException.ThrowIfNull(wait);
        var end = anchorDone.AddSeconds(wait.Seconds);
        return wait.UntilReports ? ReportsDue(end) : end;
    }

    /// <summary>
    /// The earliest time of every step: a step done keeps its time; an action or verify step may start when the step
    /// before it is done (projected: as soon as allowed); a wait ends its duration after its anchor step.
    /// </summary>
    public static IReadOnlyDictionary<int, DateTimeOffset> Earliest(ChangePlan plan, IReadOnlyDictionary<int, DateTimeOffset> done, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(done);
        var earliest = new Dictionary<int, DateTimeOffset>();
        var finished = new Dictionary<int, DateTimeOffset>();
        var previous = now;
        foreach (var step in plan.Steps)
        {
            DateTimeOffset start;
            if (step.Wait is { } wait)
            {
                var anchor = finished.TryGetValue(wait.AfterStep, out var a) ? a : previous;
                start = WaitEnd(wait, anchor);
                if (step.Kind != StepKind.Wait && start < previous)
                {
                    start = previous;
                }
            }
            else
            {
                start = previous;
            }

            if (done.TryGetValue(step.Number, out var d))
            {
                earliest[step.Number] = start < d ? start : d;
                finished[step.Number] = d;
                previous = d;
                continue;
            }

            if (start < now)
            {
                start = now;
            }

            earliest[step.Number] = start;
            finished[step.Number] = start;
            previous = start;
        }

        return earliest;
    }
}
