using System.Net;
using MailTls.Dns;
using MailTls.Dns.Update;

namespace MailTls.Tests.Lab;

/// <summary>
/// Our RFC 2136 + TSIG client against the lab's Knot (a <c>signing: knot</c> zone with the lab TSIG key): Knot accepts
/// our signed updates and its signed replies verify; a wrong secret is refused with BADSIG; a prerequisite that does
/// not hold is refused (YXRRSET). dig, the peer, sees the change.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabDnsUpdateTests
{
    private const string Zone = "plan-rpt.lab";

    private static IPEndPoint Knot => new(IPAddress.Parse(LabPlan.Root.GetProperty("tsig").GetProperty("server").GetString()!), 53);

    private static TsigKey Key => TsigKeyFile.Parse(File.ReadAllText(LabPlan.Root.GetProperty("tsig").GetProperty("file").GetString()!)).Key!;

    private static DnsRecord Txt(string owner, string text) => RecordText.Parse($"{owner}. 60 IN TXT \"{text}\"").Record!;

    private static async Task<string> DigAsync(string name)
    {
        var (code, stdout, _, _) = await LabProcess.RunAsync("dig", "+norec", "+short", "@" + Knot.Address, "TXT", name);
        Assert.Equal(0, code);
        return stdout.Trim();
    }

    [Fact]
    public async Task Knot_accepts_our_signed_updates_and_refuses_a_wrong_key_and_a_failed_prerequisite()
    {
        var client = new DnsUpdateClient();
        var name = $"update-{Guid.NewGuid():N}.{Zone}";
        var added = await client.SendAsync(Knot, Zone, [new DnsUpdatePrerequisite.RrsetAbsent(name, DnsRecordType.TXT)], [new DnsUpdateOperation.Add(Txt(name, "mailtls"))], Key);
        Assert.True(added.Applied, added.Detail);
        Assert.Equal("\"mailtls\"", await DigAsync(name));

        var again = await client.SendAsync(Knot, Zone, [new DnsUpdatePrerequisite.RrsetAbsent(name, DnsRecordType.TXT)], [new DnsUpdateOperation.Add(Txt(name, "second"))], Key);
        Assert.Equal(DnsUpdateStatus.Rejected, again.Status);
        Assert.Equal("YXRRSET", DnsUpdateResult.RcodeName(again.ResponseCode));

        var wrong = new TsigKey(Key.Name, TsigAlgorithm.HmacSha256, new byte[32]);
        var refused = await client.SendAsync(Knot, Zone, [], [new DnsUpdateOperation.DeleteRrset(name, DnsRecordType.TXT)], wrong);
        Assert.Equal(DnsUpdateStatus.Rejected, refused.Status);
        Assert.Equal(Tsig.BadSig, refused.TsigError);
        Assert.Equal("\"mailtls\"", await DigAsync(name));

        var unsigned = await client.SendAsync(Knot, Zone, [], [new DnsUpdateOperation.DeleteRrset(name, DnsRecordType.TXT)], null);
        Assert.Equal(DnsUpdateStatus.Rejected, unsigned.Status); // the acl requires the key

        var deleted = await client.SendAsync(Knot, Zone, [new DnsUpdatePrerequisite.RrsetEquals([Txt(name, "mailtls")])], [new DnsUpdateOperation.DeleteRrset(name, DnsRecordType.TXT)], Key);
        Assert.True(deleted.Applied, deleted.Detail);
        Assert.Equal(string.Empty, await DigAsync(name));
    }
}
