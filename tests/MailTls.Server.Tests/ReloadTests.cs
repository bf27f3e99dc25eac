using System.Text;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Tests;

/// <summary>Scope point 1: certificates and policy files reload on change; a broken new certificate keeps the old one.</summary>
public sealed class ReloadTests : IAsyncLifetime
{
    private ServerHarness server = null!;

    public async Task InitializeAsync() => server = await ServerHarness.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_certificate_replaced_on_disk_is_served_on_the_next_handshake()
    {
        var before = await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com");
        var renewed = server.Pki.WriteCertbot(server.CertDir, "mta-sts.example.com");
        Assert.NotEqual(before!.Thumbprint, renewed.Thumbprint);
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
            (await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com"))?.Thumbprint == renewed.Thumbprint));
        Assert.Equal(1, server.Host.Runtime.Certificates.Reloads);
        Assert.Contains("mailtls_serve_certificate_reloads_total 1", await server.AdminGetAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certbot_style_symlink_swap_is_picked_up()
    {
        var live = Path.Combine(server.CertDir, "mta-sts.example.org");
        var archive = Path.Combine(server.Dir, "archive");
        Directory.CreateDirectory(archive);
        var (chain, key, leaf) = server.Pki.Issue("mta-sts.example.org");
        File.WriteAllText(Path.Combine(archive, "fullchain2.pem"), chain);
        File.WriteAllText(Path.Combine(archive, "privkey2.pem"), key);
        File.Delete(Path.Combine(live, "privkey.pem"));
        File.Delete(Path.Combine(live, "fullchain.pem"));
        File.CreateSymbolicLink(Path.Combine(live, "privkey.pem"), Path.Combine(archive, "privkey2.pem"));
        File.CreateSymbolicLink(Path.Combine(live, "fullchain.pem"), Path.Combine(archive, "fullchain2.pem"));
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
            (await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.org"))?.Thumbprint == leaf.Thumbprint));
    }

    [Fact]
    public async Task A_broken_new_certificate_keeps_the_old_one_serving_and_is_reported()
    {
        var before = await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com");
        File.WriteAllText(Path.Combine(server.CertDir, "mta-sts.example.com", "fullchain.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(server.Host.Runtime.Certificates.ReloadFailures > 0)));
        var after = await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com");
        Assert.Equal(before!.Thumbprint, after!.Thumbprint);

        var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(200, r!.Status);

        Assert.Contains(server.Logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("CERTIFICATE RELOAD FAILED", StringComparison.Ordinal));
        Assert.Contains("serve.cert.reload-failed", await server.AdminGetAsync("/healthz"), StringComparison.Ordinal);
        var metrics = await server.AdminGetAsync("/metrics");
        Assert.Contains("mailtls_serve_certificate_reload_failed{host=\"mta-sts.example.com\"} 1", metrics, StringComparison.Ordinal);

        // a key that does not match the new chain is just as broken
        var (chain, _, _) = server.Pki.Issue("mta-sts.example.com");
        File.WriteAllText(Path.Combine(server.CertDir, "mta-sts.example.com", "fullchain.pem"), chain);
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(server.Host.Runtime.Certificates.ReloadFailures > 1)));
        Assert.Equal(before.Thumbprint, (await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com"))!.Thumbprint);

        // fixing the files clears the failure
        var good = server.Pki.WriteCertbot(server.CertDir, "mta-sts.example.com");
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
            (await RawHttp.CertificateAsync(server.TlsPort, "mta-sts.example.com"))?.Thumbprint == good.Thumbprint));
        Assert.DoesNotContain("serve.cert.reload-failed", await server.AdminGetAsync("/healthz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_policy_file_is_served_after_the_change()
    {
        var changed = ServerHarness.OrgPolicy.Replace("mode: testing", "mode: enforce", StringComparison.Ordinal);
        File.WriteAllText(server.OrgPolicyFile, changed);
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
        {
            var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.org",
                RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.org\nConnection: close\n\n"));
            return r?.Status == 200 && r.BodyText == changed;
        }));
    }

    [Fact]
    public async Task An_invalid_policy_file_is_not_served_and_logged_loudly()
    {
        File.WriteAllText(server.OrgPolicyFile, "version: STSv1\nmode: enforce\nmax_age: soon\n");
        Assert.True(await ServerHarness.EventuallyAsync(async () =>
        {
            var r = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.org",
                RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.org\nConnection: close\n\n"));
            return r?.Status == 404;
        }));
        Assert.Contains(server.Logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("POLICY NOT SERVED for example.org", StringComparison.Ordinal));
        var health = await server.AdminGetAsync("/healthz");
        Assert.Contains("serve.policy.invalid", health, StringComparison.Ordinal);
        Assert.Contains("mailtls_serve_policy_served{domain=\"example.org\"} 0", await server.AdminGetAsync("/metrics"), StringComparison.Ordinal);

        // the other domain is untouched
        var com = await RawHttp.SendAsync(server.TlsPort, "mta-sts.example.com",
            RawHttp.Request("GET /.well-known/mta-sts.txt HTTP/1.1\nHost: mta-sts.example.com\nConnection: close\n\n"));
        Assert.Equal(Encoding.UTF8.GetBytes(ServerHarness.ComPolicyCrlf), com!.Body);
    }
}
