using MailTls.Reports.Storage;
using MailTls.Server.Configuration;

namespace MailTls.Server.Tests.Receiver;

/// <summary>The <c>tlsrpt:</c> block of the serve configuration (docs/serve.md) and its errors.</summary>
public sealed class ReceiverConfigTests
{
    private const string Token = "3f9c1e7a5b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e";

    [Fact]
    public void A_receiver_alone_is_a_configuration_with_defaults_from_the_block()
    {
        var r = ServeConfigLoader.Load($$"""
            tlsrpt:
              host: TLSRPT.Example.NET.
              db: reports/tlsrpt.db
              rate_per_minute: 30
              tenants:
                - {name: example, path: "/tlsrpt/{{Token}}"}
                - {name: hoster.customer-1, path: "/r/{{Token}}x", db: "postgres://u:secret@pg.example:5433/reports", domains: [Example.ORG.], burst: 5}
            certificates:
              - {host: tlsrpt.example.net, cert: c.pem, key: k.pem}
            """, "/etc/mailtls");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        var receiver = r.Settings.Receiver!;
        Assert.Equal("tlsrpt.example.net", receiver.Host);
        Assert.Empty(r.Settings.Domains);
        var a = receiver.Tenants[0];
        Assert.Equal(("example", "/tlsrpt/" + Token, "/etc/mailtls/reports/tlsrpt.db", 30, Limits.ReportTenantBurst), (a.Name, a.Path, a.Store, a.RatePerMinute, a.Burst));
        Assert.Null(a.Domains);
        var b = receiver.Tenants[1];
        Assert.Equal(("postgres://u:secret@pg.example:5433/reports", 30, 5), (b.Store, b.RatePerMinute, b.Burst));
        Assert.Equal(["example.org"], b.Domains!);
        Assert.Equal(["tlsrpt.example.net"], Assert.Single(r.Settings.Certificates).Hosts);
        Assert.DoesNotContain(Token, a.RedactedPath, StringComparison.Ordinal);
        Assert.StartsWith("/tlsrpt/3f9c", a.RedactedPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_db_the_store_is_the_default_location_of_design_section_4()
    {
        var r = ServeConfigLoader.Load($$"""
            tlsrpt:
              host: tlsrpt.example.net
              tenants: [{name: a, path: "/{{Token}}"}]
            """, "/srv");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        Assert.Equal(ReportDatabase.DefaultLocation(), r.Settings.Receiver!.Tenants[0].Store);
    }

    [Theory]
    [InlineData("/tlsrpt/short", "has no secret segment")]
    [InlineData("/tlsrpt/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "has no secret segment")]
    [InlineData("tlsrpt/" + Token, "must start with /")]
    [InlineData("/tlsrpt/" + Token + "?a=1", "no query")]
    [InlineData("/tlsrpt/%2e/" + Token, "percent-encoded")]
    [InlineData("/tlsrpt/../" + Token, "dot")]
    [InlineData("/tlsrpt//" + Token, "empty")]
    [InlineData("/.well-known/mta-sts.txt", "the MTA-STS policy path")]
    public void Guessable_or_ambiguous_paths_are_refused(string path, string message)
    {
        var r = ServeConfigLoader.Load($$"""
            tlsrpt:
              host: tlsrpt.example.net
              tenants: [{name: a, path: "{{path}}"}]
            """, "/srv");
        Assert.False(r.IsValid);
        Assert.Contains(r.Errors, e => e.StartsWith("tlsrpt.tenants[0].path: ", StringComparison.Ordinal) && e.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_other_mistake_is_named_by_its_key()
    {
        var r = ServeConfigLoader.Load($$"""
            tlsrpt:
              host: "not a host"
              rate_per_minute: 0
              tenants:
                - {name: a, path: "/{{Token}}"}
                - {name: a, path: "/{{Token}}", domains: ["bad domain"]}
                - {name: "Upper Case", path: "/b/{{Token}}", burst: -1}
            certificates:
              - {host: other.example.net, cert: c.pem, key: k.pem}
            """, "/srv");
        Assert.False(r.IsValid);
        var expected = new[]
        {
            "tlsrpt.host: ", "tlsrpt.rate_per_minute: 0", "tlsrpt.tenants[1].name: a is listed twice", "tlsrpt.tenants[1].path: the path of another tenant",
            "tlsrpt.tenants[1].domains[0]: ", "tlsrpt.tenants[2].name: ", "tlsrpt.tenants[2].burst: -1", "certificates[0]: host \"other.example.net\"",
        };
        foreach (var e in expected)
        {
            Assert.Contains(r.Errors, x => x.StartsWith(e, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_receiver_needs_tenants_and_serve_needs_a_domain_or_a_receiver()
    {
        var none = ServeConfigLoader.Load("tlsrpt: {host: tlsrpt.example.net}", "/srv");
        Assert.Contains("tlsrpt.tenants: at least one tenant (name and path) is needed", none.Errors);
        var empty = ServeConfigLoader.Load("listeners: [{port: 8443}]", "/srv");
        Assert.Contains("domains: at least one domain is needed (or a tlsrpt receiver, or the dashboard)", empty.Errors);
        var unknown = ServeConfigLoader.Load($$"""tlsrpt: {host: tlsrpt.example.net, tenants: [{name: a, path: "/{{Token}}", secret: x}]}""", "/srv");
        Assert.False(unknown.IsValid);
    }

    [Fact]
    public void A_receiver_needs_a_tls_listener()
    {
        var r = ServeConfigLoader.Load($$"""
            listeners: [{port: 8080, tls: false}]
            tlsrpt: {host: tlsrpt.example.net, tenants: [{name: a, path: "/{{Token}}"}]}
            """, "/srv");
        Assert.Contains("tlsrpt: the receiver answers over HTTPS only (RFC 8460 §3 rua=https:…): add a listener with tls: true", r.Errors);
    }

    [Fact]
    public void The_sample_configuration_in_contrib_is_valid()
    {
        var path = Path.Combine(ReceiverSupport.RepoRoot, "contrib", "serve.yaml");
        var r = ServeConfigLoader.Load(File.ReadAllText(path), "/etc/mailtls");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        Assert.NotNull(r.Settings.Receiver);
    }
}
