using static MailTls.Cli.Tests.Lab.PlanLab;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// Issue 10 acceptance, MX changes in the lab (plan-mx.lab, enforce): add-mx lists the host in the policy, bumps the
/// id and waits before the MX record; remove-mx removes the record first. Publishing an MX before the policy lists it,
/// or dropping it from the policy while it is still an MX, makes the gate refuse.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabPlanMxTests
{
    private const string D = "plan-mx.lab";
    private const string Mx1 = "mx1.plan-mx.lab";
    private const string Mx2 = "mx2.plan-mx.lab";

    private static async Task StartAsync(bool twoMx)
    {
        await WritePolicyAsync(D, twoMx ? PolicyText("enforce", 86400, Mx1, Mx2) : PolicyText("enforce", 86400, Mx1));
        string[] mx = twoMx ? [$"add {D}. 300 MX 10 {Mx1}.", $"add {D}. 300 MX 20 {Mx2}."] : [$"add {D}. 300 MX 10 {Mx1}."];
        await NsupdateAsync(D, [$"delete {D}. MX", .. mx, $"delete _mta-sts.{D}. TXT", $"add _mta-sts.{D}. 300 TXT \"v=STSv1; id=mxstart{(twoMx ? 2 : 1)};\""]);
    }

    [Fact]
    public async Task Add_mx_runs_end_to_end_and_an_mx_published_before_the_policy_lists_it_is_refused()
    {
        var t0 = T0();
        try
        {
            await StartAsync(twoMx: false);
            var db = NewDb();
            var (pc, _, perr) = await CliAsync(["plan", "add-mx", D, Mx2, .. Common(db, t0, D)]);
            Assert.True(pc == 0, perr);
            await NsupdateAsync(D, $"add {D}. 300 MX 20 {Mx2}.");
            var (vc, vj, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0, D)]);
            Assert.Equal(1, vc);
            Assert.Contains("plan.step.out-of-order", Codes(vj));
            Assert.Contains(vj.GetProperty("findings").EnumerateArray(), f => f.GetProperty("message").GetString()!.Contains("before the policy lists it", StringComparison.Ordinal));

            await StartAsync(twoMx: false);
            db = NewDb();
            var (code, made, err) = await CliAsync(["plan", "add-mx", D, Mx2, "--apply", .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            Assert.Equal(3, CurrentStep(made.GetProperty("status")));
            Assert.Equal(PolicyText("enforce", 86400, Mx1, Mx2), await File.ReadAllTextAsync(PolicyFile(D)));
            Assert.Equal([$"10 {Mx1.ToUpperInvariant()}."], await DigAsync(D, "MX"));

            var (ac, aj, aerr) = await CliAsync(["plan", "apply", D, .. Common(db, t0.AddSeconds(301), D)]);
            Assert.True(ac == 0, aerr + aj);
            Assert.Equal("complete", aj.GetProperty("state").GetString());
            Assert.Equal([$"10 {Mx1.ToUpperInvariant()}.", $"20 {Mx2.ToUpperInvariant()}."], await DigAsync(D, "MX"));
        }
        finally
        {
            await StartAsync(twoMx: false);
        }
    }

    [Fact]
    public async Task Remove_mx_runs_end_to_end_and_dropping_it_from_the_policy_first_is_refused()
    {
        var t0 = T0();
        try
        {
            await StartAsync(twoMx: true);
            var db = NewDb();
            var (pc, _, perr) = await CliAsync(["plan", "remove-mx", D, Mx2, .. Common(db, t0, D)]);
            Assert.True(pc == 0, perr);
            await WritePolicyAsync(D, PolicyText("enforce", 86400, Mx1));
            var (vc, vj, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0, D)]);
            Assert.Equal(1, vc);
            Assert.Contains("plan.step.out-of-order", Codes(vj));

            await StartAsync(twoMx: true);
            db = NewDb();
            var (code, made, err) = await CliAsync(["plan", "remove-mx", D, Mx2, "--apply", .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            Assert.Equal(2, CurrentStep(made.GetProperty("status")));
            Assert.Equal([$"10 {Mx1.ToUpperInvariant()}."], await DigAsync(D, "MX"));
            Assert.Equal(PolicyText("enforce", 86400, Mx1, Mx2), await File.ReadAllTextAsync(PolicyFile(D)));

            var (ac, aj, aerr) = await CliAsync(["plan", "apply", D, .. Common(db, t0.AddSeconds(301), D)]);
            Assert.True(ac == 0, aerr + aj);
            Assert.Equal("complete", aj.GetProperty("state").GetString());
            Assert.Equal(PolicyText("enforce", 86400, Mx1), await File.ReadAllTextAsync(PolicyFile(D)));
        }
        finally
        {
            await StartAsync(twoMx: false);
        }
    }
}
