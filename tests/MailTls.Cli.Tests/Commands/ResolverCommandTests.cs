using System.Diagnostics;
using System.Net.Sockets;
using MailTls.Resolver;
using MailTls.Tests.Shared;

namespace MailTls.Cli.Tests.Commands;

/// <summary><c>mailtls resolver</c>: query, cache list/flush, configuration errors, and the SQLite cache across SIGKILL.</summary>
public sealed class ResolverCommandTests
{
    private const string Policy = "version: STSv1\nmode: enforce\nmx: mail.seeded.example\nmx: *.seeded.example\nmax_age: 604800\n";

    [Fact]
    public async Task Query_of_an_ip_literal_is_notfound_without_lookup()
    {
        var (code, json) = await CliRun.JsonAsync("resolver", "query", "[192.0.2.1]:25", "--no-cache", "--resolver", "127.0.0.1:9");
        Assert.Equal(0, code);
        Assert.Equal("NOTFOUND ", json.GetProperty("reply").GetString());
        Assert.Equal("not-looked-up", json.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Cache_list_and_flush_read_the_configured_sqlite_file()
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-resolver-cli-");
        try
        {
            var db = Path.Combine(dir.FullName, "cache.db");
            using (var store = new SqliteStsPolicyStore(db))
            {
                var now = DateTimeOffset.UtcNow;
                await store.PutAsync(new StsCacheEntry("seeded.example", "id1", Policy, now, now.AddDays(7), null, null));
            }

            var cfg = Path.Combine(dir.FullName, "resolver.yml");
            await File.WriteAllTextAsync(cfg, $"cache:\n  type: sqlite\n  options:\n    filename: {db}\n");
            var (code, text, _) = await CliRun.RunAsync("resolver", "cache", "list", "--config", cfg);
            Assert.Equal(0, code);
            Assert.StartsWith("seeded.example\tid1\tenforce\t", text, StringComparison.Ordinal);
            var (_, json) = await CliRun.JsonAsync("resolver", "cache", "list", "--config", cfg);
            Assert.Equal("id1", json[0].GetProperty("policy_id").GetString());
            var (flushCode, flushJson) = await CliRun.JsonAsync("resolver", "cache", "flush", "seeded.example", "--config", cfg);
            Assert.Equal(0, flushCode);
            Assert.Equal(1, flushJson.GetProperty("deleted").GetInt32());
            Assert.Equal(0, (await CliRun.JsonAsync("resolver", "cache", "list", "--config", cfg)).Json.GetArrayLength());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_cache_option_names_the_store_without_a_configuration_file()
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-resolver-cli-");
        try
        {
            var db = Path.Combine(dir.FullName, "cache.db");
            using (var store = new SqliteStsPolicyStore(db))
            {
                var now = DateTimeOffset.UtcNow;
                await store.PutAsync(new StsCacheEntry("seeded.example", "id1", Policy, now, now.AddDays(7), null, null));
            }

            var (code, json) = await CliRun.JsonAsync("resolver", "cache", "list", "--cache", db);
            Assert.Equal(0, code);
            Assert.Equal("seeded.example", json[0].GetProperty("domain").GetString());

            var (internalCode, _, internalErr) = await CliRun.RunAsync("resolver", "cache", "list", "--cache", "internal");
            Assert.Equal(2, internalCode);
            Assert.Contains("nothing persists", internalErr, StringComparison.Ordinal);

            var (downCode, _, downErr) = await CliRun.RunAsync("resolver", "cache", "flush", "--cache", "postgres://u:p@127.0.0.1:1/db");
            Assert.Equal(3, downCode);
            Assert.Contains("policy cache unavailable", downErr, StringComparison.Ordinal);

            var (badCode, _, badErr) = await CliRun.RunAsync("resolver", "cache", "list", "--cache", "postgres:///nohost");
            Assert.Equal(2, badCode);
            Assert.Contains("--cache: not a postgres://user:pass@host:port/db URL", badErr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Configuration_errors_are_usage_errors()
    {
        var cfg = CliRun.TempFile("port: 8461\nbogus_key: 1\ndefault_zone:\n  strict_testing: maybe\ncache:\n  type: redis\n", ".yml");
        try
        {
            var (code, _, err) = await CliRun.RunAsync("resolver", "cache", "list", "--config", cfg);
            Assert.Equal(2, code);
            Assert.Contains("bogus_key: unknown key", err, StringComparison.Ordinal);
            Assert.Contains("default_zone.strict_testing: 'maybe' is not a boolean", err, StringComparison.Ordinal);
            Assert.Contains("cache.type: 'redis' is not supported", err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(cfg);
        }
    }

    [Fact]
    public void An_mta_sts_daemon_yml_parses()
    {
        var cfg = ResolverConfig.Parse(
            """
            host: 127.0.0.1
            port: 8461
            reuse_port: true
            shutdown_timeout: 20
            cache:
              type: sqlite
              options:
                filename: "/var/lib/mta-sts/cache.db"
            default_zone:
              strict_testing: false
              timeout: 4
            zones:
              myzone:
                strict_testing: true
                timeout: 4
                require_sni: false
                tlsrpt: true
            path: /run/mta-sts.sock
            mode: 0666
            """,
            out var errors);
        Assert.Empty(errors);
        Assert.Equal("/var/lib/mta-sts/cache.db", cfg.CacheFile);
        Assert.Equal(TimeSpan.FromSeconds(4), cfg.DefaultZone.Timeout);
        Assert.True(cfg.Zones["myzone"].StrictTesting);
        Assert.False(cfg.Zones["myzone"].RequireSni);
        Assert.True(cfg.Zones["myzone"].TlsRpt);
        Assert.Equal((UnixFileMode)438, cfg.Mode);
        Assert.Equal("/run/mta-sts.sock", cfg.Path);
    }

    /// <summary>
    /// The daemon as a separate process, killed with SIGKILL and restarted on the same SQLite file: the seeded policy
    /// is still served. DNS points at a port nothing answers, so discovery fails temporarily: the cached policy is
    /// served (RFC 8461 §3.3) and a domain without a cached policy gets TEMP.
    /// </summary>
    [Fact]
    public async Task Sigkill_and_restart_keep_the_cache()
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-resolver-kill-");
        try
        {
            var db = Path.Combine(dir.FullName, "cache.db");
            using (var store = new SqliteStsPolicyStore(db))
            {
                var now = DateTimeOffset.UtcNow;
                await store.PutAsync(new StsCacheEntry("seeded.example", "id1", Policy, now, now.AddDays(7), null, null));
            }

            var cfg = Path.Combine(dir.FullName, "resolver.yml");
            await File.WriteAllTextAsync(cfg, $"cache:\n  type: sqlite\n  options:\n    filename: {db}\ndefault_zone:\n  timeout: 1\ndns:\n  servers: [\"127.0.0.1:9\"]\ndane: off\n");
            const string secure = "OK secure match=mail.seeded.example:.seeded.example servername=hostname";
            for (var round = 0; round < 2; round++)
            {
                var port = FreePort();
                using var daemon = Start(cfg, port);
                try
                {
                    using var client = await ConnectAsync(port);
                    Assert.Equal(secure, await AskAsync(client, "postfix seeded.example"));
                    Assert.StartsWith("TEMP ", await AskAsync(client, "postfix unseeded.example"), StringComparison.Ordinal);
                }
                finally
                {
                    daemon.Kill(entireProcessTree: false);
                    await daemon.WaitForExitAsync();
                }

                Assert.Equal(137, daemon.ExitCode);
            }

            using var reopened = new SqliteStsPolicyStore(db);
            Assert.Equal("id1", (await reopened.GetAsync("seeded.example"))!.PolicyId);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static Process Start(string cfg, int port)
    {
        var dll = typeof(CliApp).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "resolver", "--config", cfg, "--listen", "127.0.0.1:" + port })
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    private static int FreePort() => SocketmapTestClient.FreePort();

    private static Task<Socket> ConnectAsync(int port) => SocketmapTestClient.ConnectAsync(port);

    private static Task<string> AskAsync(Socket s, string request) => SocketmapTestClient.AskAsync(s, request, 2048, TimeSpan.FromSeconds(30));
}
