using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailTls.Resolver;
using MailTls.Tests.Shared;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// Issue 11 acceptance: "killing the resolver with SIGKILL and restarting keeps the cache; a policy host going down
/// leaves cached policies in force until they expire". The daemon runs as its own process (the CLI) with a SQLite
/// cache; it fetches clean-enforce.lab's policy from the lab's policy host and is killed with SIGKILL right after the
/// reply. Then the policy host goes down for this daemon only: its DNS goes through <see cref="RewritingDnsProxy"/>,
/// which points mta-sts.clean-enforce.lab at an address where nothing listens (connection refused), leaving the lab
/// intact for the tests running beside this one.
/// </summary>
[Trait("Category", "Lab")]
public sealed partial class LabResolverKillTests
{
    private const string Domain = "clean-enforce.lab";
    private const string PolicyHost = "mta-sts." + Domain;
    private const ushort TypeA = 1;
    private const ushort TypeTxt = 16;
    private const ushort TypeAaaa = 28;

    private static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    [Fact]
    public async Task Sigkill_restart_keeps_the_cache_and_a_down_policy_host_leaves_the_policy_in_force_until_it_expires()
    {
        using var dns = new RewritingDnsProxy();
        var dir = Directory.CreateTempSubdirectory("mailtls-resolver-lab-kill-");
        try
        {
            var db = Path.Combine(dir.FullName, "cache.db");
            var cfg = Path.Combine(dir.FullName, "resolver.yml");
            await File.WriteAllTextAsync(cfg, $"""
                cache:
                  type: sqlite
                  options:
                    filename: {db}
                cache_grace: 1
                proactive_policy_fetching:
                  enabled: false
                default_zone:
                  timeout: 5
                dns:
                  servers: ["127.0.0.1:{dns.Port}"]
                  trust_anchor: {Path.Combine(Run, "root.key")}
                """);

            // 1. A real fetch from the lab policy host, then SIGKILL right after the reply.
            string fetched;
            await using (var daemon = await Daemon.StartAsync(cfg))
            {
                fetched = await daemon.AskAsync(Domain);
                Assert.StartsWith("OK secure match=", fetched, StringComparison.Ordinal);
                Assert.Equal((1, 0), await daemon.FetchesAsync());
                await daemon.KillAsync();
            }

            StsCacheEntry stored;
            using (var store = new SqliteStsPolicyStore(db))
            {
                stored = (await store.GetAsync(Domain))!;
                Assert.NotNull(stored.PolicyText);
            }

            // 2. The policy host goes down (its name now points where nothing listens). Restarted on the same file, the
            //    daemon answers from the cache: the TXT id is unchanged, so no fetch is even tried.
            var down = new Dictionary<(string, ushort), IReadOnlyList<byte[]>>
            {
                [(PolicyHost, TypeA)] = [RewritingDnsProxy.A("127.44.99.99")],
                [(PolicyHost, TypeAaaa)] = [],
            };
            dns.Rewrite = down;
            await using (var daemon = await Daemon.StartAsync(cfg))
            {
                Assert.Equal(fetched, await daemon.AskAsync(Domain));
                Assert.Equal((0, 0), await daemon.FetchesAsync());

                // 3. The domain announces a new policy id while its host is down: the fetch is tried, fails, and the
                //    cached policy stays in force (RFC 8461 §3.3, §5.1).
                dns.Rewrite = new Dictionary<(string, ushort), IReadOnlyList<byte[]>>(down)
                {
                    [("_mta-sts." + Domain, TypeTxt)] = [RewritingDnsProxy.Txt("v=STSv1; id=labkillnew;")],
                };
                await Task.Delay(TimeSpan.FromSeconds(1.5)); // cache_grace: 1 s
                Assert.Equal(fetched, await daemon.AskAsync(Domain));
                Assert.Equal((1, 1), await daemon.FetchesAsync());
                await daemon.KillAsync();
            }

            using (var store = new SqliteStsPolicyStore(db))
            {
                var after = (await store.GetAsync(Domain))!;
                Assert.Equal((stored.PolicyId, stored.PolicyText, stored.ExpiresAt), (after.PolicyId, after.PolicyText, after.ExpiresAt));
                Assert.Equal("labkillnew", after.FailedId);

                // 4. Time passes beyond max_age (the lab policy lives a week, so the expiry is written into the file).
                await store.PutAsync(after with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1) });
            }

            // 5. Expired, host still down, the failed id still in its backoff: no policy any more (NOTFOUND, RFC 8461 §5).
            await using (var daemon = await Daemon.StartAsync(cfg))
            {
                Assert.Equal("NOTFOUND ", await daemon.AskAsync(Domain));
                await daemon.KillAsync();
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^mailtls_resolver_policy_fetches_total (\d+)$", RegexOptions.Multiline)]
    private static partial Regex FetchesLine();

    [GeneratedRegex(@"^mailtls_resolver_policy_fetch_failures_total (\d+)$", RegexOptions.Multiline)]
    private static partial Regex FailuresLine();

    /// <summary>The CLI daemon as a child process (killed with SIGKILL, never stopped gracefully).</summary>
    private sealed class Daemon : IAsyncDisposable
    {
        private readonly Process process;
        private readonly Socket client;
        private readonly int metricsPort;

        private Daemon(Process process, Socket client, int metricsPort)
        {
            this.process = process;
            this.client = client;
            this.metricsPort = metricsPort;
        }

        public static async Task<Daemon> StartAsync(string cfg)
        {
            var port = SocketmapTestClient.FreePort();
            var metrics = SocketmapTestClient.FreePort();
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { typeof(CliApp).Assembly.Location, "resolver", "--config", cfg, "--listen", "127.0.0.1:" + port })
            {
                psi.ArgumentList.Add(a);
            }

            // The metrics endpoint comes from the configuration: append it for this run.
            var text = await File.ReadAllTextAsync(cfg);
            await File.WriteAllTextAsync(cfg, Regex.Replace(text, @"(?m)^metrics: .*\n?", string.Empty).TrimEnd() + $"\nmetrics: 127.0.0.1:{metrics}\n");
            var process = Process.Start(psi)!;
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                var socket = await SocketmapTestClient.ConnectAsync(port);
                return new Daemon(process, socket, metrics);
            }
            catch (SocketException)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                await process.WaitForExitAsync();
                Assert.Fail($"the daemon did not start (exit {process.ExitCode}): {await stderr}");
                throw;
            }
        }

        public Task<string> AskAsync(string domain) => SocketmapTestClient.AskAsync(client, "postfix " + domain, 8192, TimeSpan.FromSeconds(60));

        /// <summary>(policy fetches, failed fetches) since this process started.</summary>
        public async Task<(int Fetches, int Failures)> FetchesAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
            return (int.Parse(FetchesLine().Match(body).Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(FailuresLine().Match(body).Groups[1].Value, CultureInfo.InvariantCulture));
        }

        public async Task KillAsync()
        {
            process.Kill(entireProcessTree: false); // SIGKILL
            await process.WaitForExitAsync();
            Assert.Equal(137, process.ExitCode);
        }

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}
