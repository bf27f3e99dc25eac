using System.Security.Cryptography;
using MailTls.Dane;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;
using MailTls.Plan;
using static MailTls.Tests.Plan.PlanTestData;

namespace MailTls.Tests.Plan;

/// <summary>Step order, exact records and waits of each change type (RFC 8461 §3.1/§5.1/§8.3, RFC 7671 §8).</summary>
public sealed class PlanBuilderTests
{
    private static ChangePlan Plan(PlanRequest request, PlanSnapshot snapshot)
    {
        var result = PlanBuilder.Build(request, snapshot);
        Assert.True(result.Success, string.Join("; ", result.Findings.Select(f => f.Code + ": " + f.Message)));
        return result.Plan!;
    }

    private static IReadOnlyList<StepKind> Kinds(ChangePlan plan) => [.. plan.Steps.Select(s => s.Kind)];

    private static string Updates(PlanStep step) => string.Join(" | ", step.Dns!.Updates.Select(u => u.ToString()));

    private static string FailureCode(PlanRequest request, PlanSnapshot snapshot)
    {
        var result = PlanBuilder.Build(request, snapshot);
        Assert.False(result.Success);
        return result.Findings.First(f => f.Severity != MailTls.Findings.Severity.Warning).Code;
    }

    [Fact]
    public void Tlsrpt_publishes_then_waits_the_negative_ttl_then_expects_reports()
    {
        var plan = Plan(new PlanRequest(ChangeKind.TlsRpt, "example.com") { Rua = [new Uri("mailto:tlsrpt@example.com")] }, Base());
        Assert.Equal([StepKind.Dns, StepKind.Wait, StepKind.Verify], Kinds(plan));
        Assert.Equal("delete _smtp._tls.example.com. TXT | add _smtp._tls.example.com. 3600 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\"", Updates(plan.Steps[0]));
        Assert.Equal(60, plan.Steps[1].Wait!.Seconds); // the name did not exist: negative TTL (RFC 2308 §5)
        Assert.True(plan.Steps[2].Wait!.UntilReports);
        Assert.Equal(GateKind.ReportsSeen, Assert.Single(plan.Steps[2].Gate).Kind);
        Assert.Contains(plan.Ttls, t => t.Owner == "_smtp._tls.example.com" && t.Ttl is null && t.NegativeTtl == 60);
    }

