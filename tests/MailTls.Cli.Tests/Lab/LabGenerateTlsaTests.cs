using System.Text.Json;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// <c>generate tlsa --host</c> against the lab's real Postfix MX hosts: for every DNSSEC-signed host whose published
/// TLSA records authenticate it (plan.json says "verified"), the record generated from the chain the server presents
/// over STARTTLS is one of the records the zone publishes (the lab computed those from the keys on disk), for the
/// usage/selector/matching the zone uses.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabGenerateTlsaTests
{
    private static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    private static readonly Lazy<JsonDocument> Plan = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Run, "plan.json"))));

    public static TheoryData<string> VerifiedHosts()
    {
        var data = new TheoryData<string>();
        foreach (var d in Plan.Value.RootElement.GetProperty("domains").EnumerateArray())
        {
            foreach (var h in d.GetProperty("hosts").EnumerateObject())
            {
                if (h.Value.GetProperty("dane").GetString() == "verified")
                {
                    data.Add(h.Name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VerifiedHosts))]
    public async Task Generated_from_the_live_host_is_a_published_record(string host)
    {
        var published = Plan.Value.RootElement.GetProperty("domains").EnumerateArray()
            .Select(d => d.GetProperty("hosts"))
            .First(h => h.TryGetProperty(host, out _))
            .GetProperty(host).GetProperty("tlsa").EnumerateArray().Select(t => t.GetString()!.ToLowerInvariant()).ToList();
        var parameters = published[0].Split(' ')[..3];

        var (code, json) = await CliRun.JsonAsync("generate", "tlsa", "--host", host, "--usage", parameters[0], "--selector", parameters[1], "--matching", parameters[2]);
        Assert.Equal(0, code);
        var records = json.GetProperty("records").EnumerateArray().ToList();
        Assert.NotEmpty(records);
        foreach (var r in records)
        {
            Assert.Equal("_25._tcp." + host + ".", r.GetProperty("name").GetString());
            var text = $"{r.GetProperty("usage").GetInt32()} {r.GetProperty("selector").GetInt32()} {r.GetProperty("matching").GetInt32()} {r.GetProperty("data").GetString()}";
            Assert.Contains(text, published);
        }
    }

    [Fact]
    public async Task A_host_without_starttls_cannot_give_records()
    {
        var host = Plan.Value.RootElement.GetProperty("domains").EnumerateArray()
            .SelectMany(d => d.GetProperty("hosts").EnumerateObject())
            .First(h => h.Value.GetProperty("addresses").EnumerateArray().All(a => a.GetProperty("behaviour").GetString() == "no-starttls")).Name;
        var (code, _, stderr) = await CliRun.RunAsync("generate", "tlsa", "--host", host);
        Assert.Equal(3, code);
        Assert.Contains("StartTlsNotOffered", stderr, StringComparison.Ordinal);
    }
}
