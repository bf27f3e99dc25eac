using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Smtp;

namespace MailTls.Cli.Tests.Lab;

/// <summary>
/// What the plan lab tests share: the lab's <c>signing: knot</c> zones (lab/scenarios/07-plan.yaml), changed with
/// knsupdate (the peer) and read back with dig at Knot; policy files of the policy host; MX certificates swapped under
/// Postfix; the CLI run in-process with the plan clock (<c>--now</c>) jumping over waits.
/// </summary>
internal static class PlanLab
{
    public static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    private static readonly Lazy<JsonElement> Plan = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Run, "plan.json"))).RootElement.Clone());

    public static string Knot => Plan.Value.GetProperty("tsig").GetProperty("server").GetString()!;

    public static string TsigKeyFile => Plan.Value.GetProperty("tsig").GetProperty("file").GetString()!;

    private static string YKey => File.ReadAllText(Plan.Value.GetProperty("tsig").GetProperty("y").GetString()!).Trim();

    /// <summary>The plan clock's start for a test: the real time, whole seconds.</summary>
    public static DateTimeOffset T0() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string NewDb() => Path.Combine(Path.GetTempPath(), "mailtls-plan-lab-" + Guid.NewGuid().ToString("N") + ".db");

    private static JsonElement PolicyEntry(string domain) =>
        Plan.Value.GetProperty("knot_policy").EnumerateArray().First(p => p.GetProperty("domain").GetString() == domain);

    public static string PolicyFile(string domain) => PolicyEntry(domain).GetProperty("file").GetString()!;

    /// <summary>How --apply finds the policy file: through serve's configuration when serve hosts it, else the file itself.</summary>
    public static string[] PolicyArgs(string domain) =>
        PolicyEntry(domain).GetProperty("server").GetString() == "mailtls"
            ? ["--serve-config", Path.Combine(Run, "mailtls-serve", "serve.yaml")]
            : ["--policy-file", PolicyFile(domain)];

    /// <summary>The options every plan command of a test takes: its database, the plan clock, the lab resolver and key.</summary>
    public static string[] Common(string db, DateTimeOffset now, string domain) =>
    [
        "--db", db, "--now", Iso(now), "--resolver", "127.0.0.53", "--trust-anchor", Path.Combine(Run, "root.key"),
        "--timeout", "5", "--tsig-key", TsigKeyFile, .. (Plan.Value.TryGetProperty("knot_policy", out var kp) && kp.EnumerateArray().Any(p => p.GetProperty("domain").GetString() == domain) ? PolicyArgs(domain) : []),
    ];

    public static async Task<(int Code, JsonElement Json, string Err)> CliAsync(params string[] args)
    {
        var (code, stdout, stderr) = await CliRun.RunAsync([.. args, "--json"]);
        Assert.True(stdout.Length > 0, $"no JSON (exit {code}): {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        return (code, doc.RootElement.Clone(), stderr);
    }

    public static IReadOnlyList<string> Codes(JsonElement json) =>
        [.. json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!)];

    public static int? CurrentStep(JsonElement status) =>
        status.GetProperty("current_step").ValueKind == JsonValueKind.Null ? null : status.GetProperty("current_step").GetInt32();

    public static async Task<(int Code, string Output)> ProcessAsync(string file, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>One dynamic update with knsupdate (the peer) and the lab key.</summary>
    public static async Task NsupdateAsync(string zone, params string[] updates)
    {
        var script = $"server {Knot}\nzone {zone}.\n" + string.Concat(updates.Select(u => "update " + u + "\n")) + "send\n";
        var (code, output) = await ProcessAsync("knsupdate", script, "-t", "10", "-y", YKey);
        Assert.True(code == 0, $"knsupdate failed: {output}\n{script}");
    }

    /// <summary>The RRset as Knot serves it (presentation data, upper-case hex), sorted.</summary>
    public static async Task<IReadOnlyList<string>> DigAsync(string name, string type)
    {
        var (code, output) = await ProcessAsync("dig", null, "+norec", "+short", "+nosplit", "+time=3", $"@{Knot}", type, name);
        Assert.Equal(0, code);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith(';')).Select(l => l.ToUpperInvariant()).Order(StringComparer.Ordinal)];
    }

    /// <summary>Writes a policy file as an operator would (atomically) and waits until the policy host serves it.</summary>
    public static async Task WritePolicyAsync(string domain, string? content)
    {
        var file = PolicyFile(domain);
        if (content is null)
        {
            File.Delete(file);
        }
        else
        {
            var temp = file + ".test-" + Guid.NewGuid().ToString("N")[..6];
            await File.WriteAllTextAsync(temp, content);
            File.Move(temp, file, overwrite: true);
        }

        for (var i = 0; i < 40; i++)
        {
            var (code, body) = await ProcessAsync("curl", null, "-sS", "--fail", "--max-time", "5", $"https://mta-sts.{domain}/.well-known/mta-sts.txt");
            if (content is null ? code != 0 : code == 0 && body.Replace("\r\n", "\n", StringComparison.Ordinal) == content.Replace("\r\n", "\n", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"the policy host of {domain} did not pick up the new policy file");
    }

    public static string PolicyText(string mode, long maxAge, params string[] mx) =>
        $"version: STSv1\r\nmode: {mode}\r\n" + string.Concat(mx.Select(m => $"mx: {m}\r\n")) + $"max_age: {maxAge}\r\n";

    /// <summary>Writes one TLS-RPT report per day (successful sts sessions quoting the policy) and imports them.</summary>
    public static async Task ImportReportsAsync(string db, string domain, IEnumerable<DateOnly> days, string policyType, string mode, long maxAge, params string[] mx)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mailtls-plan-reports-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var n = 0;
        foreach (var day in days)
        {
            var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var policyStrings = new JsonArray();
            if (policyType == "sts")
            {
                foreach (var line in new[] { "version: STSv1", $"mode: {mode}" }.Concat(mx.Select(m => $"mx: {m}")).Append($"max_age: {maxAge}"))
                {
                    policyStrings.Add(line);
                }
            }

            var json = new JsonObject
            {
                ["organization-name"] = "Lab Sender",
                ["date-range"] = new JsonObject { ["start-datetime"] = $"{start:yyyy-MM-dd}T00:00:00Z", ["end-datetime"] = $"{start:yyyy-MM-dd}T23:59:59Z" },
                ["contact-info"] = "tlsrpt@sender.lab",
                ["report-id"] = $"{domain}-{start:yyyyMMdd}-{n}-{Guid.NewGuid():N}",
                ["policies"] = new JsonArray(new JsonObject
                {
                    ["policy"] = new JsonObject
                    {
                        ["policy-type"] = policyType,
                        ["policy-string"] = policyStrings,
                        ["policy-domain"] = domain,
                        ["mx-host"] = new JsonArray([.. mx.Select(m => (JsonNode)m)]),
                    },
                    ["summary"] = new JsonObject { ["total-successful-session-count"] = 250, ["total-failure-session-count"] = 0 },
                }),
            }.ToJsonString();
            await File.WriteAllTextAsync(Path.Combine(dir, $"sender.lab!{domain}!{n++}.json"), json);
        }

        var (code, _, err) = await CliRun.RunAsync("reports", "import", dir, "--db", db);
        Assert.True(code == 0, "reports import: " + err);
    }

    // ---------------------------------------------------------------- MX certificates

    private static string HostAddress(string host) =>
        Plan.Value.GetProperty("mx").EnumerateArray().First(m => m.GetProperty("host").GetString() == host).GetProperty("ip").GetString()!;

    private static string TlsDir(string host) =>
        Plan.Value.GetProperty("domains").EnumerateArray().Select(d => d.GetProperty("hosts")).First(h => h.TryGetProperty(host, out _)).GetProperty(host).GetProperty("tls_dir").GetString()!;

    /// <summary>A certificate for <paramref name="host"/> from the lab intermediate CA with <paramref name="key"/>: full chain PEM and key PEM.</summary>
    public static (string Chain, string Key, X509Certificate2 Leaf) Issue(string host, ECDsa key)
    {
        var pki = Path.Combine(Run, "pki", "keys");
        using var caCert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(pki, "ca-intermediate.crt")));
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(File.ReadAllText(Path.Combine(pki, "ca-intermediate.ecdsa.key")));
        using var issuer = caCert.CopyWithPrivateKey(caKey);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var leaf = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60), RandomNumberGenerator.GetBytes(12));
        var chain = leaf.ExportCertificatePem() + "\n" + caCert.ExportCertificatePem() + "\n";
        return (chain, key.ExportPkcs8PrivateKeyPem(), leaf);
    }

    /// <summary>The key the host's certificate was issued with at lab/up.</summary>
    public static ECDsa OriginalKey(string host)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(Run, "pki", "keys", host + ".ecdsa.key")));
        return key;
    }

    /// <summary>The certificate the host had at lab/up (chain and key), as the operator's current one.</summary>
    public static (string Chain, string Key) Original(string host) =>
        (File.ReadAllText(Path.Combine(Run, "pki", host + ".chain.pem")), File.ReadAllText(Path.Combine(Run, "pki", "keys", host + ".ecdsa.key")));

    /// <summary>Installs a certificate on the host's Postfix listener, reloads Postfix and waits until STARTTLS presents it.</summary>
    public static async Task DeployAsync(string host, string chain, string key)
    {
        var dir = TlsDir(host);
        await File.WriteAllTextAsync(Path.Combine(dir, "privkey.pem"), key);
        await File.WriteAllTextAsync(Path.Combine(dir, "fullchain.pem"), chain);
        var (code, output) = await ProcessAsync("postfix", null, "-c", Path.Combine(Run, "postfix"), "reload");
        Assert.True(code == 0, "postfix reload: " + output);
        using var expected = X509Certificate2.CreateFromPem(chain);
        var prober = new StartTlsProber(new StartTlsProberOptions { ProbeBothKeyTypes = false });
        for (var i = 0; i < 40; i++)
        {
            var probe = await prober.ProbeAsync(host, IPAddress.Parse(HostAddress(host)));
            if (probe.Sessions.Count > 0 && probe.Sessions[0].Chain.Count > 0 && probe.Sessions[0].Chain[0].RawData.AsSpan().SequenceEqual(expected.RawData))
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{host} does not present the deployed certificate");
    }

    public static string Tlsa311(X509Certificate2 certificate) => Dane.TlsaBuilder.FromCertificate(certificate).ToString().ToUpperInvariant();

    public static string Tlsa311(ECDsa key) => Dane.TlsaBuilder.FromPublicKey(key).ToString().ToUpperInvariant();

    public static string Pem(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "mailtls-plan-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, text, Encoding.ASCII);
        return path;
    }

    public static string NextId(JsonElement plan, int step) =>
        plan.GetProperty("steps")[step - 1].GetProperty("gate").EnumerateArray().First(g => g.GetProperty("check").GetString() == "sts-id").GetProperty("value").GetString()!;
}
