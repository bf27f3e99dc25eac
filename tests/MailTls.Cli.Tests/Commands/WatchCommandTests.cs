using System.Net;
using System.Net.Sockets;

namespace MailTls.Cli.Tests.Commands;

/// <summary><c>mailtls watch</c> without the lab: configuration errors, exit 3 when the resolver does not answer, <c>watch alerts</c>.</summary>
public sealed class WatchCommandTests
{
    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mailtls-watch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static int ClosedUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    [Theory]
    [InlineData("domains: [example.com]\nsinks: [{type: webhook}]", "sinks[0].url: required")]
    [InlineData("domains: [example.com]\nthreshold: {mx_cert_days: 3}", "threshold: unknown key")]
    [InlineData("domains: [example.com]\nsinks: [{type: webhook, url: 'https://h.example/', secret_file: /nonexistent/secret}]", "sink webhook: secret_file")]
    [InlineData("domains: [example.com]\nsinks: [{type: email, relay: 'smtp.example', from: a@example.com, to: b@example.com, username: u, password_env: MAILTLS_TEST_UNSET_PW}]", "password_env: $MAILTLS_TEST_UNSET_PW is not set")]
    public async Task Configuration_errors_are_usage_errors(string yaml, string message)
    {
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var (code, _, err) = await CliRun.RunAsync("watch", "--config", config, "--once", "--db", Path.Combine(dir, "w.db"));
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_now_is_a_usage_error()
    {
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        await File.WriteAllTextAsync(config, "domains: [example.com]");
        var (code, _, err) = await CliRun.RunAsync("watch", "--config", config, "--once", "--now", "next tuesday", "--db", Path.Combine(dir, "w.db"));
        Assert.Equal((2, true), (code, err.Contains("--now: 'next tuesday' is not an ISO 8601 time", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_resolver_that_does_not_answer_makes_the_pass_incomplete_and_stores_the_audit()
    {
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        var db = Path.Combine(dir, "w.db");
        await File.WriteAllTextAsync(config, $"domains: [example.com]\ncheck: {{resolver: ['127.0.0.1:{ClosedUdpPort()}'], timeout: 1}}\n");
        var (code, json) = await CliRun.JsonAsync("watch", "--config", config, "--once", "--db", db, "--now", "2026-04-01T10:00:00Z");
        Assert.Equal(3, code);
        Assert.False(json.GetProperty("completed").GetBoolean());
        var d = Assert.Single(json.GetProperty("domains").EnumerateArray().ToList());
        Assert.Equal(("example.com", false), (d.GetProperty("domain").GetString(), d.GetProperty("completed").GetBoolean()));
        Assert.Contains("did not answer", d.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("2026-04-01T10:00:", json.GetProperty("started_at").GetString(), StringComparison.Ordinal);
        Assert.Empty(json.GetProperty("opened").EnumerateArray());

        await using var store = await MailTls.Reports.Storage.ReportDatabase.OpenAsync(db);
        var audit = Assert.Single(await store.AuditHistoryAsync("example.com", 5));
        Assert.Equal(d.GetProperty("audit_id").GetInt64(), audit.Id);
        Assert.False(audit.Completed);
        Assert.Contains("\"incomplete_reason\"", audit.CheckJson, StringComparison.Ordinal);

        var (alertsCode, alerts) = await CliRun.JsonAsync("watch", "alerts", "--config", config, "--db", db);
        Assert.Equal((0, 0), (alertsCode, alerts.GetArrayLength()));
    }

    /// <summary>A writer that reports each line written (the daemon prints one JSON line per pass).</summary>
    private sealed class LineWriter : StringWriter
    {
        private readonly System.Threading.Channels.Channel<string> lines = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public System.Threading.Channels.ChannelReader<string> Lines => lines.Reader;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            lines.Writer.TryWrite(value ?? string.Empty);
        }
    }

    [Fact]
    public async Task The_daemon_runs_a_pass_then_waits_and_stops_cleanly_on_cancellation()
    {
        var dir = TempDir();
        var config = Path.Combine(dir, "watch.yaml");
        var db = Path.Combine(dir, "w.db");
        await File.WriteAllTextAsync(config, $"domains: [example.com, example.net]\ninterval: 1h\ncheck: {{resolver: ['127.0.0.1:{ClosedUdpPort()}'], timeout: 1}}\n");
        using var output = new LineWriter();
        using var error = new StringWriter();
        using var stop = new CancellationTokenSource();
        var run = CliApp.RunAsync(["watch", "--config", config, "--db", db, "--json"], output, error, color: false, stop.Token);
        using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var line = await output.Lines.ReadAsync(wait.Token);
        var pass = System.Text.Json.JsonDocument.Parse(line).RootElement;
        Assert.Equal(["example.com", "example.net"], pass.GetProperty("domains").EnumerateArray().Select(d => d.GetProperty("domain").GetString()!).ToArray());
        Assert.False(pass.GetProperty("completed").GetBoolean());
        Assert.False(run.IsCompleted);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.False(output.Lines.TryRead(out _));
        Assert.Contains("mailtls watch: 2 domain(s) every 1 hour", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("mailtls watch: stopped", error.ToString(), StringComparison.Ordinal);
        await using var store = await MailTls.Reports.Storage.ReportDatabase.OpenAsync(db);
        Assert.Equal(2, (await store.LatestAuditsAsync()).Count);
    }
}
