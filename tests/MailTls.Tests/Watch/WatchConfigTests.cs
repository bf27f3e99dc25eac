using MailTls.Watch;

namespace MailTls.Tests.Watch;

public sealed class WatchConfigTests
{
    private static WatchConfig Parse(string yaml, params string[] errors)
    {
        var config = WatchConfig.Parse(yaml, out var actual);
        Assert.Equal(errors, actual.ToArray());
        return config;
    }

    [Fact]
    public void The_shipped_example_parses_to_what_it_says()
    {
        var c = Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "contrib", "watch.yaml")));
        Assert.Equal(["example.com", "example.net"], c.Domains);
        Assert.Equal((TimeSpan.FromHours(1), "/var/lib/mailtls/mailtls.db", TimeSpan.FromSeconds(10), true, 8),
            (c.Interval, c.Database, c.Timeout, c.ProbeSmtp, c.Concurrency));
        Assert.Equal((TimeSpan.FromDays(21), TimeSpan.FromDays(21), TimeSpan.FromDays(5)), (c.MxCertificateExpiry, c.PolicyCertificateExpiry, c.DnssecSignatureExpiry));
        Assert.Equal(new TlsRptJumpSettings { WindowDays = 2, BaselineDays = 14, Factor = 3, MinSessions = 50, MinFailureRate = 0.01 }, c.TlsRpt);
        var hook = Assert.Single(c.Webhooks);
        Assert.Equal(("ops-chat", "https://hooks.example.com/mailtls", TimeSpan.FromSeconds(10), 3, "/etc/mailtls/webhook.secret"),
            (hook.Name, hook.Url.ToString(), hook.Timeout, hook.Attempts, hook.SecretFile));
        var mail = Assert.Single(c.Emails);
        Assert.Equal(("postmaster", "smtp.example.com", 587, SmtpRelaySecurity.StartTls, "mailtls-watch@example.com", "postmaster@example.com", "mailtls-watch", "/etc/mailtls/smtp.password"),
            (mail.Name, mail.Host, mail.Port, mail.Security, mail.From, string.Join(',', mail.To), mail.Username, mail.PasswordFile));
        Assert.Equal(["ops-chat", "postmaster"], c.SinkNames);
    }

    [Fact]
    public void A_minimal_configuration_takes_the_documented_defaults()
    {
        var c = Parse("domains: [Example.COM., example.com, example.org]");
        Assert.Equal(["example.com", "example.org"], c.Domains);
        Assert.Equal((Limits.WatchDefaultInterval, Limits.CertificateExpiryWarning, Limits.DnssecSignatureExpiringWarning, true), (c.Interval, c.MxCertificateExpiry, c.DnssecSignatureExpiry, c.ProbeSmtp));
        Assert.Equal(new TlsRptJumpSettings(), c.TlsRpt);
        Assert.Empty(c.SinkNames);
    }

    [Theory]
    [InlineData("interval: 90s", 90)]
    [InlineData("interval: 15m", 900)]
    [InlineData("interval: 6h", 21600)]
    [InlineData("interval: 1d", 86400)]
    [InlineData("interval: 3600", 3600)]
    public void Durations_take_a_unit(string line, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Parse("domains: [a.example]\n" + line).Interval);

    [Theory]
    [InlineData("domains: []", "domains: at least one domain is required")]
    [InlineData("domains: [nodot]", "domains: 'nodot' is not a domain name", "domains: at least one domain is required")]
    [InlineData("domains: [a.example]\ninterval: 10s", "interval: at least 60 s")]
    [InlineData("domains: [a.example]\nintervall: 1h", "intervall: unknown key")]
    [InlineData("domains: [a.example]\nthresholds: {mx_cert: 3}", "thresholds.mx_cert: unknown key")]
    [InlineData("domains: [a.example]\ntlsrpt: {factor: 0.5}", "tlsrpt.factor: '0.5' is not a number in 1..1000000")]
    [InlineData("domains: [a.example]\nsinks: [{type: pager}]", "sinks[0].type: 'pager' is not webhook or email")]
    [InlineData("domains: [a.example]\nsinks: [{type: webhook, url: 'ftp://x.example/'}]", "sinks[0].url: 'ftp://x.example/' is not an http(s) URL")]
    [InlineData("domains: [a.example]\nsinks: [{type: webhook, url: 'https://a.example/'}, {type: webhook, name: webhook, url: 'https://b.example/'}]", "sinks: the name 'webhook' is used twice (give each sink its own name:)")]
    [InlineData("domains: [a.example]\nsinks: [{type: email, relay: 'smtp.example:587', from: a@example.com, to: [b@example.com], username: u, password: hunter2}]",
        "sinks[0].password: not allowed; put the password in a file (password_file) or an environment variable (password_env)", "sinks[0]: username needs password_file or password_env")]
    [InlineData("domains: [a.example]\nsinks: [{type: email, relay: 'smtp.example:587', security: none, from: a@example.com, to: [b@example.com]}]",
        "sinks[0].security: none is only allowed for a relay on a loopback address (got 'smtp.example')")]
    [InlineData("domains: [a.example]\nsinks: [{type: email, relay: 'smtp.example:99999', from: nobody, to: []}]",
        "sinks[0].relay: required, HOST[:PORT] (IPv6 as [ADDR]:PORT)", "sinks[0].from: required, an e-mail address", "sinks[0].to: at least one address")]
    public void Errors_name_the_key(string yaml, params string[] errors) => Parse(yaml, errors);

    [Theory]
    [InlineData("[::1]:2525", "::1", 2525)]
    [InlineData("127.0.0.1", "127.0.0.1", null)]
    [InlineData("smtp.example.com:465", "smtp.example.com", 465)]
    public void Relay_addresses(string text, string host, int? port)
    {
        Assert.True(WatchConfig.TrySplitHostPort(text, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Fact]
    public void Email_ports_follow_the_security()
    {
        var c = Parse("""
            domains: [a.example]
            sinks:
              - {type: email, relay: smtp.example, security: tls, from: a@example.com, to: b@example.com}
              - {type: email, relay: localhost, security: none, from: a@example.com, to: b@example.com}
              - {type: email, relay: smtp.example, from: a@example.com, to: b@example.com, username: u, password_env: PW}
            """);
        Assert.Equal([("email", 465, SmtpRelaySecurity.Tls), ("email-2", 25, SmtpRelaySecurity.None), ("email-3", 587, SmtpRelaySecurity.StartTls)],
            c.Emails.Select(e => (e.Name, e.Port, e.Security)).ToArray());
        Assert.Equal("PW", c.Emails[2].PasswordEnv);
    }
}