    [Fact]
    public void Tlsrpt_with_the_same_rua_has_nothing_to_do_and_without_rua_cannot_be_planned()
    {
        var same = PlanBuilder.Build(new PlanRequest(ChangeKind.TlsRpt, "example.com") { Rua = [new Uri("mailto:tlsrpt@example.com")] }, Base().WithTlsRpt());
        Assert.False(same.Success);
        Assert.Equal(PlanFindings.NothingToDo.Code, Assert.Single(same.Findings).Code);
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.TlsRpt, "example.com"), Base()));
    }

    [Fact]
    public void Testing_serves_the_policy_before_the_record_that_points_at_it()
    {
        var plan = Plan(new PlanRequest(ChangeKind.Testing, "example.com"), Base().WithTlsRpt());
        Assert.Equal([StepKind.Policy, StepKind.Dns, StepKind.Wait, StepKind.Verify], Kinds(plan));
        Assert.Equal("version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n", plan.Steps[0].Policy!.Content);
        Assert.Equal("delete _mta-sts.example.com. TXT | add _mta-sts.example.com. 3600 IN TXT \"v=STSv1; id=20260101T120000;\"", Updates(plan.Steps[1]));
        Assert.Equal("20260101T120000", plan.Steps[1].Gate.Single(g => g.Kind == GateKind.StsId).Value);
        Assert.Equal(60, plan.Steps[2].Wait!.Seconds);
        Assert.Equal("sts", plan.Steps[3].Gate.Single().Value);
        Assert.Empty(plan.Findings);
    }

    [Fact]
    public void Testing_warns_without_tlsrpt_and_refuses_patterns_that_miss_an_mx()
    {
        var result = PlanBuilder.Build(new PlanRequest(ChangeKind.Testing, "example.com"), Base());
        Assert.True(result.Success);
        Assert.Contains(result.Findings, f => f.Code == PlanFindings.NoTlsRpt.Code);
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.Testing, "example.com") { MxPatterns = ["mx9.example.com"] }, Base()));
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.Testing, "example.com"), Base().WithSts(StsMode.Enforce)));
    }

    [Fact]
    public void Enforce_checks_the_evidence_then_policy_then_id_then_waits_the_txt_ttl()
    {
        var plan = Plan(new PlanRequest(ChangeKind.Enforce, "example.com") { Days = 21 }, Base().WithTlsRpt().WithSts(StsMode.Testing, 86400));
        Assert.Equal([StepKind.Verify, StepKind.Policy, StepKind.Dns, StepKind.Wait, StepKind.Verify], Kinds(plan));
        Assert.Equal([GateKind.Readiness, GateKind.MxDelivers], plan.Steps[0].Gate.Select(g => g.Kind));
        Assert.Equal(21, plan.Steps[0].Gate[0].Days);
        Assert.Equal("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n", plan.Steps[1].Policy!.Content);
        Assert.Equal(300, plan.Steps[3].Wait!.Seconds); // the old _mta-sts TXT TTL
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.Enforce, "example.com"), Base()));
    }

    [Fact]
    public void Add_mx_lists_the_host_bumps_the_id_and_waits_before_the_mx_record()
    {
        var mx2 = Host("mx2.example.com", Cert("mx2.example.com"));
        var plan = Plan(new PlanRequest(ChangeKind.AddMx, "example.com") { Host = "MX2.example.com." }, Base().WithSts(StsMode.Enforce).WithHost(mx2));
        Assert.Equal([StepKind.Policy, StepKind.Dns, StepKind.Wait, StepKind.Dns], Kinds(plan));
        Assert.Equal("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n", plan.Steps[0].Policy!.Content);
        Assert.Equal(300, plan.Steps[2].Wait!.Seconds);
        Assert.Equal(2, plan.Steps[2].Wait!.AfterStep);
        Assert.Equal("add example.com. 300 IN MX 20 mx2.example.com.", Updates(plan.Steps[3]));
        Assert.Contains("before the policy lists it", plan.Steps[3].TooEarly, StringComparison.Ordinal);
        var effect = Assert.Single(plan.Steps[3].Gate, g => g.Effect);
        Assert.Equal((GateKind.RrsetHas, "example.com", DnsRecordType.MX), (effect.Kind, effect.Owner, effect.Type));
    }

    [Fact]
    public void Add_mx_covered_by_a_wildcard_is_one_step_and_dane_adds_tlsa_first()
    {
        var mx2 = Host("mx2.example.com", Cert("mx2.example.com"));
        var wild = Plan(new PlanRequest(ChangeKind.AddMx, "example.com") { Host = "mx2.example.com", Preference = 5 }, Base().WithSts(StsMode.Enforce, 604800, "*.example.com").WithHost(mx2));
        Assert.Equal([StepKind.Dns], Kinds(wild));
        Assert.Equal("add example.com. 300 IN MX 5 mx2.example.com.", Updates(wild.Steps[0]));

        var mx1 = Base().Hosts["mx1.example.com"];
        var dane = Base().WithHost(Host("mx1.example.com", mx1.Sessions[0].Leaf!, [Tlsa311(mx1.Sessions[0].Leaf!)])).WithHost(mx2);
        var plan = Plan(new PlanRequest(ChangeKind.AddMx, "example.com") { Host = "mx2.example.com" }, dane);
        Assert.Equal([StepKind.Dns, StepKind.Wait, StepKind.Dns], Kinds(plan));
        Assert.StartsWith("add _25._tcp.mx2.example.com. 3600 IN TLSA 3 1 1 " + Tlsa311(mx2.Sessions[0].Leaf!).DataHex.ToUpperInvariant(), Updates(plan.Steps[0]), StringComparison.Ordinal);
        Assert.Equal(60, plan.Steps[1].Wait!.Seconds);
    }

    [Fact]
    public void Add_mx_of_a_host_without_tls_is_refused_under_enforce()
    {
        var broken = new HostSnapshot("mx2.example.com", true) { Addresses = 1, AddressesWithTls = 0, ProbeProblem = "192.0.2.2: StartTlsNotOffered" };
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.AddMx, "example.com") { Host = "mx2.example.com" }, Base().WithSts(StsMode.Enforce).WithHost(broken)));
        var testing = PlanBuilder.Build(new PlanRequest(ChangeKind.AddMx, "example.com") { Host = "mx2.example.com" }, Base().WithSts(StsMode.Testing).WithHost(broken));
        Assert.True(testing.Success);
        Assert.Contains(testing.Findings, f => f.Severity == MailTls.Findings.Severity.Warning);
    }

    [Fact]
    public void Remove_mx_removes_the_record_first_waits_its_ttl_then_drops_it_from_the_policy()
    {
        var s = Base() with { Mx = [(10, "mx1.example.com"), (20, "mx2.example.com")] };
        var plan = Plan(new PlanRequest(ChangeKind.RemoveMx, "example.com") { Host = "mx2.example.com" }, s.WithSts(StsMode.Enforce, 604800, "mx1.example.com", "mx2.example.com"));
        Assert.Equal([StepKind.Dns, StepKind.Wait, StepKind.Policy, StepKind.Dns], Kinds(plan));
        Assert.Equal("delete example.com. MX 20 mx2.example.com.", Updates(plan.Steps[0]));
        Assert.Equal(300, plan.Steps[1].Wait!.Seconds);
        Assert.Equal("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n", plan.Steps[2].Policy!.Content);
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.RemoveMx, "example.com") { Host = "mx1.example.com" }, Base()));
    }

    [Fact]
    public void Rotate_key_publishes_next_waits_two_ttls_deploys_then_removes_the_old_record()
    {
        var current = Base().Hosts["mx1.example.com"].Sessions[0].Leaf!;
        var s = Base().WithHost(Host("mx1.example.com", current, [Tlsa311(current)])).WithTtl(Ttl("_25._tcp.mx1.example.com", DnsRecordType.TLSA, 1800));
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = next.ExportSubjectPublicKeyInfo();
        var plan = Plan(new PlanRequest(ChangeKind.RotateKey, "example.com") { Host = "mx1.example.com", NextKeySpki = spki }, s);
        Assert.Equal([StepKind.Dns, StepKind.Wait, StepKind.Manual, StepKind.Dns], Kinds(plan));
        var nextRecord = TlsaBuilder.FromSubjectPublicKeyInfo(spki);
        Assert.Equal($"add _25._tcp.mx1.example.com. 1800 IN TLSA 3 1 1 {nextRecord.DataHex.ToUpperInvariant()}", Updates(plan.Steps[0]));
        Assert.Equal(3600, plan.Steps[1].Wait!.Seconds); // 2×TTL (RFC 7671 §8.1)
        Assert.Equal(Hashes.SpkiSha256(spki), plan.Steps[2].Gate.Single(g => g.Effect).Value);
        Assert.Contains("2×TTL", plan.Steps[2].TooEarly, StringComparison.Ordinal);
        Assert.Equal($"delete _25._tcp.mx1.example.com. TLSA 3 1 1 {Tlsa311(current).DataHex.ToUpperInvariant()}", Updates(plan.Steps[3]));
    }

    [Fact]
    public void Rotate_key_needs_published_dane_and_a_next_key()
    {
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.RotateKey, "example.com") { Host = "mx1.example.com", NextKeySpki = next.ExportSubjectPublicKeyInfo() }, Base()));
        var current = Base().Hosts["mx1.example.com"].Sessions[0].Leaf!;
        var dane = Base().WithHost(Host("mx1.example.com", current, [Tlsa311(current)]));
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.RotateKey, "example.com") { Host = "mx1.example.com" }, dane));
    }

    [Fact]
    public void Rotate_cert_with_the_same_key_is_one_step_with_a_new_key_it_warns_and_prepares_dane()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var current = Cert("mx1.example.com", key);
        var s = Base().WithHost(Host("mx1.example.com", current, [Tlsa311(current)])).WithTtl(Ttl("_25._tcp.mx1.example.com", DnsRecordType.TLSA, 300));
        var renewed = Cert("mx1.example.com", key);
        var same = Plan(new PlanRequest(ChangeKind.RotateCert, "example.com") { Host = "mx1.example.com", NextChain = [renewed] }, s);
        Assert.Equal([StepKind.Manual], Kinds(same));
        Assert.Empty(same.Findings);

        var rekeyed = Cert("mx1.example.com");
        var result = PlanBuilder.Build(new PlanRequest(ChangeKind.RotateCert, "example.com") { Host = "mx1.example.com", NextChain = [rekeyed] }, s);
        Assert.True(result.Success);
        Assert.Contains(result.Findings, f => f.Code == PlanFindings.CertKeyNotCovered.Code);
        Assert.Equal([StepKind.Dns, StepKind.Wait, StepKind.Manual, StepKind.Dns], Kinds(result.Plan!));
        Assert.Equal(600, result.Plan!.Steps[1].Wait!.Seconds);
        Assert.Contains(Tlsa311(current).DataHex.ToUpperInvariant(), Updates(result.Plan.Steps[3]), StringComparison.Ordinal);

        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.RotateCert, "example.com") { Host = "mx1.example.com", NextChain = [Cert("other.example.net")] }, s));
    }

    [Fact]
    public void Dane_needs_a_secure_zone_and_publishes_3_1_1_of_the_presented_key()
    {
        Assert.Equal(PlanFindings.CannotPlan.Code, FailureCode(new PlanRequest(ChangeKind.Dane, "example.com"), Base() with { Dnssec = DnssecStatus.Insecure }));
        var snapshot = Base();
        var plan = Plan(new PlanRequest(ChangeKind.Dane, "example.com"), snapshot);
        Assert.Equal([StepKind.Dns, StepKind.Wait, StepKind.Verify], Kinds(plan));
        var leaf = snapshot.Hosts["mx1.example.com"].Sessions[0].Leaf!;
        Assert.Equal($"add _25._tcp.mx1.example.com. 3600 IN TLSA 3 1 1 {Tlsa311(leaf).DataHex.ToUpperInvariant()}", Updates(plan.Steps[0]));
        Assert.Equal(60, plan.Steps[1].Wait!.Seconds);
    }

    [Fact]
    public void Rollback_to_none_keeps_mode_none_for_the_old_max_age_before_removing_the_record()
    {
        var plan = Plan(new PlanRequest(ChangeKind.Rollback, "example.com") { RollbackTo = StsMode.None }, Base().WithSts(StsMode.Enforce, 1209600));
        Assert.Equal([StepKind.Policy, StepKind.Dns, StepKind.Wait, StepKind.Dns, StepKind.Manual], Kinds(plan));
        Assert.Equal("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", plan.Steps[0].Policy!.Content);
        Assert.Equal(1209600 + 300, plan.Steps[2].Wait!.Seconds); // old max_age + the TXT record's cache time
        Assert.Equal("delete _mta-sts.example.com. TXT", Updates(plan.Steps[3]));
        Assert.Equal(GateKind.PolicyNotServed, plan.Steps[4].Gate.Single().Kind);

        var testing = Plan(new PlanRequest(ChangeKind.Rollback, "example.com") { RollbackTo = StsMode.Testing }, Base().WithSts(StsMode.Enforce));
        Assert.Equal([StepKind.Policy, StepKind.Dns, StepKind.Wait], Kinds(testing));
        Assert.Contains("mode: testing", testing.Steps[0].Policy!.Content, StringComparison.Ordinal);
        Assert.NotEqual("1", testing.Steps[1].Gate[0].Value);
    }

    [Fact]
    public void Every_dns_change_parses_back_from_its_nsupdate_line()
    {
        var current = Base().Hosts["mx1.example.com"].Sessions[0].Leaf!;
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var plans = new[]
        {
            Plan(new PlanRequest(ChangeKind.TlsRpt, "example.com") { Rua = [new Uri("mailto:a@example.com"), new Uri("https://r.example.com/tlsrpt")] }, Base()),
            Plan(new PlanRequest(ChangeKind.RotateKey, "example.com") { Host = "mx1.example.com", NextKeySpki = next.ExportSubjectPublicKeyInfo() }, Base().WithHost(Host("mx1.example.com", current, [Tlsa311(current)]))),
        };
        foreach (var u in plans.SelectMany(p => p.Steps).Where(s => s.Dns is not null).SelectMany(s => s.Dns!.Updates))
        {
            var back = PlanJson.ParseUpdate("update " + u);
            Assert.Equal(u.ToString(), back.ToString());
        }
    }
}
