using System.Net;
using MailTls.Server.Configuration;
using MailTls.Server.Dashboard;

namespace MailTls.Server.Tests.Dashboard;

/// <summary>The <c>dashboard:</c> section of serve.yaml: defaults, the login rule, the password hash and the token file.</summary>
public sealed class DashboardConfigTests
{
    private static ServeConfigResult Load(string dashboard, string? dir = null) => ServeConfigLoader.Load($"""
        listeners: []
        dashboard:
        {dashboard}
        """, dir ?? "/etc/mailtls");

    [Fact]
    public void A_dashboard_only_server_defaults_to_loopback_9462_without_login()
    {
        var r = Load("  enabled: true");
        Assert.True(r.IsValid, string.Join("; ", r.Errors));
        var d = r.Settings.Dashboard!;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, Limits.DashboardDefaultPort), Assert.Single(d.Listen));
        Assert.False(d.AuthRequired);
        Assert.Empty(r.Settings.Listeners);
        Assert.Empty(r.Settings.Domains);
    }

    [Fact]
    public void Without_a_dashboard_a_server_still_needs_domains_and_listeners()
    {
        var r = ServeConfigLoader.Load("listeners: []\n", "/etc");
        Assert.Contains(r.Errors, e => e.StartsWith("listeners:", StringComparison.Ordinal));
        Assert.Contains(r.Errors, e => e.StartsWith("domains:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0.0.0.0:9462")]
    [InlineData("[::]:9462")]
    [InlineData("*:9462")]
    [InlineData("192.0.2.10:9462")]
    public void A_non_loopback_bind_without_credentials_is_refused(string listen)
    {
        var r = Load($"  listen: \"{listen}\"");
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("dashboard.auth: the dashboard listens on", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_is_required_unless_every_bind_address_is_loopback()
    {
        var hash = DashboardPassword.Hash("a password here", Limits.DashboardPasswordMinIterations);
        var mixed = Load($"  listen: [\"127.0.0.1:9462\", \"0.0.0.0:9463\"]\n  auth: {{password_hash: \"{hash}\"}}");
        Assert.True(mixed.IsValid, string.Join("; ", mixed.Errors));
        Assert.True(mixed.Settings.Dashboard!.AuthRequired);
        Assert.Equal(2, mixed.Settings.Dashboard.Listen.Count);

        var loopback = Load("  listen: [\"127.0.0.1:9462\", \"[::1]:9462\", \"127.0.0.2:9462\", \"localhost:9464\"]");
        Assert.True(loopback.IsValid, string.Join("; ", loopback.Errors));
        Assert.False(loopback.Settings.Dashboard!.AuthRequired);

        // Credentials, once configured, are always asked for, loopback or not (a local proxy would otherwise open it).
        var configured = Load($"  auth: {{password_hash: \"{hash}\"}}");
        Assert.True(configured.Settings!.Dashboard!.AuthRequired);
    }

    [Theory]
    [InlineData("9462")]
    [InlineData("::1:9462")]
    [InlineData("mail.example.com:9462")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("127.0.0.1")]
    public void Listen_must_be_addr_colon_port(string listen)
    {
        var r = Load($"  listen: \"{listen}\"");
        Assert.Contains(r.Errors, e => e.StartsWith("dashboard.listen[0]:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("plain-text-password", "expected pbkdf2-sha256")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==", "at least 100000")]
    [InlineData("pbkdf2-sha256$600000$!!$aGFzaA==", "base64")]
    public void A_bad_password_hash_is_refused_with_the_reason(string hash, string reason)
    {
        var r = Load($"  auth: {{password_hash: \"{hash}\"}}");
        Assert.Contains(r.Errors, e => e.StartsWith("dashboard.auth.password_hash:", StringComparison.Ordinal) && e.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void The_token_file_must_exist_and_hold_a_long_token()
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-dash-config-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "short"), "abc\n");
            File.WriteAllText(Path.Combine(dir, "good"), "0123456789abcdefXYZ\n");
            Assert.Contains(Load("  auth: {token_file: missing}", dir).Errors, e => e.Contains("no such file", StringComparison.Ordinal));
            Assert.Contains(Load("  auth: {token_file: short}", dir).Errors, e => e.Contains("at least 16", StringComparison.Ordinal));
            var good = Load("  listen: \"0.0.0.0:0\"\n  auth: {token_file: good}", dir);
            Assert.True(good.IsValid, string.Join("; ", good.Errors));
            Assert.True(DashboardPassword.VerifyToken("0123456789abcdefXYZ", good.Settings.Dashboard!.Auth.TokenSha256!));
            Assert.False(DashboardPassword.VerifyToken("0123456789abcdefXY", good.Settings.Dashboard.Auth.TokenSha256!));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_database_defaults_to_the_reports_default_and_relative_paths_follow_the_config()
    {
        Assert.Equal("/etc/mailtls/r.db", Load("  db: r.db").Settings!.Dashboard!.Database);
        Assert.Equal("postgres://u@db/mailtls", Load("  db: postgres://u@db/mailtls").Settings!.Dashboard!.Database);
        Assert.Equal(Reports.Storage.ReportDatabase.DefaultLocation(), Load("  enabled: true").Settings!.Dashboard!.Database);
    }

    [Fact]
    public void Password_hashes_verify_only_their_password()
    {
        var hash = DashboardPassword.Hash("s3cret password", Limits.DashboardPasswordMinIterations);
        Assert.StartsWith("pbkdf2-sha256$100000$", hash, StringComparison.Ordinal);
        Assert.Null(DashboardPassword.Problem(hash));
        Assert.True(DashboardPassword.Verify("s3cret password", hash));
        Assert.False(DashboardPassword.Verify("s3cret passworD", hash));
        Assert.False(DashboardPassword.Verify("s3cret password", "garbage"));
        Assert.NotEqual(hash, DashboardPassword.Hash("s3cret password", Limits.DashboardPasswordMinIterations)); // salted
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/reports?domain=a.example", "/reports?domain=a.example")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/login", "/")]
    [InlineData("", "/")]
    public void Return_paths_stay_on_this_site(string path, string expected) => Assert.Equal(expected, DashboardAuth.SafeReturn(path));
}
