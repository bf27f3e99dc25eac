using System.Security.Cryptography;
using MailTls.MtaSts;
using MailTls.Plan;
using static MailTls.Tests.Plan.PlanTestData;

namespace MailTls.Tests.Plan;

/// <summary>The status state machine: steps done in order, waits counted from when a step was first seen done, gates that refuse.</summary>
public sealed class PlanProgressTests
{
    /// <summary>add-mx under enforce: 1 policy, 2 id, 3 wait 300 s, 4 MX record.</summary>
    private static ChangePlan AddMx() =>
        PlanBuilder.Build(new PlanRequest(ChangeKind.AddMx, "example.com") { Host = "mx2.example.com" },
            Base().WithSts(StsMode.Enforce).WithHost(Host("mx2.example.com", Cert("mx2.example.com")))).Plan!;

    /// <summary>A world where the checks of the given steps hold and every other check fails.</summary>
    private static Func<GateCheck, CheckResult> World(ChangePlan plan, params int[] holding)
    {
        var ok = plan.Steps.Where(s => holding.Contains(s.Number)).SelectMany(s => s.Gate).ToHashSet(ReferenceEqualityComparer.Instance);
        return c => ok.Contains(c) ? new CheckResult(true, "seen") : new CheckResult(false, "not seen");
    }

    private static IReadOnlyList<StepProgress> Done(params (int Step, DateTimeOffset At)[] done) =>
        [.. done.Select(d => new StepProgress(d.Step, d.At, null))];

