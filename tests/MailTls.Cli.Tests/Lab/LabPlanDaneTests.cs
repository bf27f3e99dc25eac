using System.Security.Cryptography;
using static MailTls.Cli.Tests.Lab.PlanLab;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// Issue 10 acceptance, DANE changes in the lab (plan-dane.lab, signed by Knot): first TLSA publication, a key rollover
/// (current + next, 2×TTL, deploy, remove the old record, RFC 7671 §8.1) and a certificate with a new key, each end to
/// end with the certificate really swapped under Postfix; a key deployed before its TLSA record outlived 2×TTL, a
/// certificate deployed before its record exists, and a key changed before the DANE check are refused.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabPlanDaneTests
{
    private const string D = "plan-dane.lab";
    private const string Mx1 = "mx1.plan-dane.lab";
    private const string Owner = "_25._tcp." + Mx1;

    /// <summary>The lab/up certificate on mx1 and, when <paramref name="tlsa"/>, its 3 1 1 record (TTL 300) as the only TLSA.</summary>
    private static async Task StartAsync(bool tlsa)
    {
        var (chain, key) = Original(Mx1);
        await DeployAsync(Mx1, chain, key);
        using var original = OriginalKey(Mx1);
        await NsupdateAsync(D, [$"delete {Owner}. TLSA", .. tlsa ? new[] { $"add {Owner}. 300 TLSA {Tlsa311(original)}" } : []]);
    }

    [Fact]
    public async Task Dane_publishes_the_first_tlsa_record_end_to_end_and_a_key_changed_before_the_check_is_refused()
    {
        var t0 = T0();
        try
        {
            await StartAsync(tlsa: false);
            var db = NewDb();
            var (code, made, err) = await CliAsync(["plan", "dane", D, "--apply", .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            using (var original = OriginalKey(Mx1))
            {
                Assert.Equal([Tlsa311(original)], await DigAsync(Owner, "TLSA"));
            }

            Assert.Equal(2, CurrentStep(made.GetProperty("status")));

            // the key changes during the wait: the DANE check refuses
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var (chain, key, _) = Issue(Mx1, other);
            await DeployAsync(Mx1, chain, key);
            var (vc, vj, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0.AddSeconds(61), D)]);
            Assert.Equal(1, vc);
            Assert.Equal(3, CurrentStep(vj));
            Assert.Contains(vj.GetProperty("steps")[2].GetProperty("checks").EnumerateArray(), c => c.GetProperty("check").GetString() == "tlsa-matches" && !c.GetProperty("ok").GetBoolean());

            var (orig, origKey) = Original(Mx1);
            await DeployAsync(Mx1, orig, origKey);
            var (c2, s2, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0.AddSeconds(62), D)]);
            Assert.Equal(0, c2);
            Assert.Equal("complete", s2.GetProperty("state").GetString());
        }
        finally
        {
            await StartAsync(tlsa: false);
        }
    }

    [Fact]
    public async Task Rotate_key_runs_end_to_end_and_a_key_deployed_before_two_ttls_is_refused()
    {
        var t0 = T0();
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var nextKeyFile = Pem(next.ExportSubjectPublicKeyInfoPem());
        var (nextChain, nextKey, _) = Issue(Mx1, next);
        try
        {
            // too early: the next key is deployed right after its record was published
            await StartAsync(tlsa: true);
            var db = NewDb();
            var (code, made, err) = await CliAsync(["plan", "rotate-key", D, Mx1, "--next-key", nextKeyFile, "--apply", .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            Assert.Equal(2, CurrentStep(made.GetProperty("status")));
            Assert.Equal(600, made.GetProperty("plan").GetProperty("steps")[1].GetProperty("wait").GetProperty("seconds").GetInt64()); // 2×TTL 300
            using (var original = OriginalKey(Mx1))
            {
                Assert.Equal(new[] { Tlsa311(original), Tlsa311(next) }.Order(StringComparer.Ordinal), await DigAsync(Owner, "TLSA"));
            }

            await DeployAsync(Mx1, nextChain, nextKey);
            var (vc, vj, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0.AddSeconds(30), D)]);
            Assert.Equal(1, vc);
            Assert.Contains("plan.step.too-early", Codes(vj));

            // end to end
            await StartAsync(tlsa: true);
            db = NewDb();
            (code, made, err) = await CliAsync(["plan", "rotate-key", D, Mx1, "--next-key", nextKeyFile, "--apply", .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            var (c2, s2, _) = await CliAsync(["plan", "status", D, .. Common(db, t0.AddSeconds(599), D)]);
            Assert.Equal(2, CurrentStep(s2));
            (c2, s2, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0.AddSeconds(600), D)]);
            Assert.Equal(0, c2);
            Assert.Equal(3, CurrentStep(s2)); // deploy the key now
            await DeployAsync(Mx1, nextChain, nextKey);
            var (ac, aj, aerr) = await CliAsync(["plan", "apply", D, .. Common(db, t0.AddSeconds(700), D)]);
            Assert.True(ac == 0, aerr + aj);
            Assert.Equal("complete", aj.GetProperty("state").GetString());
            Assert.Equal([Tlsa311(next)], await DigAsync(Owner, "TLSA"));
        }
        finally
        {
            await StartAsync(tlsa: false);
        }
    }

    [Fact]
    public async Task Rotate_cert_with_a_new_key_warns_and_runs_end_to_end_and_deploying_first_is_refused()
    {
        var t0 = T0();
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (chain, key, leaf) = Issue(Mx1, newKey);
        var certFile = Pem(chain);
        try
        {
            // order broken: the certificate is deployed before its TLSA record is published
            await StartAsync(tlsa: true);
            var db = NewDb();
            var (code, made, err) = await CliAsync(["plan", "rotate-cert", D, Mx1, "--next-cert", certFile, .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            Assert.Contains("plan.rotate-cert.key-not-covered", Codes(made));
            await DeployAsync(Mx1, chain, key);
            var (vc, vj, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0, D)]);
            Assert.Equal(1, vc);
            Assert.Contains("plan.step.out-of-order", Codes(vj));

            // end to end
            await StartAsync(tlsa: true);
            db = NewDb();
            (code, made, err) = await CliAsync(["plan", "rotate-cert", D, Mx1, "--next-cert", certFile, "--apply", .. Common(db, t0, D)]);
            Assert.True(code == 0, err + made);
            Assert.Equal(2, CurrentStep(made.GetProperty("status")));
            var (c2, s2, _) = await CliAsync(["plan", "verify", D, .. Common(db, t0.AddSeconds(600), D)]);
            Assert.Equal(0, c2);
            Assert.Equal(3, CurrentStep(s2));
            await DeployAsync(Mx1, chain, key);
            var (ac, aj, aerr) = await CliAsync(["plan", "apply", D, .. Common(db, t0.AddSeconds(700), D)]);
            Assert.True(ac == 0, aerr + aj);
            Assert.Equal("complete", aj.GetProperty("state").GetString());
            Assert.Equal([Tlsa311(leaf)], await DigAsync(Owner, "TLSA"));
        }
        finally
        {
            await StartAsync(tlsa: false);
        }
    }
}
