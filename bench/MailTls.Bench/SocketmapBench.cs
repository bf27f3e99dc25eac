using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.MtaSts;
using MailTls.Resolver;

/// <summary>
/// Socketmap load generator (issue 11): what many Postfix smtp processes do to a TLS policy daemon. Each connection
/// sends one netstring request, waits for the reply, and sends the next (Postfix never pipelines a policy lookup);
/// the latency of every query is recorded. Modes:
/// <code>
///   socketmap load  --target ADDR:PORT|unix:PATH --domains FILE [--connections 100] [--seconds 10] [--rate Q] [--name postfix]
///   socketmap warm  --target ADDR:PORT|unix:PATH --domains FILE [--connections 16]
///   socketmap burst --target ADDR:PORT|unix:PATH --domain DOMAIN [--connections 100] [--name postfix]
///   socketmap serve --listen ADDR:PORT|unix:PATH    (a resolver with faked DNS/HTTPS, for profiling without the lab)
/// </code>
/// load: closed loop, each connection cycles through the domains from its own offset; prints queries/s and the
/// p50/p90/p99/p99.9/max latency of the timed part (a 2 s untimed warm-up first) and the reply kinds. With --rate,
/// each connection paces itself so that all together offer Q queries/s (a latency measurement below saturation:
/// closed-loop at saturation, latency is just connections / throughput). warm: asks
/// every domain once and waits for all replies (fills a daemon's cache). burst: opens N connections, then sends the
/// same question on all of them at once (cold-cache coalescing); prints the reply kinds and latencies.
/// </summary>
internal static class SocketmapBench
{
    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        var opts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            opts[args[i]] = args[i + 1];
        }

        var name = opts.GetValueOrDefault("--name", "postfix");
        switch (args[0])
        {
            case "serve" when opts.TryGetValue("--listen", out var listen):
                return await ServeAsync(Target(listen)).ConfigureAwait(false);
            case "load" when opts.TryGetValue("--target", out var t) && opts.TryGetValue("--domains", out var f):
                return await LoadAsync(Target(t), Domains(f), name, Int(opts, "--connections", 100), double.Parse(opts.GetValueOrDefault("--seconds", "10"), CultureInfo.InvariantCulture), Int(opts, "--rate", 0)).ConfigureAwait(false);
            case "warm" when opts.TryGetValue("--target", out var t) && opts.TryGetValue("--domains", out var f):
                return await WarmAsync(Target(t), Domains(f), name, Int(opts, "--connections", 16)).ConfigureAwait(false);
            case "burst" when opts.TryGetValue("--target", out var t) && opts.TryGetValue("--domain", out var d):
                return await BurstAsync(Target(t), d, name, Int(opts, "--connections", 100)).ConfigureAwait(false);
            default:
                return Usage();
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: MailTls.Bench socketmap load|warm --target ADDR:PORT|unix:PATH --domains FILE [--connections N] [--seconds S] [--name MAP]");
        Console.Error.WriteLine("       MailTls.Bench socketmap burst --target ADDR:PORT|unix:PATH --domain DOMAIN [--connections N] [--name MAP]");
        Console.Error.WriteLine("       MailTls.Bench socketmap serve --listen ADDR:PORT|unix:PATH");
        return 2;
    }

    private static int Int(Dictionary<string, string> opts, string key, int fallback) =>
        opts.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>ADDR:PORT, or unix:PATH for a Unix socket.</summary>
    private static EndPoint Target(string text) =>
        text.StartsWith("unix:", StringComparison.Ordinal) ? new UnixDomainSocketEndPoint(text[5..]) : IPEndPoint.Parse(text);

    private static string[] Domains(string file) =>
        [.. File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split((char[])[' ', '\t'])[0])];

    private static async Task<int> LoadAsync(EndPoint target, string[] domains, string name, int connections, double seconds, int rate)
    {
        // Paced: each connection sends every `interval` ticks (its first send spread over one interval).
        var interval = rate > 0 ? (long)((double)connections / rate * Stopwatch.Frequency) : 0;
        var requests = domains.Select(d => Netstring.Encode(name + " " + d)).ToArray();
        var clients = new List<Client>();
        for (var i = 0; i < connections; i++)
        {
            clients.Add(await Client.ConnectAsync(target).ConfigureAwait(false));
        }

        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long errors = 0;
        var start = Stopwatch.GetTimestamp();
        var warmUntil = start + (long)(2 * Stopwatch.Frequency);
        var endAt = warmUntil + (long)(seconds * Stopwatch.Frequency);
        var latencies = new List<long>[connections];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.WhenAll(clients.Select((c, index) => Task.Run(async () =>
        {
            var mine = new List<long>(1 << 16);
            latencies[index] = mine;
            var local = new Dictionary<string, long>(StringComparer.Ordinal);
            var i = index * 7919 % requests.Length;
            var due = start + (interval * index / connections);
            while (true)
            {
                if (interval > 0)
                {
                    due += interval;
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency)).ConfigureAwait(false);
                    }
                }

                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= endAt)
                {
                    break;
                }

                string? reply;
                try
                {
                    reply = await c.AskAsync(requests[i]).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }

                var t1 = Stopwatch.GetTimestamp();
                if (t0 >= warmUntil && t1 <= endAt)
                {
                    mine.Add(t1 - t0);
                    var kind = Kind(reply);
                    local[kind] = local.GetValueOrDefault(kind) + 1;
                }

                i = (i + 1) % requests.Length;
            }

            foreach (var (k, v) in local)
            {
                kinds.AddOrUpdate(k, v, (_, o) => o + v);
            }
        }))).ConfigureAwait(false);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        foreach (var c in clients)
        {
            c.Dispose();
        }

        var all = latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
        Array.Sort(all);
        var count = all.Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"target={target} connections={connections} domains={domains.Length} offered={(rate > 0 ? rate.ToString(CultureInfo.InvariantCulture) + "/s" : "max")} seconds={seconds:F1} queries={count} rate={count / seconds:F0}/s " +
            $"p50={Us(all, 0.50)}us p90={Us(all, 0.90)}us p99={Us(all, 0.99)}us p99.9={Us(all, 0.999)}us max={Us(all, 1.0)}us errors={errors} " +
            $"generator_cpu={cpu.TotalSeconds:F1}s replies={string.Join(",", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + ":" + k.Value))}"));
        return errors == 0 && count > 0 ? 0 : 1;
    }

    private static async Task<int> WarmAsync(EndPoint target, string[] domains, string name, int connections)
    {
        var sw = Stopwatch.StartNew();
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            using var c = await Client.ConnectAsync(target).ConfigureAwait(false);
            int i;
            while ((i = Interlocked.Increment(ref next)) < domains.Length)
            {
                var reply = await c.AskAsync(Netstring.Encode(name + " " + domains[i])).ConfigureAwait(false);
                kinds.AddOrUpdate(Kind(reply), 1, (_, o) => o + 1);
            }
        }))).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warm: target={target} domains={domains.Length} seconds={sw.Elapsed.TotalSeconds:F1} replies={string.Join(",", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + ":" + k.Value))}"));
        return 0;
    }

    private static async Task<int> BurstAsync(EndPoint target, string domain, string name, int connections)
    {
        var clients = new List<Client>();
        for (var i = 0; i < connections; i++)
        {
            clients.Add(await Client.ConnectAsync(target).ConfigureAwait(false));
        }

        var request = Netstring.Encode(name + " " + domain);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = clients.Select(c => Task.Run(async () =>
        {
            await go.Task.ConfigureAwait(false);
            var t0 = Stopwatch.GetTimestamp();
            var reply = await c.AskAsync(request).ConfigureAwait(false);
            return (Reply: reply, Ticks: Stopwatch.GetTimestamp() - t0);
        })).ToList();
        var sw = Stopwatch.StartNew();
        go.SetResult();
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = sw.Elapsed;
        foreach (var c in clients)
        {
            c.Dispose();
        }

        var lat = results.Select(r => r.Ticks).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"burst: target={target} domain={domain} connections={connections} seconds={elapsed.TotalSeconds:F3} p50={Us(lat, 0.5)}us max={Us(lat, 1.0)}us " +
            $"distinct_replies={results.Select(r => r.Reply).Distinct(StringComparer.Ordinal).Count()} replies={string.Join(",", results.GroupBy(r => Kind(r.Reply), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key + ":" + g.Count()))}"));
        return 0;
    }

    /// <summary>A resolver whose DNS and HTTPS are faked (every domain has an enforce policy): the daemon's own cost.</summary>
    private static async Task<int> ServeAsync(EndPoint listen)
    {
        var cache = new StsPolicyCache(
            new MemoryStsPolicyStore(),
            (d, _) => Task.FromResult(StsDiscovery.Evaluate(new StsTxtAnswer(MailTls.Dns.DnsAnswerStatus.Answer, [["v=STSv1; id=1;"]]))),
            (d, _) => Task.FromResult<StsPolicyFetchResult>(new StsPolicyFetchResult.Fetched(
                StsPolicyFetcher.PolicyUrl(d), Encoding.UTF8.GetBytes($"version: STSv1\nmode: enforce\nmx: mx1.{d}\nmx: *.{d}\nmax_age: 604800\n"), "text/plain", null!)));
        var service = new ResolverService(new ResolverServiceOptions { Dane = DaneMode.Off, CacheGrace = TimeSpan.FromHours(1) }, cache, null);
        await using var server = new SocketmapServer(service);
        if (listen is UnixDomainSocketEndPoint unix)
        {
            server.ListenUnix(unix.ToString());
        }
        else
        {
            server.ListenTcp((IPEndPoint)listen);
        }

        Console.Error.WriteLine("socketmap serve: listening on " + server.EndPoints[0]);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        var q = Math.Max(1, service.Metrics.Queries);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"socketmap serve: queries={service.Metrics.Queries} hits={service.Metrics.Hits} misses={service.Metrics.Misses} allocated={GC.GetTotalAllocatedBytes(precise: true)} bytes ({(double)GC.GetTotalAllocatedBytes(precise: true) / q:F1} per query, start-up included) gen0_collections={GC.CollectionCount(0)}"));
        return 0;
    }

    private static string Us(long[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return "-";
        }

        var i = Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1);
        return (sorted[Math.Max(0, i)] * 1_000_000.0 / Stopwatch.Frequency).ToString("F0", CultureInfo.InvariantCulture);
    }

    private static string Kind(string reply) =>
        reply.StartsWith("OK ", StringComparison.Ordinal) ? "OK " + reply[3..].Split(' ')[0]
        : reply.Split(' ')[0];

    private sealed class Client : IDisposable
    {
        private readonly Socket socket;
        private readonly byte[] buffer = new byte[16384];

        // One deadline for the whole run (a per-query timer would cost the generator more than the daemon's reply).
        private static readonly CancellationTokenSource Deadline = new(TimeSpan.FromMinutes(10));

        private Client(Socket socket) => this.socket = socket;

        public static async Task<Client> ConnectAsync(EndPoint target)
        {
            var s = target is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await s.ConnectAsync(target).ConfigureAwait(false);
            return new Client(s);
        }

        public async Task<string> AskAsync(byte[] request)
        {
            await socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);
            var filled = 0;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, Deadline.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("connection closed by the daemon");
                }

                filled += n;
                switch (Netstring.TryParse(buffer.AsSpan(0, filled), buffer.Length, out var range, out var consumed))
                {
                    case NetstringStatus.Complete when consumed == filled:
                        return Encoding.UTF8.GetString(buffer.AsSpan(range));
                    case NetstringStatus.Incomplete when filled < buffer.Length:
                        continue;
                    default:
                        throw new InvalidDataException("bad reply framing");
                }
            }
        }

        public void Dispose() => socket.Dispose();
    }
}
