using System.Security.Cryptography;
using MailTls.MtaSts;
using MailTls.Plan;
using MailTls.Reports.Storage;
using MailTls.Tests.Reports;
using static MailTls.Tests.Plan.PlanTestData;

namespace MailTls.Tests.Plan;

/// <summary>Plans in the report database (migration 4) and their JSON form.</summary>
public sealed class PlanStoreTests
{
    private static IEnumerable<ChangePlan> SamplePlans()
    {
        var current = Base().Hosts["mx1.example.com"].Sessions[0].Leaf!;
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        yield return PlanBuilder.Build(new PlanRequest(ChangeKind.RotateKey, "example.com") { Host = "mx1.example.com", NextKeySpki = next.ExportSubjectPublicKeyInfo() },
            Base().WithHost(Host("mx1.example.com", current, [Tlsa311(current)]))).Plan!;
        yield return PlanBuilder.Build(new PlanRequest(ChangeKind.Rollback, "example.com") { RollbackTo = StsMode.None }, Base().WithSts(StsMode.Enforce)).Plan!;
        yield return PlanBuilder.Build(new PlanRequest(ChangeKind.TlsRpt, "example.com") { Rua = [new Uri("mailto:r@example.com")] }, Base()).Plan!;
        yield return PlanBuilder.Build(new PlanRequest(ChangeKind.Enforce, "example.com"), Base().WithSts(StsMode.Testing)).Plan!;
    }

    [Fact]
    public void A_plan_reads_back_from_its_json_as_the_same_plan()
    {
        foreach (var plan in SamplePlans())
        {
            var json = PlanJson.Write(plan).ToJsonString();
            var back = PlanJson.Read(json, 7);
            Assert.Equal(7, back.Id);
            Assert.Equal(json, PlanJson.Write(back with { Id = plan.Id }).ToJsonString());
            Assert.Equal(plan.Steps.Count, back.Steps.Count);
            Assert.Equal(plan.Steps.SelectMany(s => s.Gate).Select(g => (g.Kind, g.Effect, g.Value, g.Step, g.Seconds)), back.Steps.SelectMany(s => s.Gate).Select(g => (g.Kind, g.Effect, g.Value, g.Step, g.Seconds)));
        }
    }

    [Fact]
    public async Task Plans_and_their_progress_are_kept_and_the_first_sighting_counts()
    {
        await using var store = await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "plans.db"));
        await PlansAsync(store);
    }

    [Fact]
    public async Task A_tlsa_record_keeps_its_first_seen_time()
    {
        await using var store = await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "seen.db"));
        await SeenAsync(store);
    }

    /// <summary>The same contract on PostgreSQL (the lab's, a fresh schema).</summary>
    [Fact]
    [Trait("Category", "Lab")]
    public async Task Postgres_keeps_plans_and_first_seen_times()
    {
        await using var store = await ReportDatabase.OpenAsync(await LabReportsTests.PgUrlAsync());
        await PlansAsync(store);
        await SeenAsync(store);
    }

    private static async Task PlansAsync(SqlReportStore store)
    {
        Assert.Contains(4L, await store.SchemaVersionsAsync());
        Assert.Null(await store.LatestPlanAsync("example.com"));

        var plans = SamplePlans().ToList();
        var first = await store.AddPlanAsync(plans[0], Now);
        var second = await store.AddPlanAsync(plans[1], Now.AddMinutes(1));
        Assert.True(second > first);
        var latest = await store.LatestPlanAsync("example.com");
        Assert.Equal(second, latest!.Plan.Id);
        Assert.Equal(PlanState.Active, latest.State);
        Assert.All(latest.Progress, p => Assert.Null(p.DoneAt));
        Assert.Equal(plans[1].Steps.Count, latest.Progress.Count);

        await store.RecordProgressAsync(second, [new StepProgress(1, Now.AddMinutes(2), null), new StepProgress(2, null, Now.AddMinutes(3))], PlanState.Active, Now.AddMinutes(3));
        await store.RecordProgressAsync(second, [new StepProgress(1, Now.AddMinutes(9), null), new StepProgress(2, Now.AddMinutes(4), Now.AddMinutes(9))], PlanState.Complete, Now.AddMinutes(9));
        latest = await store.LatestPlanAsync("example.com");
        Assert.Equal(PlanState.Complete, latest!.State);
        Assert.Equal(Now.AddMinutes(2), latest.Progress[0].DoneAt);
        Assert.Equal(Now.AddMinutes(4), latest.Progress[1].DoneAt);
        Assert.Equal(Now.AddMinutes(3), latest.Progress[1].AppliedAt);
        Assert.Null(await store.LatestPlanAsync("other.example"));
    }

    private static async Task SeenAsync(SqlReportStore store)
    {
        Assert.Equal(Now, await store.TlsaSeenAsync("_25._tcp.mx.example.com.", "3 1 1 AB", Now));
        Assert.Equal(Now, await store.TlsaSeenAsync("_25._tcp.MX.example.com", "3 1 1 ab", Now.AddHours(1)));
        Assert.Equal(Now.AddHours(2), await store.TlsaSeenAsync("_25._tcp.mx.example.com", "3 1 1 cd", Now.AddHours(2)));
    }
}
