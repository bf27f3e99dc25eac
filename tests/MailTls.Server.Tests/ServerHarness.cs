using System.Globalization;
using MailTls.Dns;
using MailTls.Server.Configuration;
using MailTls.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Tests;

/// <summary>
/// A real <c>mailtls serve</c> on 127.0.0.1 random ports (TLS, plain HTTP, admin) with in-test certificates in a
/// temporary certbot-style directory: example.com (inline policy) and example.org (policy file).
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    public const string ComPolicyCrlf = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.com\r\nmax_age: 604800\r\n";
    public const string OrgPolicy = "version: STSv1\nmode: testing\nmx: mail.example.org\nmax_age: 604800\n";

    private ServerHarness(string dir, TestPki pki, FakeDns dns, PolicyHost host, CollectingLoggerProvider logs)
    {
        Dir = dir;
        Pki = pki;
        Dns = dns;
        Host = host;
        Logs = logs;
        foreach (var a in host.PolicyAddresses)
        {
            var port = int.Parse(a[(a.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            if (a.StartsWith("https", StringComparison.Ordinal))
            {
                TlsPort = port;
            }
            else
            {
                HttpPort = port;
            }
        }

        var admin = host.AdminAddress!;
        AdminPort = int.Parse(admin[(admin.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    public string Dir { get; }

    public TestPki Pki { get; }

    public FakeDns Dns { get; }

    public PolicyHost Host { get; }

    public CollectingLoggerProvider Logs { get; }

    public int TlsPort { get; }

    public int HttpPort { get; }

    public int AdminPort { get; }

    public string CertDir => Path.Combine(Dir, "certs");

    public string OrgPolicyFile => Path.Combine(Dir, "policies", "example.org.txt");

    public static string DefaultConfig(string lineEndings = "crlf") => $"""
        listeners:
          - {"{"}address: 127.0.0.1, port: 0, tls: true{"}"}
          - {"{"}address: 127.0.0.1, port: 0, tls: false{"}"}
        admin: {"{"}address: 127.0.0.1, port: 0{"}"}
        line_endings: {lineEndings}
        domains:
          - domain: example.com
            mode: enforce
            mx: [mx1.example.com, "*.mail.example.com"]
            max_age: 604800
          - domain: example.org
            policy_file: policies/example.org.txt
        certificates:
          - directory: certs
        state_file: state/ids.json
        self_check: {"{"}interval_seconds: 3600{"}"}
        """;

    public static async Task<ServerHarness> StartAsync(string? config = null, FakeDns? dns = null, Action<string>? prepare = null,
        TimeProvider? time = null, Func<string, CancellationToken, Task<MailTls.Reports.IReportStore>>? openStore = null,
        IReadOnlyList<string>? certificateHosts = null)
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-serve-test-").FullName;
        var pki = new TestPki();
        Directory.CreateDirectory(Path.Combine(dir, "policies"));
        File.WriteAllText(Path.Combine(dir, "policies", "example.org.txt"), OrgPolicy);
        pki.WriteCertbot(Path.Combine(dir, "certs"), "mta-sts.example.com");
        pki.WriteCertbot(Path.Combine(dir, "certs"), "mta-sts.example.org");
        foreach (var h in certificateHosts ?? [])
        {
            pki.WriteCertbot(Path.Combine(dir, "certs"), h);
        }
        prepare?.Invoke(dir);
        var loaded = ServeConfigLoader.Load(config ?? DefaultConfig(), dir);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        dns ??= DefaultDns();
        var logs = new CollectingLoggerProvider();
        var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var host = PolicyHost.Create(loaded.Settings, factory, dns, time, openStore);
        await host.StartAsync();
        return new ServerHarness(dir, pki, dns, host, logs);
    }

    /// <summary>DNS where both domains publish a record and their MX hosts are covered.</summary>
    public static FakeDns DefaultDns() => new FakeDns()
        .Set("_mta-sts.example.com", DnsRecordType.TXT, "\"v=STSv1; id=20260101\"")
        .Set("example.com", DnsRecordType.MX, "10 mx1.example.com.", "20 a.mail.example.com.")
        .Set("_mta-sts.example.org", DnsRecordType.TXT, "\"v=STSv1; id=1\"")
        .Set("example.org", DnsRecordType.MX, "10 mail.example.org.");

    /// <summary>Waits until <paramref name="condition"/> holds (file watcher + debounce), at most 15 s.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return await condition();
    }

    public async Task<string> AdminGetAsync(string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{AdminPort}{path}"));
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Pki.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps every log line, so tests can see that a failure was logged loudly.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly List<(LogLevel Level, string Message)> lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.lines)
            {
                owner.lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
