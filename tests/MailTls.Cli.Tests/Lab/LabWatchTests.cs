using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Tests.Shared;
using MailTls.Watch;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// <c>mailtls watch</c> in the lab (issue 10 acceptance): one pass over every checked scenario domain raises exactly
/// the alerts their expected findings imply, and a second pass none; and on watch.lab (lab/scenarios/07-watch.yaml,
/// whose policy host — <c>mailtls serve</c> — and MX — a STARTTLS server with the lab's key — these tests run
/// themselves, so nothing other tests read is changed) a policy edited without an id change is caught on the next
/// pass, and every alert kind is raised once and resolved once over a series of passes that break and repair the
/// policy file, the MX key, the clock (<c>--now</c>: certificates and signatures near expiry, then expired) and the
/// TLS-RPT failure rate. Notices go to a webhook receiver on loopback.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabWatchTests
{
    private const string Domain = "watch.lab";
    private const string PolicyHost = "mta-sts.watch.lab";
    private const string MxHost = "mx1.watch.lab";
    private static readonly IPAddress PolicyAddress = IPAddress.Parse("127.44.250.1");
    private static readonly IPAddress MxAddress = IPAddress.Parse("127.25.250.1");
    private const string Policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.watch.lab\r\nmax_age: 86400\r\n";

    private static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    private static string Pki(params string[] parts) => Path.Combine([Run, "pki", .. parts]);

    private static readonly Lazy<JsonDocument> Plan = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Run, "plan.json"))));

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mailtls-labwatch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Check => $"check: {{resolver: ['127.0.0.53'], trust_anchor: '{Path.Combine(Run, "root.key")}', timeout: 5, concurrency: 16}}";

    private static async Task<(int Code, JsonNode Json)> PassAsync(string config, string db, DateTimeOffset? now = null)
    {
        string[] args = ["watch", "--config", config, "--once", "--json", "--db", db];
        if (now is { } t)
        {
            args = [.. args, "--now", t.ToString("O", CultureInfo.InvariantCulture)];
        }

        var (code, stdout, stderr) = await CliRun.RunAsync(args);
        Assert.True(stdout.Length > 0, $"exit {code}, no JSON; stderr: {stderr}");
        return (code, JsonNode.Parse(stdout)!);
    }

    private static List<(string Domain, string Kind, string Subject)> Alerts(JsonNode pass, string key) =>
        [.. pass[key]!.AsArray().Select(a => (a!["domain"]!.GetValue<string>(), a["kind"]!.GetValue<string>(), a["subject"]!.GetValue<string>()))];

    private static string[] Kinds(JsonNode pass, string key) => [.. Alerts(pass, key).Select(a => a.Kind).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task One_pass_over_the_scenarios_raises_exactly_the_alerts_their_state_implies_and_a_second_pass_none()
    {
        var domains = Plan.Value.RootElement.GetProperty("domains").EnumerateArray().Where(d => d.GetProperty("check").GetBoolean()).ToList();
        var expected = domains.ToDictionary(
            d => d.GetProperty("domain").GetString()!,
            d => d.GetProperty("expect").EnumerateArray().SelectMany(c => AlertKinds.ForCode(c.GetString()!)).Select(k => k.Id).Distinct().Order(StringComparer.Ordinal).ToArray());
        await using var hook = new HookReceiver();
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        var db = Path.Combine(dir, "watch.db");
        await File.WriteAllTextAsync(config, $"domains: [{string.Join(", ", expected.Keys)}]\n{Check}\nsinks: [{{type: webhook, name: hook, url: '{hook.Url}'}}]\n");

        var (code, first) = await PassAsync(config, db);
        Assert.Equal(1, code);
        Assert.True(first["completed"]!.GetValue<bool>(), first.ToJsonString());
        var opened = Alerts(first, "opened");
        foreach (var (domain, kinds) in expected)
        {
            Assert.True(kinds.SequenceEqual(opened.Where(a => a.Domain == domain).Select(a => a.Kind).Distinct().Order(StringComparer.Ordinal)),
                $"{domain}: expected alerts [{string.Join(", ", kinds)}], got [{string.Join(", ", opened.Where(a => a.Domain == domain).Select(a => a.Kind + " " + a.Subject))}]");
        }

        // The same, written out for scenarios whose state is easy to read (the table above derives it from the expected findings).
        var byHand = new Dictionary<string, string[]>
        {
            ["policy-404.lab"] = ["policy-unreachable"],
            ["policy-redirect.lab"] = ["policy-unreachable"],
            ["policy-slow.lab"] = ["policy-unreachable"],
            ["policy-expiredcert.lab"] = ["policy-cert-expiring"],
            ["backup-mx.lab"] = ["mx-not-covered"],
            ["mx-expired.lab"] = ["mx-cert-expiring"],
            ["dane-stale.lab"] = ["tlsa-mismatch"],
            ["dane-pkix.lab"] = ["tlsa-mismatch"],
            ["bogus-expired.lab"] = ["dnssec-bogus", "dnssec-signature-expiring"],
            ["bogus-ds.lab"] = ["dnssec-bogus"],
            ["clean-enforce.lab"] = [],
            ["dane-311.lab"] = [],
            ["mx-tarpit.lab"] = [],
            ["no-sts.lab"] = [],
        };
        foreach (var (domain, kinds) in byHand)
        {
            Assert.Equal(kinds, opened.Where(a => a.Domain == domain).Select(a => a.Kind).Distinct().Order(StringComparer.Ordinal).ToArray());
        }

        Assert.Contains(("policy-404.lab", "policy-unreachable", "mta-sts.policy-404.lab"), opened);
        var expiredIp = Plan.Value.RootElement.GetProperty("mx").EnumerateArray().First(m => m.GetProperty("domain").GetString() == "mx-expired.lab").GetProperty("ip").GetString();
        Assert.Contains(("mx-expired.lab", "mx-cert-expiring", $"mx1.mx-expired.lab [{expiredIp}]"), opened);
        Assert.Contains(("bogus-expired.lab", "dnssec-bogus", "bogus-expired.lab MX"), opened);

        // One notice per alert, to the one sink.
        Assert.Equal(opened.Count, hook.Notices.Count);
        Assert.All(hook.Notices, n => Assert.Equal("opened", n["event"]!.GetValue<string>()));
        Assert.Equal(opened.Count, first["notices"]!.AsArray().Count(n => n!["state"]!.GetValue<string>() == "delivered"));

        // The world did not change: nothing new, nothing resolved, nothing sent.
        var (again, second) = await PassAsync(config, db);
        Assert.Equal(1, again);
        Assert.Empty(Alerts(second, "opened"));
        Assert.Empty(Alerts(second, "resolved"));
        Assert.Empty(second["notices"]!.AsArray());
        Assert.Equal(opened.Count, second["open"]!.AsArray().Count);
        Assert.Equal(opened.Count, hook.Notices.Count);
    }

    [Fact]
    public async Task A_policy_edited_without_an_id_change_is_caught_on_the_next_pass()
    {
        await using var world = await WatchLab.StartAsync();
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        var db = Path.Combine(dir, "watch.db");
        await File.WriteAllTextAsync(config, $"domains: [{Domain}]\n{Check}\n");

        var (code, first) = await PassAsync(config, db);
        Assert.True(code == 0, first.ToJsonString());
        Assert.Empty(Alerts(first, "opened"));

        await world.ServePolicyAsync(Policy.Replace("max_age: 86400", "max_age: 604800", StringComparison.Ordinal));
        var (edited, second) = await PassAsync(config, db);
        Assert.Equal(1, edited);
        var alert = Assert.Single(second["opened"]!.AsArray())!;
        Assert.Equal(("policy-changed-without-id-bump", "_mta-sts.watch.lab", "error", "watch.policy.id-not-bumped"),
            (alert["kind"]!.GetValue<string>(), alert["subject"]!.GetValue<string>(), alert["severity"]!.GetValue<string>(), alert["codes"]![0]!.GetValue<string>()));
        Assert.Contains("max_age 86400, mx mx1.watch.lab → mode enforce, max_age 604800", alert["message"]!.GetValue<string>(), StringComparison.Ordinal);

        await world.ServePolicyAsync(Policy);
        var (restored, third) = await PassAsync(config, db);
        Assert.Equal(0, restored);
        Assert.Equal(["policy-changed-without-id-bump"], Kinds(third, "resolved"));
    }

    [Fact]
    public async Task Each_alert_kind_is_raised_once_and_resolved_once()
    {
        await using var world = await WatchLab.StartAsync();
        await using var hook = new HookReceiver();
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        var db = Path.Combine(dir, "watch.db");
        async Task Configure(string thresholds) => await File.WriteAllTextAsync(config,
            $"domains: [{Domain}]\n{Check}\nthresholds: {thresholds}\nsinks: [{{type: webhook, name: hook, url: '{hook.Url}'}}]\n");
        await Configure("{}");

        async Task<JsonNode> Step(string what, string[] opened, string[] resolved, DateTimeOffset? now = null)
        {
            var (_, pass) = await PassAsync(config, db, now);
            Assert.True(opened.Order(StringComparer.Ordinal).SequenceEqual(Kinds(pass, "opened")) && resolved.Order(StringComparer.Ordinal).SequenceEqual(Kinds(pass, "resolved")),
                $"{what}: opened [{string.Join(", ", Kinds(pass, "opened"))}] (want [{string.Join(", ", opened)}]), resolved [{string.Join(", ", Kinds(pass, "resolved"))}] (want [{string.Join(", ", resolved)}]); {pass["domains"]![0]!["summary"]}");
            return pass;
        }

        await Step("clean", [], []);

        // The policy file edited without an id change, dropping the MX from the policy.
        await world.ServePolicyAsync(Policy.Replace("mx: mx1.watch.lab", "mx: mx9.watch.lab", StringComparison.Ordinal));
        await Step("policy edited", ["policy-changed-without-id-bump", "mx-not-covered"], []);
        await Step("policy still edited", [], []);
        await world.ServePolicyAsync(Policy);
        await Step("policy restored", [], ["policy-changed-without-id-bump", "mx-not-covered"]);

        // The policy file deleted: the policy host answers 404.
        await world.DeletePolicyAsync();
        await Step("policy deleted", ["policy-unreachable"], []);
        await world.ServePolicyAsync(Policy);
        await Step("policy back", [], ["policy-unreachable"]);

        // A new MX key that the TLSA record does not describe.
        await world.UseNewMxKeyAsync();
        await Step("MX key changed", ["tlsa-mismatch"], []);
        await world.UseLabMxKeyAsync();
        await Step("MX key restored", [], ["tlsa-mismatch"]);

        // The clock: 50 days after lab/up the certificates (90 days) and signatures (60 days) are near expiry; at
        // 61 days the signatures have expired (bogus, and the audit stops there: the other alerts stay open).
        await Configure("{mx_cert_days: 45, policy_cert_days: 45, rrsig_days: 14}");
        await Step("50 days on", ["dnssec-signature-expiring", "mx-cert-expiring", "policy-cert-expiring"], [], world.LabUp.AddDays(50));
        var bogus = await Step("61 days on", ["dnssec-bogus"], [], world.LabUp.AddDays(61));
        Assert.Equal(["dnssec-bogus", "dnssec-signature-expiring", "mx-cert-expiring", "policy-cert-expiring"], Kinds(bogus, "open"));
        await Step("back to now", [], ["dnssec-bogus", "dnssec-signature-expiring", "mx-cert-expiring", "policy-cert-expiring"]);

        // TLS-RPT: two weeks at 1 % failures, then 20 % today; later two clean days.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var reports = Path.Combine(dir, "reports");
        Directory.CreateDirectory(reports);
        for (var i = 2; i <= 15; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(reports, $"b{i}.json"), Report(today.AddDays(-i), 990, 10, "base-" + i));
        }

        await File.WriteAllTextAsync(Path.Combine(reports, "today.json"), Report(today, 800, 200, "jump"));
        var (imported, _, importErr) = await CliRun.RunAsync("reports", "import", reports, "--db", db);
        Assert.True(imported == 0, importErr);
        await Configure("{}");
        var jump = await Step("failure rate jump", ["tlsrpt-failure-jump"], []);
        Assert.Contains("20 % failed sessions", jump["opened"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var later = Path.Combine(dir, "later");
        Directory.CreateDirectory(later);
        await File.WriteAllTextAsync(Path.Combine(later, "d1.json"), Report(today.AddDays(1), 1000, 0, "after-1"));
        await File.WriteAllTextAsync(Path.Combine(later, "d2.json"), Report(today.AddDays(2), 1000, 0, "after-2"));
        Assert.Equal(0, (await CliRun.RunAsync("reports", "import", later, "--db", db)).Code);
        await Step("two clean days later", [], ["tlsrpt-failure-jump"], DateTimeOffset.UtcNow.AddDays(2));

        // Every kind: one opening notice, one recovery notice, nothing else.
        var notices = hook.Notices.Select(n => (Kind: n["alert"]!["kind"]!.GetValue<string>(), Event: n["event"]!.GetValue<string>(), Domain: n["alert"]!["domain"]!.GetValue<string>())).ToList();
        Assert.All(notices, n => Assert.Equal(Domain, n.Domain));
        Assert.Equal(
            AlertKinds.All.SelectMany(k => new[] { (k.Id, "opened"), (k.Id, "resolved") }).Order().ToArray(),
            notices.Select(n => (n.Kind, n.Event)).Order().ToArray());
    }

    private static string Report(DateOnly day, long ok, long failed, string id) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        {"organization-name":"Lab sender","date-range":{"start-datetime":"{{day:yyyy-MM-dd}}T00:00:00Z","end-datetime":"{{day:yyyy-MM-dd}}T23:59:59Z"},
         "contact-info":"tlsrpt@sender.lab","report-id":"{{id}}",
         "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.watch.lab","max_age: 86400"],"policy-domain":"watch.lab","mx-host":["mx1.watch.lab"]},
           "summary":{"total-successful-session-count":{{ok}},"total-failure-session-count":{{failed}}},
           "failure-details":[{"result-type":"validation-failure","sending-mta-ip":"127.99.0.1","receiving-mx-hostname":"mx1.watch.lab","receiving-ip":"127.25.250.1","failed-session-count":{{failed}}}]}]}
        """);

    /// <summary>An HTTP receiver on loopback that records every JSON body POSTed to it.</summary>
    private sealed class HookReceiver : IAsyncDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task loop;
        private readonly List<JsonNode> notices = [];

        public HookReceiver()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/watch";
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            loop = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    try
                    {
                        var ctx = await listener.GetContextAsync();
                        var body = await JsonNode.ParseAsync(ctx.Request.InputStream);
                        lock (notices)
                        {
                            notices.Add(body!);
                        }

                        ctx.Response.StatusCode = 204;
                        ctx.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                }
            });
        }

        public string Url { get; }

        public IReadOnlyList<JsonNode> Notices
        {
            get
            {
                lock (notices)
                {
                    return [.. notices];
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            listener.Close();
            await loop;
        }
    }

    /// <summary>
    /// watch.lab's servers, run by the test: <c>mailtls serve</c> on 127.44.250.1:443 for the policy (a certificate
    /// from the lab intermediate, valid like the lab's: 90 days from lab/up) and a STARTTLS server on 127.25.250.1:25
    /// presenting the lab's certificate and key for mx1.watch.lab (which the published TLSA record describes).
    /// </summary>
    private sealed class WatchLab : IAsyncDisposable
    {
        private readonly string dir;
        private readonly CancellationTokenSource stop = new();
        private Task<(int, string)>? serve;
        private SmtpTestServer? mx;
        private X509Certificate2? mxCert;

        private WatchLab(string dir) => this.dir = dir;

        public string PolicyFile => Path.Combine(dir, "policy.txt");

        /// <summary>When lab/up ran (the lab issues certificates valid from a day before).</summary>
        public DateTimeOffset LabUp { get; private set; }

        public static async Task<WatchLab> StartAsync()
        {
            var lab = new WatchLab(TempDir());
            try
            {
                await lab.StartServeAsync();
                await lab.UseLabMxKeyAsync();
                return lab;
            }
            catch
            {
                await lab.DisposeAsync();
                throw;
            }
        }

        private async Task StartServeAsync()
        {
            var (labCert, _) = LabMx();
            LabUp = new DateTimeOffset(labCert.NotBefore.ToUniversalTime()).AddDays(1);
            using var issuer = Intermediate();
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var cert = Leaf(PolicyHost, key, issuer, LabUp.AddDays(-1), LabUp.AddDays(90));
            await File.WriteAllTextAsync(Path.Combine(dir, "fullchain.pem"), cert.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem() + "\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "privkey.pem"), key.ExportPkcs8PrivateKeyPem() + "\n");
            await File.WriteAllTextAsync(PolicyFile, Policy);
            var config = Path.Combine(dir, "serve.yaml");
            await File.WriteAllTextAsync(config, $$"""
                listeners: [{address: {{PolicyAddress}}, port: 443, tls: true}]
                admin: {enabled: false}
                domains:
                  - {domain: {{Domain}}, policy_file: policy.txt}
                certificates:
                  - {host: {{PolicyHost}}, cert: fullchain.pem, key: privkey.pem}
                self_check: {enabled: false}
                log_format: simple
                """);
            serve = Task.Run(async () =>
            {
                using var output = new StringWriter();
                using var error = new StringWriter();
                var code = await CliApp.RunAsync(["serve", "--config", config], output, error, color: false, stop.Token);
                return (code, error.ToString());
            });
            await ServedAsync(Policy);
        }

        /// <summary>Writes the policy file and waits until the policy host serves it.</summary>
        public async Task ServePolicyAsync(string text)
        {
            await File.WriteAllTextAsync(PolicyFile, text);
            await ServedAsync(text);
        }

        /// <summary>Deletes the policy file and waits until the policy host answers 404.</summary>
        public async Task DeletePolicyAsync()
        {
            File.Delete(PolicyFile);
            await ServedAsync(null);
        }

        private async Task ServedAsync(string? text)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string last = "no answer";
            for (var i = 0; i < 120; i++)
            {
                if (serve is { IsCompleted: true })
                {
                    var (code, err) = await serve;
                    throw new InvalidOperationException($"mailtls serve exited {code}: {err}");
                }

                try
                {
                    using var response = await http.GetAsync($"https://{PolicyHost}/.well-known/mta-sts.txt");
                    var body = await response.Content.ReadAsStringAsync();
                    last = $"{(int)response.StatusCode} {body}";
                    if (text is null ? response.StatusCode == HttpStatusCode.NotFound : response.IsSuccessStatusCode && body == text)
                    {
                        return;
                    }
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
                catch (TaskCanceledException)
                {
                    last = "timeout";
                }

                await Task.Delay(500);
            }

            throw new InvalidOperationException($"{PolicyHost} did not serve the expected policy within 60 s; last: {last}");
        }

        public Task UseLabMxKeyAsync()
        {
            var (cert, intermediates) = LabMx();
            return ServeMxAsync(cert, intermediates);
        }

        public async Task UseNewMxKeyAsync()
        {
            using var issuer = Intermediate();
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var leaf = Leaf(MxHost, key, issuer, LabUp.AddDays(-1), LabUp.AddDays(90));
            var cert = X509CertificateLoader.LoadPkcs12(leaf.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
            await ServeMxAsync(cert, [X509CertificateLoader.LoadCertificate(issuer.RawData)]);
        }

        private async Task ServeMxAsync(X509Certificate2 cert, X509Certificate2Collection intermediates)
        {
            if (mx is not null)
            {
                await mx.DisposeAsync();
            }

            mxCert?.Dispose();
            mxCert = cert;
            mx = new SmtpTestServer(cert, address: MxAddress, port: 25, intermediates: intermediates);
        }

        /// <summary>The lab's certificate and key of mx1.watch.lab (lab/lib/labgen.py: pki/NAME.chain.pem, pki/keys/NAME.ecdsa.key).</summary>
        private static (X509Certificate2 Cert, X509Certificate2Collection Intermediates) LabMx()
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(Pki(MxHost + ".chain.pem"));
            using var withKey = X509Certificate2.CreateFromPemFile(Pki(MxHost + ".chain.pem"), Pki("keys", MxHost + ".ecdsa.key"));
            var cert = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            chain.RemoveAt(0);
            return (cert, chain);
        }

        private static X509Certificate2 Intermediate()
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(Pki("keys", "ca-intermediate.ecdsa.key")));
            using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Pki("keys", "ca-intermediate.crt")));
            return cert.CopyWithPrivateKey(key);
        }

        private static X509Certificate2 Leaf(string name, ECDsa key, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
        {
            var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            return request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            if (serve is not null)
            {
                try
                {
                    await serve;
                }
                catch (OperationCanceledException)
                {
                }
            }

            if (mx is not null)
            {
                await mx.DisposeAsync();
            }

            mxCert?.Dispose();
            stop.Dispose();
        }
    }
}
