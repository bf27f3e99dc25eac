using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MailTls.Dns.Dnssec;
using MailTls.Resolver;
using MailTls.Tests.Shared;

namespace MailTls.Tests.Lab;

/// <summary>
/// The delivery matrix with a real sending Postfix (<c>lab/sender</c>: its own instance in the lab namespace,
/// <c>smtp_tls_security_level = dane</c>, <c>smtp_dns_support_level = dnssec</c>, the lab CA as CAfile) whose
/// <c>smtp_tls_policy_maps</c> is <c>socketmap:inet:127.0.0.1:PORT:postfix</c> served by <c>mailtls resolver</c>, then
/// by postfix-mta-sts-resolver's <c>mta-sts-daemon</c> (1.1.2, Debian). One message to <c>lab-sink@DOMAIN</c> per
/// row; the lab MX instances accept that recipient and discard it. Outcomes are read from the sender's log (status of
/// the first attempt, the TLS line: Verified = certificate and name checked, Trusted = chain only, Untrusted = not
/// verified), from the MX's log (the discard line of the queue id the MX returned) and from <c>postqueue -j</c>.
/// </summary>
/// <remarks>
/// The two daemons differ where the difference is the point (issue 11, docs/resolver.md): for a domain whose MX RRset
/// and TLSA records are DNSSEC-secure, mailtls answers <c>dane-only</c> and Postfix applies DANE; mta-sts-daemon answers
/// the MTA-STS policy, which overrides the sender's DANE (RFC 8461 §2 says DANE takes precedence). With a stale TLSA
/// record (dane-stale.lab) mail is therefore deferred with mailtls and delivered with mta-sts-daemon (the certificate is
/// PKIX-valid, so MTA-STS accepts it).
/// </remarks>
[Trait("Category", "Lab")]
public sealed partial class LabPostfixMatrixTests
{
    private static readonly string Run = Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    /// <summary>Expected per daemon: reply prefix, outcome (sent/deferred), TLS line.</summary>
    private static readonly Row[] Matrix =
    [
        new("clean-enforce.lab", "enforce policy, good MX",
            new("OK secure match=", "sent", "Verified"), new("OK secure match=", "sent", "Verified")),
        new("mx-wrongname.lab", "enforce policy, MX certificate for another name",
            new("OK secure match=", "deferred", "Untrusted"), new("OK secure match=", "deferred", "Untrusted")),
        new("clean-testing.lab", "testing policy: not enforced",
            new("NOTFOUND", "sent", "Trusted"), new("NOTFOUND", "sent", "Trusted")),
        new("no-sts.lab", "no MTA-STS",
            new("NOTFOUND", "sent", "Trusted"), new("NOTFOUND", "sent", "Trusted")),
        new("dane-311.lab", "MTA-STS enforce + DANE-EE 3 1 1",
            new("OK dane-only", "sent", "Verified"), new("OK secure match=", "sent", "Verified")),
        new("hosted.lab", "MTA-STS enforce, MX at a DANE hoster",
            new("OK dane-only", "sent", "Verified"), new("OK secure match=", "sent", "Verified")),
        new("dane-stale.lab", "MTA-STS enforce + stale TLSA: DANE must fail, MTA-STS alone would pass",
            new("OK dane-only", "deferred", "Untrusted"), new("OK secure match=", "sent", "Verified")),
    ];

    public static TheoryData<string> Daemons => new() { "mailtls", "mta-sts-daemon" };

