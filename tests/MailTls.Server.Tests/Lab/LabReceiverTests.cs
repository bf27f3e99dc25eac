using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Server.Tests.Receiver;
using MailTls.Tests.Shared;

namespace MailTls.Server.Tests.Lab;

/// <summary>
/// The TLS-RPT receiver in the lab (tests run inside the namespace, <c>lab/exec</c>): the 500-concurrent-POST
/// contract against the lab's PostgreSQL, and every golden sample POSTed with curl (the namespace trusts the lab CA)
/// to the real <c>mailtls serve</c> process, whose receiver certificate the lab CA issued.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabReceiverTests
{
    private const string RunDir = "/run/mailtls-lab";
    private const string ReceiverHost = "tlsrpt.receiver.lab";

    [Fact]
    public async Task Postgres_five_hundred_concurrent_posts_store_each_report_once() =>
        await ReceiverSupport.ConcurrentPostsAsync(await PgUrlAsync());

    [Fact]
    public async Task Golden_samples_posted_with_curl_to_mailtls_serve_are_stored_exactly_once()
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-lab-receiver-").FullName;
        var (chain, key) = await LabPki.IssueAsync(ReceiverHost);
        await File.WriteAllTextAsync(Path.Combine(dir, "chain.pem"), chain);
        await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), key);
        var bodies = ReceiverSupport.GoldenBodies();
        var tenants = bodies.Select((b, i) => (Body: b, Name: $"t{i}", Path: "/tlsrpt/" + ReceiverSupport.Token(), Db: Path.Combine(dir, $"t{i}.db"), File: Path.Combine(dir, $"body{i}"))).ToList();
        foreach (var t in tenants)
        {
            await File.WriteAllBytesAsync(t.File, t.Body.Bytes);
        }

        var port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "serve.yaml"), $"""
            listeners: [{"{"}address: 127.0.0.1, port: {port}, tls: true{"}"}]
            admin: {"{"}address: 127.0.0.1, port: 0{"}"}
            self_check: {"{"}enabled: false{"}"}
            certificates: [{"{"}host: {ReceiverHost}, cert: chain.pem, key: key.pem{"}"}]
            log_format: simple
            tlsrpt:
              host: {ReceiverHost}
              tenants:
            {string.Join("\n", tenants.Select(t => ReceiverSupport.Tenant(t.Name, t.Path, t.Db)))}
            """);

        using var serve = StartServe(Path.Combine(dir, "serve.yaml"));
        var log = new System.Text.StringBuilder();
        serve.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        serve.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        try
        {
            Assert.True(await ListeningAsync(port), "mailtls serve did not listen: " + log);
            foreach (var round in new[] { "imported", "duplicate" })
            {
                foreach (var t in tenants)
                {
                    var (code, output, err) = await LabProcess.RunAsync("curl", "-sS", "--max-time", "30", "--resolve", $"{ReceiverHost}:{port}:127.0.0.1",
                        "-H", "Content-Type: " + t.Body.MediaType, "--data-binary", "@" + t.File, "-w", "\n%{http_code}", $"https://{ReceiverHost}:{port}{t.Path}");
                    Assert.True(code == 0, $"curl {t.Body.Name}: {err}");
                    var lines = output.TrimEnd().Split('\n');
                    Assert.True(lines[^1] == "200", $"{t.Body.Name}: {output}");
                    Assert.Equal(round, JsonDocument.Parse(lines[0]).RootElement.GetProperty("status").GetString());
                }
            }

            // A stranger's path: the same empty 404 as anything unknown.
            var (_, probe, _) = await LabProcess.RunAsync("curl", "-sS", "--resolve", $"{ReceiverHost}:{port}:127.0.0.1", "-H", "Content-Type: application/tlsrpt+gzip",
                "--data-binary", "@" + tenants[0].File, "-w", "%{http_code}", $"https://{ReceiverHost}:{port}/tlsrpt/{ReceiverSupport.Token()}");
            Assert.Equal("404", probe);
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", serve.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await serve.WaitForExitAsync(grace.Token);
        }

        Assert.True(serve.ExitCode == 0, "serve exit code " + serve.ExitCode + ": " + log);
        foreach (var t in tenants)
        {
            await using var store = await ReportDatabase.OpenAsync(t.Db);
            var summary = await store.SummaryAsync(new SummaryQuery());
            Assert.Equal((1L, t.Body.Expected.Ok, t.Body.Expected.Failed), (summary.Reports, summary.SuccessfulSessions, summary.FailedSessions));
            var stored = Assert.Single(await store.FindAsync(t.Body.Expected.ReportId));
            Assert.Equal(t.Body.Expected.Codes, stored.Deviations.Select(d => d.Code).ToArray());
            Assert.Equal("https", stored.SourceKind);
        }
    }

    private static Process StartServe(string config)
    {
        var config2 = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var cli = Path.Combine(ReceiverSupport.RepoRoot, "src", "MailTls.Cli", "bin", config2, "net10.0", "MailTls.Cli.dll");
        Assert.True(File.Exists(cli), $"{cli} missing: build the solution first");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { cli, "serve", "--config", config })
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start mailtls serve");
    }

    private static Task<string> PgUrlAsync() => LabPostgres.FreshSchemaUrlAsync(ReceiverSupport.RepoRoot, "r");

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task<bool> ListeningAsync(int port)
    {
        for (var i = 0; i < 120; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(250);
            }
        }

        return false;
    }
}
