using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailTls.MtaSts;

namespace MailTls.Server.Tests.Lab;

/// <summary>
/// Scope point 5, in the lab started with <c>lab/up --policy-host mailtls</c>: the clean scenario policy hosts resolve
/// (through Knot and unbound) to <c>mailtls serve</c> on 127.44.0.9 instead of nginx. The unmodified peers accept its
/// policies (curl with the lab CA from the namespace's trust store, postfix-mta-sts-resolver's mta-sts-query), and so
/// does our parser; a certificate swapped on disk is served on the next handshake; a broken one keeps the old one.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabServeTests
{
    private const string RunDir = "/run/mailtls-lab";
    private const string ServeAddress = "127.44.0.9";

    private static JsonElement Plan() => JsonDocument.Parse(File.ReadAllText(Path.Combine(RunDir, "plan.json"))).RootElement.Clone();

    private static List<(string Domain, string Policy)> ServedByMailtls() =>
        [.. Plan().GetProperty("policy").EnumerateArray()
            .Where(p => p.TryGetProperty("server", out var s) && s.GetString() == "mailtls")
            .Select(p => (p.GetProperty("domain").GetString()!, p.GetProperty("policy").GetString()!))];

    [Fact]
    public async Task The_clean_policy_hosts_resolve_to_mailtls_serve()
    {
        var hosts = ServedByMailtls();
        Assert.True(hosts.Count >= 5, "lab/up --policy-host mailtls serves the clean scenarios' policy hosts; found " + hosts.Count);
        foreach (var (domain, _) in hosts)
        {
            var (code, output, _) = await LabProcess.RunAsync("dig", "+short", "mta-sts." + domain, "A");
            Assert.Equal(0, code);
            Assert.Equal(ServeAddress, output.Trim());
        }
    }

    [Fact]
    public async Task Curl_our_parser_and_mta_sts_query_accept_every_policy()
    {
        foreach (var (domain, policy) in ServedByMailtls())
        {
            var url = $"https://mta-sts.{domain}/.well-known/mta-sts.txt";
            var (code, body, err) = await LabProcess.RunAsync("curl", "-sS", "--fail", "--max-time", "20", "--max-redirs", "0", url);
            Assert.True(code == 0, $"curl {url}: {err}");
            Assert.Equal(policy, body);
            Assert.True(StsPolicyParser.Parse(Encoding.UTF8.GetBytes(body)).IsValid, domain);

            var (_, type, _) = await LabProcess.RunAsync("curl", "-sS", "-o", "/dev/null", "-w", "%{content_type} %{http_code} %{num_redirects}", url);
            Assert.Equal("text/plain; charset=utf-8 200 0", type);

            var (_, peer, peerErr) = await LabProcess.RunAsync("mta-sts-query", "-v", "error", domain);
            Assert.True(peer.Contains("STSFetchResult.VALID", StringComparison.Ordinal), $"mta-sts-query {domain}: {peer} {peerErr}");
        }
    }

    [Fact]
    public async Task A_swapped_certificate_is_served_next_and_a_broken_one_keeps_the_previous()
    {
        var (domain, _) = ServedByMailtls()[0];
        var host = "mta-sts." + domain;
        var dir = Path.Combine(RunDir, "mailtls-serve", "certs", host);
        var chainPath = Path.Combine(dir, "fullchain.pem");
        var keyPath = Path.Combine(dir, "privkey.pem");
        var originalChain = await File.ReadAllTextAsync(chainPath);
        var originalKey = await File.ReadAllTextAsync(keyPath);
        try
        {
            // a renewal: a new key and certificate from the lab intermediate, written as certbot does
            var (chain, key) = await LabPki.IssueAsync(host);
            await File.WriteAllTextAsync(keyPath, key);
            await File.WriteAllTextAsync(chainPath, chain);
            using var renewed = X509Certificate2.CreateFromPem(chain);
            var want = renewed.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();
            Assert.True(await EventuallyAsync(async () => await ServedFingerprintAsync(host) == want), "the renewed certificate was not served");
            var (ok, body, err) = await LabProcess.RunAsync("curl", "-sS", "--fail", $"https://{host}/.well-known/mta-sts.txt");
            Assert.True(ok == 0, "curl after the swap: " + err);
            Assert.StartsWith("version: STSv1", body, StringComparison.Ordinal);

            // a broken renewal: the previous certificate keeps serving, /healthz says so
            await File.WriteAllTextAsync(chainPath, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            Assert.True(await EventuallyAsync(async () =>
                (await LabProcess.RunAsync("curl", "-s", $"http://{ServeAddress}:9461/healthz")).Stdout.Contains("serve.cert.reload-failed", StringComparison.Ordinal)));
            Assert.Equal(want, await ServedFingerprintAsync(host));
            var (still, _, stillErr) = await LabProcess.RunAsync("curl", "-sS", "--fail", $"https://{host}/.well-known/mta-sts.txt");
            Assert.True(still == 0, "curl with the broken file on disk: " + stillErr);
        }
        finally
        {
            await File.WriteAllTextAsync(keyPath, originalKey);
            await File.WriteAllTextAsync(chainPath, originalChain);
        }
    }

    private static async Task<string?> ServedFingerprintAsync(string host)
    {
        var (_, pem, _) = await LabProcess.RunAsync("bash", "-c", $"openssl s_client -connect {ServeAddress}:443 -servername {host} -verify_return_error </dev/null 2>/dev/null | openssl x509 -outform PEM");
        return pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(pem).GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant()
            : null;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }
}
