using System.Diagnostics;
using System.Globalization;
using MailTls.Dns;
using MailTls.Dns.Dnssec;

// mailtls DNS throughput benchmark (issue 4). Not a test: bench/dns/run runs it inside the lab namespace.
//   MailTls.Bench dns --mode stub|validated --server ADDR[:PORT] --queries FILE [--seconds N] [--concurrency N] [--trust-anchor FILE]
// FILE: one question a line, "NAME TYPE" (the dnsperf data format). stub: DnsLookup over DnsStubResolver, no cache,
// every question a socket round trip. validated: DnssecValidator over CachingDnsResolver; one untimed pass over the
// whole file warms the cache, then the timed passes validate from the warm cache (signatures checked every time).
// Prints one line: mode, completed lookups, seconds, lookups/s, and how many ended in each status.
// MailTls.Bench socketmap …: the socketmap load generator (issue 11, SocketmapBench.cs).
// MailTls.Bench sqlite-insert [DIR] [ROWS]: see SqliteInsertBench (how the report store should talk to SQLite).
return args switch
{
    ["socketmap", ..] => await SocketmapBench.MainAsync(args[1..]).ConfigureAwait(false),
    ["sqlite-insert", ..] => SqliteInsertBench.Run(args),
    _ => await Bench.MainAsync(args).ConfigureAwait(false),
};

internal static class Bench
{
    public static async Task<int> MainAsync(string[] args)
    {
        var opts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            opts[args[i]] = args[i + 1];
        }

        if (args.Length == 0 || args[0] != "dns" || !opts.TryGetValue("--queries", out var file) || !opts.TryGetValue("--server", out var serverText))
        {
            await Console.Error.WriteLineAsync("usage: MailTls.Bench dns --mode stub|validated --server ADDR[:PORT] --queries FILE [--seconds N] [--concurrency N] [--trust-anchor FILE]").ConfigureAwait(false);
            return 2;
        }

        var mode = opts.GetValueOrDefault("--mode", "stub");
        var seconds = double.Parse(opts.GetValueOrDefault("--seconds", "20"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(opts.GetValueOrDefault("--concurrency", "200"), CultureInfo.InvariantCulture);
        var server = DnsServerAddress.TryParse(serverText) ?? throw new ArgumentException("bad --server " + serverText);
        var questions = File.ReadAllLines(file)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 2 && DnsRecordTypeText.TryParse(p[1], out _))
            .Select(p => (Name: p[0], Type: DnsRecordTypeText.TryParse(p[1], out var t) ? t : default))
            .ToArray();
        var stub = new DnsStubResolver(new DnsStubResolverSettings { Servers = [server] });
        Func<(string Name, DnsRecordType Type), Task<string>> one;
        if (mode == "stub")
        {
            var lookup = new DnsLookup(stub);
            one = async q => (await lookup.LookupAsync(q.Name, q.Type).ConfigureAwait(false)).Status.ToString();
        }
        else
        {
            var anchors = opts.TryGetValue("--trust-anchor", out var af) ? TrustAnchors.Load(File.ReadAllText(af)).Anchors! : TrustAnchors.BuiltIn;
            var validator = new DnssecValidator(new CachingDnsResolver(stub), anchors);
            one = async q => (await validator.ValidateAsync(q.Name, q.Type).ConfigureAwait(false)).Status.ToString();
            var warm = Stopwatch.StartNew();
            var (warmCount, _) = await RunAsync(questions, one, concurrency, TimeSpan.FromHours(1), onePass: true).ConfigureAwait(false);
            Console.WriteLine($"warm-up: {warmCount} validated lookups (cold cache) in {warm.Elapsed.TotalSeconds:F1} s");
        }

        var sw = Stopwatch.StartNew();
        var (count, statuses) = await RunAsync(questions, one, concurrency, TimeSpan.FromSeconds(seconds), onePass: false).ConfigureAwait(false);
        var elapsed = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mode={mode} lookups={count} seconds={elapsed:F2} rate={count / elapsed:F0}/s concurrency={concurrency} questions={questions.Length} statuses={string.Join(",", statuses.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + ":" + k.Value))}"));
        return 0;
    }

    private static async Task<(long Count, Dictionary<string, long> Statuses)> RunAsync((string Name, DnsRecordType Type)[] questions, Func<(string, DnsRecordType), Task<string>> one, int concurrency, TimeSpan duration, bool onePass)
    {
        long next = -1;
        long done = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var deadline = Stopwatch.StartNew();
        async Task Worker()
        {
            var local = new Dictionary<string, long>(StringComparer.Ordinal);
            while (deadline.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                if (onePass && i >= questions.Length)
                {
                    break;
                }

                var status = await one(questions[i % questions.Length]).ConfigureAwait(false);
                local[status] = local.GetValueOrDefault(status) + 1;
                Interlocked.Increment(ref done);
            }

            foreach (var (k, v) in local)
            {
                statuses.AddOrUpdate(k, v, (_, o) => o + v);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker))).ConfigureAwait(false);
        return (Interlocked.Read(ref done), new Dictionary<string, long>(statuses, StringComparer.Ordinal));
    }
}
