using System.Text.Json;
using MailTls.Dane;
using MailTls.Pki;

namespace MailTls.Tests.Lab;

/// <summary>
/// <c>tlsa match</c>'s engine against the lab's real Postfix MX hosts and Knot-served TLSA records, with Postfix's own
/// DANE client (posttls-finger, level dane) as the peer: for every DNSSEC-signed lab host that publishes TLSA, our
/// verdict on the chain the server actually sends equals posttls-finger's (Verified or not) and the scenario's.
/// Unsigned zones are left to the DNS layer: without DNSSEC a sender ignores TLSA (RFC 7672 §2.2).
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabDaneTests
{
    public static TheoryData<string> Hosts()
    {
        var data = new TheoryData<string>();
        foreach (var d in LabPlan.Root.GetProperty("domains").EnumerateArray())
        {
            if (d.GetProperty("signing").GetString() != "signed")
            {
                continue;
            }

            foreach (var h in d.GetProperty("hosts").EnumerateObject())
            {
                var normal = h.Value.GetProperty("addresses").EnumerateArray().All(a => a.GetProperty("behaviour").GetString() == "normal");
                if (normal && h.Value.GetProperty("tlsa").GetArrayLength() > 0)
                {
                    data.Add(h.Name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Our_tlsa_verdict_equals_posttls_finger_and_the_scenario(string host)
    {
        var (domain, plan) = FindHost(host);
        var records = await TlsaFromDnsAsync(host);
        var published = plan.GetProperty("tlsa").EnumerateArray().Select(t => TlsaRecordParser.Parse(t.GetString()).Record!).ToHashSet();
        Assert.Equal(published, records.ToHashSet());

        var (_, output, _, _) = await LabProcess.RunAsync("posttls-finger", "-c", "-C", "-t", "10", "-T", "10", "-l", "dane", "-L", "summary", $"[{host}]");
        var chain = PemReader.ReadCertificates(output);
        Assert.True(chain.IsSuccess && chain.Certificates.Count > 0, "posttls-finger -C printed no chain: " + output);
        var peerVerified = output.Contains("Verified TLS connection established", StringComparison.Ordinal);

        var ours = TlsaMatcher.Match(chain.Certificates, records, new TlsaMatchOptions { ReferenceNames = [host, domain] });

        Assert.Equal(peerVerified, ours.Matched);
        var expected = plan.GetProperty("dane").GetString();
        Assert.Equal(expected == "verified", ours.Matched);
        if (expected == "fail")
        {
            Assert.Contains(ours.Findings, f => f.Code == "dane.tlsa.mismatch");
        }
    }

    private static (string Domain, JsonElement Host) FindHost(string host)
    {
        foreach (var d in LabPlan.Root.GetProperty("domains").EnumerateArray())
        {
            if (d.GetProperty("hosts").TryGetProperty(host, out var h))
            {
                return (d.GetProperty("domain").GetString()!, h);
            }
        }

        throw new InvalidOperationException(host + " is not in the lab plan");
    }

    private static async Task<IReadOnlyList<TlsaRecord>> TlsaFromDnsAsync(string host)
    {
        var owner = TlsaOwner.For(host)!;
        var (code, stdout, _, stderr) = await LabProcess.RunAsync("dig", "+short", "+time=5", "+tries=2", "TLSA", owner);
        Assert.True(code == 0, stderr);
        var records = new List<TlsaRecord>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parsed = TlsaRecordParser.Parse(line);
            Assert.True(parsed.IsValid, $"dig printed '{line}', which our parser rejects");
            records.Add(parsed.Record!);
        }

        Assert.NotEmpty(records);
        return records;
    }
}
