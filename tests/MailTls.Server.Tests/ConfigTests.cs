using MailTls.MtaSts;
using MailTls.Server.Configuration;
using MailTls.Server.Policies;

namespace MailTls.Server.Tests;

/// <summary>Scope point 1: the configuration file (docs/serve.md) and its errors.</summary>
public sealed class ConfigTests
{
    private const string Minimal = """
        domains:
          - domain: example.com
            mode: enforce
            mx: [mx1.example.com]
        certificates:
          - host: mta-sts.example.com
            cert: certs/chain.pem
            key: certs/key.pem
        """;

    [Fact]
    public void Defaults_are_port_443_everywhere_and_a_loopback_admin()
    {
        var r = ServeConfigLoader.Load(Minimal, "/etc/mailtls");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        var s = r.Settings;
        Assert.Equal("https://[::]:443", Assert.Single(s.Listeners).ToString());
        Assert.Equal(new AdminSettings(System.Net.IPAddress.Loopback, ServeConfigLoader.DefaultAdminPort), s.Admin);
        var d = Assert.Single(s.Domains);
        Assert.Equal("mta-sts.example.com", d.PolicyHost);
        Assert.Equal(StsLineEnding.CrLf, d.LineEnding);
        var inline = Assert.IsType<PolicySource.Inline>(d.Policy);
        Assert.Equal(Limits.StsMaxAgeRecommended, inline.MaxAge);
        Assert.Equal(new CertificateSource(["mta-sts.example.com"], "/etc/mailtls/certs/chain.pem", "/etc/mailtls/certs/key.pem"), Assert.Single(s.Certificates), new CertificateSourceComparer());
        Assert.Equal("max-age=60", s.CacheControl);
    }

    [Fact]
    public void Json_is_accepted_too()
    {
        var r = ServeConfigLoader.Load("""{"domains": [{"domain": "example.com", "policy_file": "p.txt"}], "listeners": [{"address": "127.0.0.1", "port": 8443}]}""", "/srv");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        Assert.Equal("/srv/p.txt", Assert.IsType<PolicySource.File>(r.Settings.Domains[0].Policy).Path);
    }

    [Fact]
    public void Certbot_and_directory_layouts_resolve_to_pem_files()
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-config-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "live", "mta-sts.b.example"));
            File.WriteAllText(Path.Combine(dir, "live", "mta-sts.c.example.crt"), "x");
            var r = ServeConfigLoader.Load("""
                domains:
                  - {domain: a.example, mode: testing, mx: [mx.a.example]}
                  - {domain: b.example, mode: testing, mx: [mx.b.example]}
                  - {domain: c.example, mode: testing, mx: [mx.c.example]}
                certificates:
                  - {host: mta-sts.a.example, certbot: /etc/letsencrypt/live/a.example}
                  - directory: live
                """, dir);
            Assert.True(r.IsValid, string.Join("; ", r.Errors));
            var byHost = r.Settings.Certificates.ToDictionary(c => c.Hosts.Single());
            Assert.Equal("/etc/letsencrypt/live/a.example/fullchain.pem", byHost["mta-sts.a.example"].CertPath);
            Assert.Equal("/etc/letsencrypt/live/a.example/privkey.pem", byHost["mta-sts.a.example"].KeyPath);
            Assert.Equal(Path.Combine(dir, "live", "mta-sts.b.example", "fullchain.pem"), byHost["mta-sts.b.example"].CertPath);
            Assert.Equal(Path.Combine(dir, "live", "mta-sts.c.example.crt"), byHost["mta-sts.c.example"].CertPath);
            Assert.Equal(Path.Combine(dir, "live", "mta-sts.c.example.key"), byHost["mta-sts.c.example"].KeyPath);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("domains: [{domain: example.com, mode: enforce, mx: [mx.example.com], maxage: 5}]", "line 1")]
    [InlineData("domains: [{domain: example.com, mode: enforcing, mx: [mx.example.com]}]", "domains[0].mode")]
    [InlineData("domains: [{domain: example.com, mode: enforce, mx: [\"mx.*.example.com\"]}]", "domains[0].mx[0]")]
    [InlineData("domains: [{domain: example.com, mode: enforce}]", "domains[0].mx")]
    [InlineData("domains: [{domain: example.com, mode: enforce, mx: [a.example.com], max_age: 99999999999}]", "domains[0].max_age")]
    [InlineData("domains: [{domain: example.com, mode: enforce, mx: [a.example.com], policy_file: x}]", "not both")]
    [InlineData("domains: [{domain: 'not a domain', policy_file: x}]", "domains[0].domain")]
    [InlineData("domains: [{domain: mta-sts.example.com, policy_file: x}]", "not its policy host")]
    [InlineData("domains: [{domain: example.com, policy_file: x}, {domain: EXAMPLE.com., policy_file: y}]", "listed twice")]
    [InlineData("domains: []", "at least one domain")]
    [InlineData("listeners: [{address: 'nowhere', port: 443}]\ndomains: [{domain: example.com, policy_file: x}]", "listeners[0].address")]
    [InlineData("listeners: [{port: 70000}]\ndomains: [{domain: example.com, policy_file: x}]", "listeners[0].port")]
    [InlineData("domains: [{domain: example.com, policy_file: x}]\ncertificates: [{host: mta-sts.other.example, cert: a, key: b}]", "not the policy host")]
    [InlineData("domains: [{domain: example.com, policy_file: x}]\ncertificates: [{host: mta-sts.example.com, cert: a}]", "cert and key")]
    [InlineData("domains: [{domain: example.com, policy_file: x}]\nline_endings: cr", "line_endings")]
    [InlineData("domains: [{domain: example.com, policy_file: x}]\nself_check: {resolver: ['not an address']}", "self_check.resolver")]
    [InlineData("domains: [{domain: example.com, policy_file: x}]\nlog_format: xml", "log_format")]
    [InlineData("domains: [{domain: example.com, policy_file: x}\n", "line")]
    [InlineData("", "empty")]
    public void Errors_name_the_key(string yaml, string expected)
    {
        var r = ServeConfigLoader.Load(yaml, "/tmp");
        Assert.False(r.IsValid);
        Assert.Contains(r.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("crlf", "version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86400\r\n")]
    [InlineData("lf", "version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 86400\n")]
    public void Inline_policies_are_canonical_with_the_configured_line_ending(string ending, string expected)
    {
        var r = ServeConfigLoader.Load($"line_endings: {ending}\ndomains: [{{domain: example.com, mode: testing, mx: [mx.example.com], max_age: 86400}}]", "/tmp");
        var catalog = PolicyCatalog.Load(r.Settings!.Domains);
        Assert.True(catalog.TryGet("MTA-STS.example.com", out var p));
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(p.Body.Span));
    }

    private sealed class CertificateSourceComparer : IEqualityComparer<CertificateSource>
    {
        public bool Equals(CertificateSource? x, CertificateSource? y) =>
            x is not null && y is not null && x.Hosts.SequenceEqual(y.Hosts) && x.CertPath == y.CertPath && x.KeyPath == y.KeyPath;

        public int GetHashCode(CertificateSource obj) => obj.CertPath.GetHashCode(StringComparison.Ordinal);
    }
}
