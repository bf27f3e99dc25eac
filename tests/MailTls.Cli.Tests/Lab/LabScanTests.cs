using System.Text.Json;
using System.Text.Json.Nodes;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// <c>mailtls scan</c> inside the lab (issue 6 acceptance): over every checked scenario domain of plan.json, each JSON
/// line equals the <c>mailtls check --json</c> object of that domain run on its own (ignoring <c>checked_at</c> and
/// timing fields); and a scan interrupted after some domains and resumed with <c>--resume</c> ends with the same
/// set of results as an uninterrupted scan.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabScanTests
{
    private const string Timeout = "5";

    private static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    private static readonly string[] Common = ["--resolver", "127.0.0.53", "--trust-anchor", Path.Combine(Run, "root.key"), "--timeout", Timeout];

    private static readonly Lazy<IReadOnlyList<string>> Domains = new(() =>
    {
        using var plan = JsonDocument.Parse(File.ReadAllText(Path.Combine(Run, "plan.json")));
        return [.. plan.RootElement.GetProperty("domains").EnumerateArray()
            .Where(d => d.GetProperty("check").GetBoolean())
            .Select(d => d.GetProperty("domain").GetString()!)];
    });

    private static readonly Lazy<Task<(Dictionary<string, string> Lines, JsonNode Summary, string Path)>> Run1 = new(async () =>
    {
        var list = ListFile("# checked scenario domains of plan.json\n\n");
        var output = list + ".jsonl";
        var (code, stdout, err) = await CliRun.RunAsync(["scan", list, "--output", output, "--concurrency", "16", "--json", .. Common]);
        Assert.True(code is 0 or 1, $"exit {code}: {err}");
        return (ReadLines(output), JsonNode.Parse(stdout)!, output);
    });

    private static async Task<Dictionary<string, string>> UninterruptedAsync() => (await Run1.Value).Lines;

    [Fact]
    public async Task Each_mx_address_and_name_is_probed_once_and_each_policy_fetched_once()
    {
        var (lines, summary, path) = await Run1.Value;
        var pairs = new HashSet<string>(StringComparer.Ordinal);
        var fetches = 0;
        foreach (var line in File.ReadAllLines(path))
        {
            var o = JsonNode.Parse(line)!;
            fetches += o["mta_sts"]!["fetch"] is null ? 0 : 1;
            foreach (var mx in o["mx"]!.AsArray())
            {
                foreach (var r in mx!["results"]!.AsArray())
                {
                    if (r!["smtp"] is not null)
                    {
                        pairs.Add(mx["host"]!.GetValue<string>() + " " + r["ip"]!.GetValue<string>());
                    }
                }
            }
        }

        Assert.Equal(Domains.Value.Count, lines.Count);
        Assert.Equal(Domains.Value.Count, summary["domains"]!.GetValue<int>());
        Assert.Equal(pairs.Count, summary["smtp_probes"]!.GetValue<int>());
        Assert.Equal(fetches, summary["policy_fetches"]!.GetValue<int>());
        Assert.Equal(lines.Values.Count(l => JsonNode.Parse(l)!["mta_sts"]!["policy"] is not null), summary["with_mta_sts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Each_scan_line_equals_the_check_of_that_domain()
    {
        var scanned = await UninterruptedAsync();
        Assert.Equal(Domains.Value.Order(StringComparer.Ordinal), scanned.Keys.Order(StringComparer.Ordinal));
        using var slots = new SemaphoreSlim(6);
        var mismatches = await Task.WhenAll(Domains.Value.Select(async d =>
        {
            await slots.WaitAsync();
            try
            {
                var (_, stdout, err) = await CliRun.RunAsync(["check", d, "--json", .. Common]);
                Assert.True(stdout.Length > 0, d + ": " + err);
                var check = Normalize(JsonNode.Parse(stdout)!);
                return check == scanned[d] ? null : $"{d}:\n check: {check}\n scan:  {scanned[d]}";
            }
            finally
            {
                slots.Release();
            }
        }));
        var failures = mismatches.OfType<string>().ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {Domains.Value.Count} differ:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task An_interrupted_scan_resumed_ends_with_the_same_results()
    {
        var full = await UninterruptedAsync();
        var list = ListFile(string.Empty);
        var output = list + ".jsonl";
        const int stopAfter = 5;
        using var cancel = new CancellationTokenSource();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var first = CliApp.RunAsync(["scan", list, "--output", output, "--concurrency", "2", .. Common], stdout, stderr, color: false, cancel.Token);
        while (!first.IsCompleted && (!File.Exists(output) || CountLines(output) < stopAfter))
        {
            await Task.Delay(20);
        }

        await cancel.CancelAsync();
        var code = await first;
        var partial = ReadLines(output);
        Assert.True(code == 3, $"an interrupted scan exits 3, got {code}: {stderr}");
        Assert.InRange(partial.Count, stopAfter, Domains.Value.Count - 1);

        // A crash mid-write leaves a partial line: --resume must drop it and redo that domain.
        File.AppendAllText(output, "{\"domain\":\"" + Domains.Value[^1] + "\",\"findi");

        var (code2, _, err2) = await CliRun.RunAsync(["scan", list, "--output", output, "--resume", "--concurrency", "4", .. Common]);
        Assert.True(code2 is 0 or 1, $"exit {code2}: {err2}");
        Assert.Contains("dropped a partial last line", err2, StringComparison.Ordinal);
        var resumed = ReadLines(output);
        Assert.Equal(full.Keys.Order(StringComparer.Ordinal), resumed.Keys.Order(StringComparer.Ordinal));
        foreach (var (domain, json) in full)
        {
            Assert.True(json == resumed[domain], $"{domain}:\n full:    {json}\n resumed: {resumed[domain]}");
        }

        // Every domain appears once: the resumed run skipped what the first one wrote.
        Assert.Equal(Domains.Value.Count, File.ReadAllLines(output).Length);
    }

    private static string ListFile(string header)
    {
        var path = Path.Combine(Path.GetTempPath(), "mailtls-scan-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(path, header + string.Join("\n", Domains.Value) + "\n");
        return path;
    }

    private static int CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            count += b == '\n' ? 1 : 0;
        }

        return count;
    }

    private static Dictionary<string, string> ReadLines(string path)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0))
        {
            var node = JsonNode.Parse(line)!;
            var domain = node["domain"]!.GetValue<string>();
            Assert.True(map.TryAdd(domain, Normalize(node)), "domain twice in the output: " + domain);
        }

        return map;
    }

    /// <summary>The object without <c>checked_at</c>, <c>elapsed_seconds</c> (at any depth) and a finding's measured <c>evidence.elapsed</c>, as compact JSON.</summary>
    private static string Normalize(JsonNode node)
    {
        Strip(node);
        return node.ToJsonString();
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("checked_at");
                o.Remove("elapsed_seconds");
                if (o["evidence"] is JsonObject evidence)
                {
                    evidence.Remove("elapsed"); // a probe's measured duration ("5.0 s")
                }

                foreach (var (_, v) in o.ToList())
                {
                    Strip(v);
                }

                break;
            case JsonArray a:
                foreach (var v in a)
                {
                    Strip(v);
                }

                break;
        }
    }
}