    [Theory]
    [MemberData(nameof(Daemons))]
    public async Task Delivery_matrix(string daemon)
    {
        var port = SocketmapTestClient.FreePort();
        var name = "matrix-" + (daemon == "mailtls" ? "mailtls" : "peer");
        await using var resolver = await StartAsync(daemon, port);

        // What the daemon tells Postfix (the cause of each outcome below).
        using (var client = await SocketmapTestClient.ConnectAsync(port))
        {
            foreach (var row in Matrix)
            {
                var reply = await SocketmapTestClient.AskAsync(client, "postfix " + row.Domain, 8192, TimeSpan.FromSeconds(60));
                Assert.True(reply.StartsWith(row.For(daemon).Reply, StringComparison.Ordinal), $"{daemon} {row.Domain}: reply '{reply}', expected {row.For(daemon).Reply}…");
            }
        }

        await Sender("down", name);
        await Sender("up", name, "--policy-map", $"socketmap:inet:127.0.0.1:{port}:postfix", "--level", "dane");
        try
        {
            foreach (var row in Matrix)
            {
                await Sender("send", name, "lab-sink@" + row.Domain, $"{daemon} {row.Domain}");
            }

            var log = Path.Combine(Run, "senders", name, "maillog");
            var statuses = await WaitForAsync(() => Statuses(log), s => Matrix.All(r => s.ContainsKey(r.Domain)), TimeSpan.FromSeconds(60));
            var text = await File.ReadAllTextAsync(log);
            var failures = new List<string>();
            foreach (var row in Matrix)
            {
                var want = row.For(daemon);
                var (status, detail) = statuses[row.Domain];
                var tls = TlsLine(text, row.Domain);
                if (status != want.Outcome || tls != want.Tls)
                {
                    failures.Add($"{row.Domain} ({row.Why}): {status} ({detail}), {tls ?? "no"} TLS; expected {want.Outcome}, {want.Tls} TLS");
                }
            }

            Assert.True(failures.Count == 0, daemon + ":\n" + string.Join("\n", failures));

            // Delivered means accepted by the MX: its log has the discard line of the queue id it returned.
            var accepted = statuses.Where(s => s.Value.Status == "sent").Select(s => (Domain: s.Key, QueueId: QueuedAs().Match(s.Value.Detail).Groups[1].Value)).ToList();
            var mxLog = Path.Combine(Run, "postfix", "maillog");
            await WaitForAsync(
                () => File.ReadAllText(mxLog),
                mx => accepted.All(a => mx.Contains($"{a.QueueId}: to=<lab-sink@{a.Domain}>, relay=none", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30));

            // The deferred messages wait in the sender's queue with the TLS reason.
            var (code, queue, _, _) = await LabProcess.RunAsync("postqueue", "-c", Path.Combine(Run, "senders", name), "-j");
            Assert.Equal(0, code);
            var deferred = queue.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .SelectMany(m => m.GetProperty("recipients").EnumerateArray())
                .ToDictionary(r => r.GetProperty("address").GetString()!, r => r.GetProperty("delay_reason").GetString()!);
            Assert.Equal(
                Matrix.Where(r => r.For(daemon).Outcome == "deferred").Select(r => "lab-sink@" + r.Domain).Order(StringComparer.Ordinal),
                deferred.Keys.Order(StringComparer.Ordinal));
            Assert.All(deferred.Values, reason => Assert.Equal("Server certificate not verified", reason));
        }
        finally
        {
            await Sender("down", name);
        }
    }

    private static async Task Sender(params string[] args)
    {
        var (code, stdout, _, stderr) = await LabProcess.RunAsync(Path.Combine(TestPaths.RepoRoot, "lab", "sender"), args);
        Assert.True(code == 0, $"lab/sender {string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
    }

    /// <summary>The first delivery status per recipient domain in the sender's log.</summary>
    private static Dictionary<string, (string Status, string Detail)> Statuses(string log)
    {
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (!File.Exists(log))
        {
            return result;
        }

        foreach (Match m in StatusLine().Matches(File.ReadAllText(log)))
        {
            result.TryAdd(m.Groups["domain"].Value, (m.Groups["status"].Value, m.Groups["detail"].Value));
        }

        return result;
    }

    /// <summary>Verified / Trusted / Untrusted / Anonymous from the sender's TLS line for the domain's MX host.</summary>
    private static string? TlsLine(string log, string domain)
    {
        var hosts = LabPlan.Domain(domain).GetProperty("mx").EnumerateArray().Select(m => m.GetString()!.Split(' ')[^1].TrimEnd('.')).ToList();
        foreach (Match m in TlsLineRegex().Matches(log))
        {
            if (hosts.Contains(m.Groups["host"].Value, StringComparer.OrdinalIgnoreCase))
            {
                return m.Groups["kind"].Value;
            }
        }

        return null;
    }

    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            Assert.True(sw.Elapsed < timeout, $"not done after {timeout.TotalSeconds} s: {value}");
            await Task.Delay(200);
        }
    }

    private static async Task<IAsyncDisposable> StartAsync(string daemon, int port)
    {
        if (daemon == "mailtls")
        {
            var anchors = TrustAnchors.Load(await File.ReadAllTextAsync(Path.Combine(Run, "root.key"))).Anchors!;
            var host = new ResolverHost(new ResolverConfig { CacheType = ResolverCacheType.Internal, ProactiveRefresh = false }, [new IPEndPoint(IPAddress.Parse("127.0.0.53"), 53)], anchors);
            host.Start([$"127.0.0.1:{port}"]);
            return host;
        }

        var cfg = Path.Combine(Path.GetTempPath(), $"mta-sts-daemon-matrix-{port}.yml");
        await File.WriteAllTextAsync(cfg, $"host: 127.0.0.1\nport: {port}\ncache:\n  type: internal\ndefault_zone:\n  timeout: 10\n");
        var process = Process.Start(new ProcessStartInfo("mta-sts-daemon", ["-c", cfg]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
        return new Peer(process, cfg);
    }

    [GeneratedRegex(@"to=<lab-sink@(?<domain>[^>]+)>, relay=[^,]+, (?:conn_use=\d+, )?delay=[^,]+, delays=[^,]+, dsn=[^,]+, status=(?<status>\w+) \((?<detail>[^)\n]*)\)")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"(?<kind>Verified|Trusted|Untrusted|Anonymous) TLS connection established to (?<host>[^\[]+)\[")]
    private static partial Regex TlsLineRegex();

    [GeneratedRegex(@"queued as ([0-9A-F]+)")]
    private static partial Regex QueuedAs();

    private sealed record Expect(string Reply, string Outcome, string Tls);

    private sealed record Row(string Domain, string Why, Expect Mailtls, Expect Peer)
    {
        public Expect For(string daemon) => daemon == "mailtls" ? Mailtls : Peer;
    }

    private sealed class Peer(Process process, string cfg) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            File.Delete(cfg);
        }
    }
}
