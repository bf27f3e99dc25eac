using System.Security.Cryptography;
using static MailTls.Cli.Tests.Lab.PlanLab;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// Issue 10 acceptance, <c>tlsa guard</c> in the lab (plan-guard.lab, signed by Knot, mx1 with a 3 1 1 record of its
/// key): a certificate with a new key is refused while only the old key's TLSA is published, and accepted once the new
/// record is published and 2×TTL has passed on the plan clock; a renewal with the same key is accepted at once.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabTlsaGuardTests
{
    private const string D = "plan-guard.lab";
    private const string Mx1 = "mx1.plan-guard.lab";
    private const string Owner = "_25._tcp." + Mx1;

    private static Task<(int Code, System.Text.Json.JsonElement Json, string Err)> GuardAsync(string cert, string db, DateTimeOffset now) =>
        CliAsync("tlsa", "guard", "--cert", cert, "--host", Mx1, "--db", db, "--now", Iso(now), "--resolver", "127.0.0.53",
            "--trust-anchor", Path.Combine(Run, "root.key"), "--timeout", "5");

    [Fact]
    public async Task A_new_key_is_refused_until_its_record_is_published_and_two_ttls_old()
    {
        using var original = OriginalKey(Mx1);
        await NsupdateAsync(D, $"delete {Owner}. TLSA", $"add {Owner}. 300 TLSA {Tlsa311(original)}");
        var t0 = T0();
        var db = NewDb();
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (chain, _, _) = Issue(Mx1, newKey);
        var cert = Pem(chain);
        try
        {
            var (code, json, err) = await GuardAsync(cert, db, t0);
            Assert.True(code == 1, err + json);
            Assert.False(json.GetProperty("accept").GetBoolean());
            Assert.Equal(["dane.guard.no-match"], Codes(json));

            // a renewal with the same key: the record already authenticates the live certificate
            var (renewal, _, _) = Issue(Mx1, original);
            var (rc, rj, _) = await GuardAsync(Pem(renewal), db, t0);
            Assert.Equal(0, rc);
            Assert.True(rj.GetProperty("records")[0].GetProperty("matches_live").GetBoolean());

            await NsupdateAsync(D, $"add {Owner}. 300 TLSA {Tlsa311(newKey)}");
            (code, json, _) = await GuardAsync(cert, db, t0.AddSeconds(5));
            Assert.Equal(1, code);
            Assert.Equal(["dane.guard.too-young"], Codes(json));
            Assert.Equal(Iso(t0.AddSeconds(605)), json.GetProperty("safe_after").GetString());

            (code, _, _) = await GuardAsync(cert, db, t0.AddSeconds(604));
            Assert.Equal(1, code);
            (code, json, _) = await GuardAsync(cert, db, t0.AddSeconds(605));
            Assert.Equal(0, code);
            Assert.True(json.GetProperty("accept").GetBoolean());
        }
        finally
        {
            await NsupdateAsync(D, $"delete {Owner}. TLSA", $"add {Owner}. 300 TLSA {Tlsa311(original)}");
        }
    }
}
