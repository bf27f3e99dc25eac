using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using MailTls;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.TlsRpt;

// bench/reports: gen DIR N | parse DIR | fill DB N | summary DB
var inv = CultureInfo.InvariantCulture;
switch (args[0])
{
    case "gen":
        {
            var dir = args[1];
            var n = int.Parse(args[2], inv);
            Directory.CreateDirectory(dir);
            Parallel.For(0, n, i => File.WriteAllBytes(Path.Combine(dir, Name(i)), Gzip(Json(i))));
            Console.WriteLine($"generated {n} reports in {dir}");
            break;
        }

    case "parse":
        {
            var files = Directory.GetFiles(args[1]);
            var proc = Process.GetCurrentProcess();
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var ok = 0;
            Parallel.ForEach(files, f =>
            {
                if (TlsRptReportReader.Read(File.ReadAllBytes(f), Path.GetFileName(f)).Report is not null)
                {
                    Interlocked.Increment(ref ok);
                }
            });
            sw.Stop();
            proc.Refresh();
            Console.WriteLine(string.Create(inv, $"raw parse (read file + TlsRptReportReader.Read, all cores): {ok} reports in {sw.Elapsed.TotalSeconds:F2} s = {ok / sw.Elapsed.TotalSeconds:F0} reports/s, {(proc.TotalProcessorTime - cpu0).TotalMicroseconds / files.Length:F0} µs CPU per report"));
            break;
        }

    case "fill":
        {
            var n = int.Parse(args[2], inv);
            await using var store = await ReportDatabase.OpenAsync(args[1]);
            await using var ingestor = new ReportIngestor(store);
            var sw = Stopwatch.StartNew();
            const int chunk = 2048;
            for (var start = 0; start < n; start += chunk)
            {
                var items = new PipelineItem[Math.Min(chunk, n - start)];
                Parallel.For(0, items.Length, k => items[k] = ReportPipeline.DecodePayload(Encoding.UTF8.GetBytes(Json(start + k)), new ReportSource("bench", Name(start + k), FileName: Name(start + k))));
                await ingestor.SubmitAsync(items);
            }

            Console.WriteLine(string.Create(inv, $"filled {n} reports in {sw.Elapsed.TotalSeconds:F1} s"));
            break;
        }

    case "phases":
        {
            // Where the import time goes: read files, decode+normalise on all cores, then store in group commits.
            // Wall rates depend on the machine's load; CPU µs per report (whole process) do much less.
            var files = Directory.GetFiles(args[1]).Order(StringComparer.Ordinal).ToArray();
            var n = files.Length;
            var lines = new List<string>();
            var proc = Process.GetCurrentProcess();
            void Phase(string name, Action action)
            {
                proc.Refresh();
                var cpu0 = proc.TotalProcessorTime;
                var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
                var sw = Stopwatch.StartNew();
                action();
                sw.Stop();
                proc.Refresh();
                var cpu = (proc.TotalProcessorTime - cpu0).TotalMicroseconds / n;
                var alloc = (GC.GetTotalAllocatedBytes(precise: true) - alloc0) / (double)n;
                lines.Add(string.Create(inv, $"  {name,-34} {n / sw.Elapsed.TotalSeconds,8:F0} reports/s wall, {cpu,6:F0} µs CPU per report, {alloc / 1024,6:F1} KiB allocated per report"));
            }

            var raw = new byte[n][];
            Phase("read files", () => Parallel.For(0, n, k => raw[k] = File.ReadAllBytes(files[k])));
            Phase("reader only (2 threads)", () => Parallel.For(0, n, k => _ = TlsRptReportReader.Read(raw[k], files[k])));
            var items = new PipelineItem[n];
            Phase("decode+normalise (2 threads)", () => Parallel.For(0, n, k => items[k] = ReportPipeline.DecodePayload(raw[k], ReportSource.File(files[k]))));
            Phase($"store (1 writer, {Limits.ReportStoreBatchSize}/commit)", () =>
            {
                var store = ReportDatabase.OpenAsync(args[2]).GetAwaiter().GetResult();
                for (var start = 0; start < n; start += Limits.ReportStoreBatchSize)
                {
                    store.StoreAsync(items[start..Math.Min(n, start + Limits.ReportStoreBatchSize)]).GetAwaiter().GetResult();
                }

                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            });
            Console.WriteLine($"phases over {n} files:");
            lines.ForEach(Console.WriteLine);
            break;
        }

    case "store":
        {
            // The writer alone (one thread, the import's serial part): the same decoded reports stored into a fresh
            // database ROUNDS times in transactions of ReportStoreBatchSize; CPU per report of each round.
            var files = Directory.GetFiles(args[1]).Order(StringComparer.Ordinal).ToArray();
            var rounds = args.Length > 3 ? int.Parse(args[3], inv) : 3;
            var items = files.AsParallel().AsOrdered().Select(f => ReportPipeline.DecodePayload(File.ReadAllBytes(f), ReportSource.File(f))).ToArray();
            var proc = Process.GetCurrentProcess();
            for (var r = 0; r < rounds; r++)
            {
                var db = $"{args[2]}.{r}";
                foreach (var f in new[] { db, db + "-wal", db + "-shm" })
                {
                    File.Delete(f);
                }

                await using var store = await ReportDatabase.OpenAsync(db);
                proc.Refresh();
                var cpu0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                for (var start = 0; start < items.Length; start += Limits.ReportStoreBatchSize)
                {
                    await store.StoreAsync(items[start..Math.Min(items.Length, start + Limits.ReportStoreBatchSize)]);
                }

                proc.Refresh();
                Console.WriteLine(string.Create(inv, $"store round {r}: {items.Length} reports, {items.Length / sw.Elapsed.TotalSeconds:F0} reports/s wall, {(proc.TotalProcessorTime - cpu0).TotalMicroseconds / items.Length:F1} µs CPU per report"));
            }

            break;
        }

    case "import":
        {
            // The library import the CLI runs (ReportFileImporter → ReportIngestor → SQLite), with the process's CPU
            // time, allocation and GC counts, to tell where the CPU of an import goes besides the stages.
            var proc = Process.GetCurrentProcess();
            var cpu0 = proc.TotalProcessorTime;
            var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
            var gc0 = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var pause0 = GC.GetTotalPauseDuration();
            var sw = Stopwatch.StartNew();
            await using var store = await ReportDatabase.OpenAsync(args[2]);
            await using var ingestor = new ReportIngestor(store);
            var tally = await ReportFileImporter.ImportAsync(ingestor, [args[1]]);
            sw.Stop();
            proc.Refresh();
            var n = tally.Imported + tally.Duplicates + tally.Rejected;
            Console.WriteLine(string.Create(inv, $"library import: {tally.Imported} imported, {tally.Duplicates} duplicates, {tally.Rejected} rejected in {sw.Elapsed.TotalSeconds:F2} s = {n / sw.Elapsed.TotalSeconds:F0} reports/s; {(proc.TotalProcessorTime - cpu0).TotalMicroseconds / n:F0} µs CPU, {(GC.GetTotalAllocatedBytes(precise: true) - alloc0) / 1024.0 / n:F1} KiB allocated per report; GCs gen0/1/2 {GC.CollectionCount(0) - gc0.Item1}/{GC.CollectionCount(1) - gc0.Item2}/{GC.CollectionCount(2) - gc0.Item3}, pauses {(GC.GetTotalPauseDuration() - pause0).TotalMilliseconds:F0} ms; {ingestor.Commits} commits"));
            break;
        }

    case "summary":
        {
            await using var store = await ReportDatabase.OpenAsync(args[1]);
            var sw = Stopwatch.StartNew();
            var r = await store.SummaryAsync(new SummaryQuery(By: SummaryGrouping.ResultType));
            Console.WriteLine(string.Create(inv, $"summary --by result-type over {r.Reports} reports: {sw.Elapsed.TotalMilliseconds:F0} ms ({r.Rows.Count} rows)"));
            break;
        }
}