    [Fact]
    public void A_fresh_plan_is_at_step_one_with_a_green_gate()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, [], World(plan), Now);
        Assert.Equal(1, status.CurrentStep);
        Assert.True(status.GateGreen);
        Assert.StartsWith("Do step 1 now", status.Next, StringComparison.Ordinal);
        Assert.Empty(status.NewlyDone);
        Assert.DoesNotContain(status.Findings, f => f.IsError);
    }

    [Fact]
    public void Steps_seen_done_advance_and_start_the_wait_from_that_moment()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, [], World(plan, 1, 2), Now);
        Assert.Equal([1, 2], status.NewlyDone);
        Assert.Equal(3, status.CurrentStep);
        Assert.False(status.GateGreen); // a wait is never green: it completes by itself
        Assert.Equal(Now.AddSeconds(300), status.Earliest);

        var later = PlanProgress.Evaluate(plan, Done((1, Now), (2, Now)), World(plan, 1, 2), Now.AddSeconds(299));
        Assert.Equal(3, later.CurrentStep);
        var after = PlanProgress.Evaluate(plan, Done((1, Now), (2, Now)), World(plan, 1, 2), Now.AddSeconds(300));
        Assert.Equal([3], after.NewlyDone);
        Assert.Equal(4, after.CurrentStep);
        Assert.True(after.GateGreen);
    }

    [Fact]
    public void An_mx_published_before_the_policy_lists_it_is_out_of_order()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, [], World(plan, 4), Now);
        Assert.Equal(1, status.CurrentStep);
        Assert.False(status.GateGreen);
        var f = Assert.Single(status.Findings, f => f.IsError);
        Assert.Equal(PlanFindings.OutOfOrder.Code, f.Code);
        Assert.Contains("before the policy lists it", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_mx_published_during_the_wait_is_too_early()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, Done((1, Now), (2, Now)), World(plan, 1, 2, 4), Now.AddSeconds(10));
        Assert.Equal(3, status.CurrentStep);
        Assert.Equal(PlanFindings.TooEarly.Code, Assert.Single(status.Findings, f => f.IsError).Code);
    }

    [Fact]
    public void A_done_step_that_no_longer_holds_is_a_regression()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, Done((1, Now), (2, Now)), World(plan, 1), Now.AddSeconds(10));
        Assert.Equal(PlanFindings.Regressed.Code, Assert.Single(status.Findings, f => f.IsError).Code);
    }

    [Fact]
    public void A_later_step_that_undoes_an_earlier_one_is_not_a_regression()
    {
        // rollback to none: step 4 removes the record step 2 published
        var plan = PlanBuilder.Build(new PlanRequest(ChangeKind.Rollback, "example.com") { RollbackTo = StsMode.None }, Base().WithSts(StsMode.Enforce, 86400)).Plan!;
        var progress = Done((1, Now), (2, Now), (3, Now.AddSeconds(86700)));
        var status = PlanProgress.Evaluate(plan, progress, World(plan, 1, 4), Now.AddSeconds(86800));
        Assert.Equal([4], status.NewlyDone);
        Assert.Equal(5, status.CurrentStep);
        Assert.DoesNotContain(status.Findings, f => f.IsError);
        var again = PlanProgress.Evaluate(plan, [.. progress, new StepProgress(4, Now.AddSeconds(86800), null)], World(plan, 1, 4), Now.AddSeconds(86900));
        Assert.DoesNotContain(again.Findings, f => f.IsError);
        Assert.True(again.GateGreen);
    }

    [Fact]
    public void Key_deployed_before_two_ttls_is_too_early_and_fine_after()
    {
        var current = Base().Hosts["mx1.example.com"].Sessions[0].Leaf!;
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var plan = PlanBuilder.Build(new PlanRequest(ChangeKind.RotateKey, "example.com") { Host = "mx1.example.com", NextKeySpki = next.ExportSubjectPublicKeyInfo() },
            Base().WithHost(Host("mx1.example.com", current, [Tlsa311(current)])).WithTtl(Ttl("_25._tcp.mx1.example.com", MailTls.Dns.DnsRecordType.TLSA, 300))).Plan!;
        var early = PlanProgress.Evaluate(plan, Done((1, Now)), World(plan, 1, 3), Now.AddSeconds(599));
        Assert.Equal(2, early.CurrentStep);
        Assert.Contains(early.Findings, f => f.Code == PlanFindings.TooEarly.Code && f.Message.Contains("2×TTL", StringComparison.Ordinal));

        var ok = PlanProgress.Evaluate(plan, Done((1, Now)), World(plan, 1, 3), Now.AddSeconds(600));
        Assert.Equal([2, 3], ok.NewlyDone);
        Assert.Equal(4, ok.CurrentStep);
        Assert.DoesNotContain(ok.Findings, f => f.IsError);
    }

    [Fact]
    public void A_plan_whose_steps_all_hold_is_complete_and_green()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, Done((1, Now), (2, Now), (3, Now.AddSeconds(300))), World(plan, 1, 2, 4), Now.AddSeconds(400));
        Assert.Equal(PlanState.Complete, status.State);
        Assert.Null(status.CurrentStep);
        Assert.True(status.GateGreen);
        Assert.Equal([4], status.NewlyDone);
    }

    [Fact]
    public void A_cancelled_plan_is_not_evaluated()
    {
        var plan = AddMx();
        var asked = 0;
        var status = PlanProgress.Evaluate(plan, [], c => { asked++; return new CheckResult(true, "x"); }, Now, PlanState.Cancelled);
        Assert.Equal(0, asked);
        Assert.Equal(PlanState.Cancelled, status.State);
        Assert.False(status.GateGreen);
    }

    [Fact]
    public void Incomplete_checks_are_not_regressions()
    {
        var plan = AddMx();
        var status = PlanProgress.Evaluate(plan, Done((1, Now), (2, Now)), c => new CheckResult(false, "timeout") { Incomplete = true }, Now.AddSeconds(10));
        Assert.True(status.Incomplete);
        Assert.DoesNotContain(status.Findings, f => f.IsError);
    }

    [Fact]
    public void Earliest_times_project_each_step_from_the_one_before()
    {
        var plan = AddMx();
        var earliest = PlanTiming.Earliest(plan, new Dictionary<int, DateTimeOffset>(), Now);
        Assert.Equal([Now, Now, Now.AddSeconds(300), Now.AddSeconds(300)], plan.Steps.Select(s => earliest[s.Number]));
        var done = PlanTiming.Earliest(plan, new Dictionary<int, DateTimeOffset> { [1] = Now.AddHours(-2), [2] = Now.AddHours(-1) }, Now);
        Assert.Equal(Now, done[3]); // the wait ended 55 minutes ago
    }
}
