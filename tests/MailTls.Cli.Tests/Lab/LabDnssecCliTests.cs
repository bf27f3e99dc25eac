using System.Text.Json;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// <c>mailtls dnssec</c> inside the lab namespace (in process), against the lab resolver with the lab root as trust
/// anchor: on each deliberately bogus zone it names the broken link (the zone and the step) and the reason in plain
/// words; on an insecure delegation it names the zone cut. The zones are picked from plan.json by signing state.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabDnssecCliTests
{
    private static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    private static readonly Lazy<JsonDocument> Plan = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Run, "plan.json"))));

    private static string DomainWith(string signing) =>
        Plan.Value.RootElement.GetProperty("domains").EnumerateArray()
            .First(d => d.GetProperty("signing").GetString() == signing && d.GetProperty("check").GetBoolean())
            .GetProperty("domain").GetString()!;

    private static Task<(int Code, string Out, string Err)> DnssecAsync(string name, string type, bool json = false) =>
        CliRun.RunAsync([.. new[] { "dnssec", name, type, "--resolver", "127.0.0.53", "--trust-anchor", Path.Combine(Run, "root.key") }, .. json ? new[] { "--json" } : []]);

    [Fact]
    public async Task Expired_signatures_are_named_with_the_zone_and_the_date()
    {
        var domain = DomainWith("expired-rrsig");
        var (code, text, err) = await DnssecAsync(domain, "MX");
        Assert.True(code == 1, $"exit {code}: {text}{err}");
        Assert.Contains($"{domain} MX: bogus", text, StringComparison.Ordinal);
        Assert.Contains($"zone {domain}.", text, StringComparison.Ordinal);
        Assert.Contains("expired on 2020-02-01", text, StringComparison.Ordinal);
        Assert.Contains("expired", text.Split('\n').First(l => l.TrimStart().StartsWith("bogus", StringComparison.Ordinal)), StringComparison.Ordinal);

        var (_, json) = await CliRun.JsonAsync(["dnssec", domain, "MX", "--resolver", "127.0.0.53", "--trust-anchor", Path.Combine(Run, "root.key")]);
        Assert.Equal("bogus", json.GetProperty("status").GetString());
        Assert.Equal("SignatureExpired", json.GetProperty("failure").GetString());
        var broken = json.GetProperty("chain").EnumerateArray().First(s => s.GetProperty("verdict").GetString() == "bogus");
        Assert.Equal(domain, broken.GetProperty("zone").GetString());
        Assert.Contains(broken.GetProperty("rrsig").EnumerateArray(), s => s.GetProperty("outcome").GetString() == "expired");
    }

    [Fact]
    public async Task A_ds_mismatch_is_named_with_the_zone_and_the_key_tags()
    {
        var domain = DomainWith("ds-mismatch");
        var (code, text, err) = await DnssecAsync(domain, "MX");
        Assert.True(code == 1, $"exit {code}: {text}{err}");
        Assert.Contains($"{domain} MX: bogus", text, StringComparison.Ordinal);
        Assert.Contains($"no DNSKEY of {domain} matches its DS records", text, StringComparison.Ordinal);
        Assert.Contains("no matching DNSKEY", text, StringComparison.Ordinal);

        var (_, json) = await CliRun.JsonAsync(["dnssec", domain, "MX", "--resolver", "127.0.0.53", "--trust-anchor", Path.Combine(Run, "root.key")]);
        Assert.Equal("NoDsMatchesDnskey", json.GetProperty("failure").GetString());
        var broken = json.GetProperty("chain").EnumerateArray().First(s => s.GetProperty("verdict").GetString() == "bogus");
        Assert.Equal(domain, broken.GetProperty("zone").GetString());
        Assert.Equal("dnskey", broken.GetProperty("step").GetString());
        Assert.All(broken.GetProperty("ds").EnumerateArray(), d => Assert.False(d.GetProperty("matched").GetBoolean()));
    }

    [Theory]
    [InlineData("missing-ds")]
    [InlineData("unsigned")]
    public async Task An_insecure_delegation_names_the_zone_cut(string signing)
    {
        var domain = DomainWith(signing);
        var (code, text, err) = await DnssecAsync(domain, "MX");
        Assert.True(code == 0, $"exit {code}: {text}{err}");
        Assert.Contains($"{domain} MX: insecure (chain of trust ends at {domain})", text, StringComparison.Ordinal);
        Assert.Contains($"{domain} is delegated without DS", text, StringComparison.Ordinal);

        var (_, json) = await CliRun.JsonAsync(["dnssec", domain, "MX", "--resolver", "127.0.0.53", "--trust-anchor", Path.Combine(Run, "root.key")]);
        Assert.Equal("insecure", json.GetProperty("status").GetString());
        Assert.Equal(domain, json.GetProperty("insecure_cut").GetString());
    }

    [Fact]
    public async Task An_unsigned_delegation_in_an_nsec3_opt_out_span_names_the_cut_and_the_opt_out()
    {
        var denial = Plan.Value.RootElement.GetProperty("denial");
        var parent = denial.EnumerateObject().First(z => z.Value.GetProperty("opt-out").GetBoolean()).Name;
        var child = Plan.Value.RootElement.GetProperty("domains").EnumerateArray()
            .Select(d => d.GetProperty("domain").GetString()!)
            .First(d => d.EndsWith("." + parent, StringComparison.Ordinal));
        var (code, text, err) = await DnssecAsync(child, "MX");
        Assert.True(code == 0, $"exit {code}: {text}{err}");
        Assert.Contains($"chain of trust ends at {child}", text, StringComparison.Ordinal);
        Assert.Contains("NSEC3 opt-out span", text, StringComparison.Ordinal);
    }
}
