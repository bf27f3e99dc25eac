using static MailTls.Cli.Tests.Lab.PlanLab;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// Issue 10 acceptance, MTA-STS and TLS-RPT changes in the lab: each plan runs end to end (zone edits through Knot by
/// <c>--apply</c>'s TSIG-signed updates, policy files for the policy host, the plan clock jumping over waits), and a
/// step done out of order or too early makes the gate refuse (<c>plan verify</c> exits 1).
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabPlanStsTests
{
    private const string Sts = "plan-sts.lab";
    private const string Rpt = "plan-rpt.lab";
    private const string Mx1 = "mx1.plan-sts.lab";

    /// <summary>plan-sts.lab without MTA-STS: no _mta-sts record, the policy host serves a stale testing policy (max_age 86400).</summary>
    private static async Task NoStsAsync()
    {
        await NsupdateAsync(Sts, $"delete _mta-sts.{Sts}. TXT");
        await WritePolicyAsync(Sts, PolicyText("testing", 86400, Mx1));
    }

    /// <summary>plan-sts.lab in testing mode: policy served, _mta-sts id=start1.</summary>
    private static async Task TestingAsync(long maxAge = 604800)
    {
        await WritePolicyAsync(Sts, PolicyText("testing", maxAge, Mx1));
        await NsupdateAsync(Sts, $"delete _mta-sts.{Sts}. TXT", $"add _mta-sts.{Sts}. 300 TXT \"v=STSv1; id=start1;\"");
    }

    private static async Task EnforceAsync(long maxAge = 604800)
    {
        await WritePolicyAsync(Sts, PolicyText("enforce", maxAge, Mx1));
        await NsupdateAsync(Sts, $"delete _mta-sts.{Sts}. TXT", $"add _mta-sts.{Sts}. 300 TXT \"v=STSv1; id=start2;\"");
    }

    private static IEnumerable<DateOnly> DaysBefore(DateTimeOffset t, int days) =>
        Enumerable.Range(1, days).Select(i => DateOnly.FromDateTime(t.UtcDateTime.AddDays(-i)));

    [Fact]
    public async Task Tlsrpt_runs_end_to_end_and_a_record_lost_during_the_wait_is_refused()
    {
        await NsupdateAsync(Rpt, $"delete _smtp._tls.{Rpt}. TXT");
        var t0 = T0();
        var db = NewDb();
        var (code, made, err) = await CliAsync(["plan", "tlsrpt", Rpt, "--rua", "mailto:tlsrpt@reports.lab", "--apply", .. Common(db, t0, Rpt)]);
        Assert.True(code == 0, err + made);
        Assert.True(made.GetProperty("applied")[0].GetProperty("ok").GetBoolean());
        Assert.Equal(["\"V=TLSRPTV1; RUA=MAILTO:TLSRPT@REPORTS.LAB\""], await DigAsync("_smtp._tls." + Rpt, "TXT"));
        var status = made.GetProperty("status");
        Assert.Equal(2, CurrentStep(status));
        var wait = made.GetProperty("plan").GetProperty("steps")[1].GetProperty("wait").GetProperty("seconds").GetInt64();
        Assert.Equal(60, wait); // the lab zones' negative TTL: min(SOA TTL 300, MINIMUM 60)

        // the record disappears during the wait: the gate refuses
        await NsupdateAsync(Rpt, $"delete _smtp._tls.{Rpt}. TXT");
        var (broken, bj, _) = await CliAsync(["plan", "verify", Rpt, .. Common(db, t0.AddSeconds(10), Rpt)]);
        Assert.Equal(1, broken);
        Assert.Contains("plan.step.regressed", Codes(bj));

        await NsupdateAsync(Rpt, $"add _smtp._tls.{Rpt}. 3600 TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.lab\"");
        var (c2, s2, _) = await CliAsync(["plan", "status", Rpt, .. Common(db, t0.AddSeconds(61), Rpt)]);
        Assert.Equal(0, c2);
        Assert.Equal(3, CurrentStep(s2));
        Assert.False(s2.GetProperty("gate_green").GetBoolean()); // no reports yet

        await ImportReportsAsync(db, Rpt, [DateOnly.FromDateTime(t0.UtcDateTime.AddDays(1))], "no-policy-found", "", 0);
        var (c3, s3, _) = await CliAsync(["plan", "verify", Rpt, .. Common(db, t0.AddDays(3), Rpt)]);
        Assert.Equal(0, c3);
        Assert.Equal("complete", s3.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Testing_runs_end_to_end_and_an_id_published_before_the_policy_is_refused()
    {
        await NoStsAsync();
        var t0 = T0();
        var db = NewDb();

        // order broken: the operator publishes the id before the policy host serves the planned policy
        var (pc, planned, _) = await CliAsync(["plan", "testing", Sts, .. Common(db, t0, Sts)]);
        Assert.Equal(0, pc);
        var id = NextId(planned.GetProperty("plan"), 2);
        await NsupdateAsync(Sts, $"add _mta-sts.{Sts}. 300 TXT \"v=STSv1; id={id};\"");
        var (vc, vj, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0, Sts)]);
        Assert.Equal(1, vc);
        Assert.Contains("plan.step.out-of-order", Codes(vj));
        Assert.Equal(1, CurrentStep(vj));

        // end to end from scratch
        await NoStsAsync();
        db = NewDb();
        var (code, made, err) = await CliAsync(["plan", "testing", Sts, "--max-age", "604800", "--apply", .. Common(db, t0, Sts)]);
        Assert.True(code == 0, err + made);
        Assert.Equal(3, CurrentStep(made.GetProperty("status")));
        id = NextId(made.GetProperty("plan"), 2);
        Assert.Equal([$"\"V=STSV1; ID={id.ToUpperInvariant()};\""], await DigAsync("_mta-sts." + Sts, "TXT"));
        Assert.Equal(PolicyText("testing", 604800, Mx1), await File.ReadAllTextAsync(PolicyFile(Sts)));

        var (c2, s2, _) = await CliAsync(["plan", "status", Sts, .. Common(db, t0.AddSeconds(61), Sts)]);
        Assert.Equal(0, c2);
        Assert.Equal(4, CurrentStep(s2));
        await ImportReportsAsync(db, Sts, [DateOnly.FromDateTime(t0.UtcDateTime.AddDays(1))], "sts", "testing", 604800, Mx1);
        var (c3, s3, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0.AddDays(3), Sts)]);
        Assert.Equal(0, c3);
        Assert.Equal("complete", s3.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Enforce_runs_end_to_end_and_a_policy_changed_without_an_id_bump_is_refused()
    {
        await TestingAsync();
        var t0 = T0();

        // order broken: the enforce policy is served before the evidence is in, and without a new id
        var db = NewDb();
        var (pc, _, perr) = await CliAsync(["plan", "enforce", Sts, .. Common(db, t0, Sts)]);
        Assert.True(pc == 0, perr);
        await WritePolicyAsync(Sts, PolicyText("enforce", 604800, Mx1));
        var (vc, vj, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0, Sts)]);
        Assert.Equal(1, vc);
        Assert.Contains("serve.id.not-bumped", Codes(vj));
        Assert.Contains("plan.step.out-of-order", Codes(vj));

        // end to end: clean reports for the window, then --apply
        await TestingAsync();
        db = NewDb();
        await ImportReportsAsync(db, Sts, DaysBefore(t0, 14), "sts", "testing", 604800, Mx1);
        var (code, made, err) = await CliAsync(["plan", "enforce", Sts, "--apply", .. Common(db, t0, Sts)]);
        Assert.True(code == 0, err + made);
        Assert.Equal(4, CurrentStep(made.GetProperty("status")));
        Assert.Equal(2, made.GetProperty("applied").GetArrayLength());
        Assert.Equal(PolicyText("enforce", 604800, Mx1), await File.ReadAllTextAsync(PolicyFile(Sts)));
        var (c2, s2, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0.AddSeconds(301), Sts)]);
        Assert.Equal(0, c2);
        Assert.Equal("complete", s2.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Rollback_to_testing_runs_end_to_end_and_an_id_bumped_before_the_policy_is_refused()
    {
        // order broken: the new id is published while the policy host still serves enforce
        await EnforceAsync();
        var t0 = T0();
        var db = NewDb();
        var (pc, planned, perr) = await CliAsync(["plan", "rollback", Sts, "--to", "testing", .. Common(db, t0, Sts)]);
        Assert.True(pc == 0, perr);
        await NsupdateAsync(Sts, $"delete _mta-sts.{Sts}. TXT", $"add _mta-sts.{Sts}. 300 TXT \"v=STSv1; id={NextId(planned.GetProperty("plan"), 2)};\"");
        var (vc, vj, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0, Sts)]);
        Assert.Equal(1, vc);
        Assert.Contains("plan.step.out-of-order", Codes(vj));

        await EnforceAsync();
        db = NewDb();
        var (code, made, err) = await CliAsync(["plan", "rollback", Sts, "--to", "testing", "--apply", .. Common(db, t0, Sts)]);
        Assert.True(code == 0, err + made);
        Assert.Equal(3, CurrentStep(made.GetProperty("status")));
        Assert.Equal(PolicyText("testing", 604800, Mx1), await File.ReadAllTextAsync(PolicyFile(Sts)));
        var id = NextId(made.GetProperty("plan"), 2);
        Assert.Equal([$"\"V=STSV1; ID={id.ToUpperInvariant()};\""], await DigAsync("_mta-sts." + Sts, "TXT"));
        var (c2, s2, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0.AddSeconds(301), Sts)]);
        Assert.Equal(0, c2);
        Assert.Equal("complete", s2.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Rollback_to_none_keeps_mode_none_for_max_age_and_removing_the_record_earlier_is_refused()
    {
        await EnforceAsync(maxAge: 86400);
        var t0 = T0();
        var db = NewDb();
        try
        {
            var (code, made, err) = await CliAsync(["plan", "rollback", Sts, "--to", "none", "--apply", .. Common(db, t0, Sts)]);
            Assert.True(code == 0, err + made);
            Assert.Equal(3, CurrentStep(made.GetProperty("status")));
            Assert.Equal("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", await File.ReadAllTextAsync(PolicyFile(Sts)));
            Assert.Equal(86400 + 300, made.GetProperty("plan").GetProperty("steps")[2].GetProperty("wait").GetProperty("seconds").GetInt64());

            // too early: the record is removed an hour later, long before the old max_age ran out
            await NsupdateAsync(Sts, $"delete _mta-sts.{Sts}. TXT");
            var (vc, vj, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0.AddHours(1), Sts)]);
            Assert.Equal(1, vc);
            Assert.Contains("plan.step.too-early", Codes(vj));
            var id = NextId(made.GetProperty("plan"), 2);
            await NsupdateAsync(Sts, $"add _mta-sts.{Sts}. 300 TXT \"v=STSv1; id={id};\"");

            // after max_age + TXT TTL: apply removes the record; the operator stops serving the policy
            var (ac, aj, aerr) = await CliAsync(["plan", "apply", Sts, .. Common(db, t0.AddSeconds(86400 + 301), Sts)]);
            Assert.True(ac == 0, aerr + aj);
            Assert.Empty(await DigAsync("_mta-sts." + Sts, "TXT"));
            Assert.Equal(5, CurrentStep(aj));
            Assert.True(aj.GetProperty("gate_green").GetBoolean());
            await WritePolicyAsync(Sts, null);
            var (c3, s3, _) = await CliAsync(["plan", "verify", Sts, .. Common(db, t0.AddSeconds(86400 + 400), Sts)]);
            Assert.Equal(0, c3);
            Assert.Equal("complete", s3.GetProperty("state").GetString());
        }
        finally
        {
            await TestingAsync();
        }
    }
}