static string Name(int i) => i % 3 == 2
    ? $"microsoft.com!d{i % 5000}.example!{Start(i)}!{Start(i) + 86399}!{134000000000000000L + i}.json.gz"
    : $"google.com!d{i % 5000}.example!{Start(i)}!{Start(i) + 86399}!001.json.gz";

static long Start(int i) => 1767225600L + ((i / 5000) % 365 * 86400L);

static string Json(int i)
{
    var domain = $"d{i % 5000}.example";
    var start = DateTimeOffset.FromUnixTimeSeconds(Start(i)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    var failures = i % 7 == 0
        ? $$""","failure-details":[{"result-type":"{{(i % 3 == 0 ? "certificate-expired" : i % 3 == 1 ? "starttls-not-supported" : "certificate-host-mismatch")}}","sending-mta-ip":"209.85.220.{{i % 250}}","receiving-mx-hostname":"mx{{i % 3}}.{{domain}}","receiving-ip":"198.51.100.{{i % 250}}","failed-session-count":{{i % 5 + 1}}}]"""
        : string.Empty;
    var failed = i % 7 == 0 ? i % 5 + 1 : 0;
    if (i % 3 == 2)
    {
        // Microsoft-like: sts + tlsa (TLSA list as one JSON string), no mx-host.
        return $$$"""{"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"{{{start}}}T00:00:00Z","end-datetime":"{{{start}}}T23:59:59Z"},"contact-info":"tlsrpt-noreply@microsoft.com","report-id":"{{{134000000000000000L + i}}}+{{{domain}}}","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx0.{{{domain}}}","mx: mx1.{{{domain}}}","max_age: 604800"],"policy-domain":"{{{domain}}}"},"summary":{"total-successful-session-count":{{{i % 40}}},"total-failure-session-count":{{{failed}}}}{{{failures}}}},{"policy":{"policy-type":"tlsa","policy-string":["[\"3 1 1 0254A4C2B4B1A1D4F3E2C1B0A9F8E7D6C5B4A3928170F6E5D4C3B2A1908F7E6D\"]"],"policy-domain":"{{{domain}}}"},"summary":{"total-successful-session-count":{{{i % 40}}},"total-failure-session-count":0}}]}""";
    }

    return $$$"""{"organization-name":"Google Inc.","date-range":{"start-datetime":"{{{start}}}T00:00:00Z","end-datetime":"{{{start}}}T23:59:59Z"},"contact-info":"smtp-tls-reporting@google.com","report-id":"{{{start}}}T00:00:00Z_{{{domain}}}","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx0.{{{domain}}}","mx: mx1.{{{domain}}}","max_age: 86400"],"policy-domain":"{{{domain}}}","mx-host":["mx0.{{{domain}}}","mx1.{{{domain}}}"]},"summary":{"total-successful-session-count":{{{i % 100 + 1}}},"total-failure-session-count":{{{failed}}}}{{{failures}}}}]}""";
}

static byte[] Gzip(string s)
{
    using var ms = new MemoryStream();
    using (var gz = new GZipStream(ms, CompressionLevel.Optimal))
    {
        gz.Write(Encoding.UTF8.GetBytes(s));
    }

    return ms.ToArray();
}
