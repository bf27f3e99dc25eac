using System.Text.Json.Nodes;
using MailTls.Dns;

namespace MailTls.Server.Tests;

/// <summary>Scope point 3: the DNS self-check at start, on reload and in /healthz and /metrics.</summary>
public sealed class SelfCheckTests
{
    private static async Task<JsonNode> HealthAsync(ServerHarness server) => JsonNode.Parse(await server.AdminGetAsync("/healthz"))!;

    private static JsonNode Domain(JsonNode health, string domain) =>
        health["domains"]!.AsArray().Single(d => d!["domain"]!.GetValue<string>() == domain)!;

    private static List<string> Codes(JsonNode domain) => [.. domain["findings"]!.AsArray().Select(f => f!["code"]!.GetValue<string>())];

    [Fact]
    public async Task A_clean_setup_is_ok()
    {
        await using var server = await ServerHarness.StartAsync();
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(server.Host.Runtime.LastSelfCheck is not null)));
        var health = await HealthAsync(server);
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal("20260101", Domain(health, "example.com")["published_id"]!.GetValue<string>());
        Assert.Empty(Codes(Domain(health, "example.com")));
    }

    [Fact]
    public async Task Mx_not_covered_is_reported()
    {
        var dns = ServerHarness.DefaultDns().Set("example.com", DnsRecordType.MX, "10 mx1.example.com.", "20 backup.example.net.", "30 a.b.mail.example.com.");
        await using var server = await ServerHarness.StartAsync(dns: dns);
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(server.Host.Runtime.LastSelfCheck is not null)));
        var com = Domain(await HealthAsync(server), "example.com");
        var notCovered = com["findings"]!.AsArray().Where(f => f!["code"]!.GetValue<string>() == "sts.mx.not-covered").Select(f => f!["evidence"]!["mx"]!.GetValue<string>()).ToList();
        Assert.Equal(["backup.example.net", "a.b.mail.example.com"], notCovered);
        Assert.Contains("mailtls_serve_problems{domain=\"example.com\",code=\"sts.mx.not-covered\",severity=\"error\"} 2", await server.AdminGetAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_policy_without_a_new_id_is_reported_until_the_id_changes()
    {
        await using var server = await ServerHarness.StartAsync();
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(server.Host.Runtime.LastSelfCheck is not null)));
        Assert.True(File.Exists(Path.Combine(server.Dir, "state", "ids.json")));

        File.WriteAllText(server.OrgPolicyFile, ServerHarness.OrgPolicy.Replace("max_age: 604800", "max_age: 1209600", StringComparison.Ordinal));
        await server.Host.ReloadAsync();
        Assert.Contains("serve.id.not-bumped", Codes(Domain(await HealthAsync(server), "example.org")));
        Assert.Contains("code=\"serve.id.not-bumped\"", await server.AdminGetAsync("/metrics"), StringComparison.Ordinal);
        Assert.DoesNotContain("serve.id.not-bumped", Codes(Domain(await HealthAsync(server), "example.com")));

        // publishing a new id clears it
        server.Dns.Set("_mta-sts.example.org", DnsRecordType.TXT, "\"v=STSv1; id=2\"");
        await server.Host.Runtime.RunSelfCheckAsync();
        Assert.DoesNotContain("serve.id.not-bumped", Codes(Domain(await HealthAsync(server), "example.org")));
    }

    [Fact]
    public async Task The_id_state_survives_a_restart()
    {
        string dir;
        await using (var first = await ServerHarness.StartAsync())
        {
            Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(first.Host.Runtime.LastSelfCheck is not null)));
            var state = File.ReadAllText(Path.Combine(first.Dir, "state", "ids.json"));
            Assert.Contains("\"id\": \"1\"", state, StringComparison.Ordinal);
            dir = first.Dir;
            var runtime = first.Host.Runtime;
            var json = JsonNode.Parse(state)!;
            json["domains"]!["example.org"]!["policy_sha256"] = "0000";
            File.WriteAllText(Path.Combine(dir, "state", "ids.json"), json.ToJsonString());
            await using var second = await ServerHarness.StartAsync(ServerHarness.DefaultConfig().Replace("state/ids.json", Path.Combine(dir, "state", "ids.json"), StringComparison.Ordinal));
            Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(second.Host.Runtime.LastSelfCheck is not null)));
            Assert.Contains("serve.id.not-bumped", Codes(Domain(await HealthAsync(second), "example.org")));
            Assert.NotNull(runtime);
        }
    }

    [Fact]
    public async Task Missing_txt_and_dns_failures_are_warnings_not_outages()
    {
        var dns = new FakeDns()
            .Set("example.com", DnsRecordType.MX, "10 mx1.example.com.")
            .Set("example.org", DnsRecordType.MX, "10 mail.example.org.");
        dns.Failures[("_mta-sts.example.org", DnsRecordType.TXT)] = DnsAnswerStatus.ServFail;
        await using var server = await ServerHarness.StartAsync(dns: dns);
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(server.Host.Runtime.LastSelfCheck is not null)));
        var health = await HealthAsync(server);
        Assert.Equal("degraded", health["status"]!.GetValue<string>());
        Assert.Contains("serve.txt.missing", Codes(Domain(health, "example.com")));
        Assert.Contains("serve.dns.unavailable", Codes(Domain(health, "example.org")));
        Assert.DoesNotContain("serve.txt.missing", Codes(Domain(health, "example.org")));
    }
}
