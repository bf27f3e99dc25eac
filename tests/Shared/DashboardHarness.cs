using MailTls.Reports.Storage;
using MailTls.Server.Configuration;
using MailTls.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailTls.Tests.Shared;

/// <summary>
/// A real <c>mailtls serve</c> with only its dashboard (no policy listeners), on a Kestrel port of its own, over a
/// SQLite store filled by <see cref="DashboardSeed"/> (plus the TestData samples). The clock of the server is fixed
/// at <see cref="Now"/>, so "the last 30 days" means the same to the pages and to the test's own queries.
/// </summary>
internal sealed class DashboardHarness : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";
    public const string Token = "test-token-0123456789abcdef";

    private DashboardHarness(string dir, SqlReportStore store, PolicyHost host, DateTimeOffset now, int generated)
    {
        Dir = dir;
        Store = store;
        Host = host;
        Now = now;
        Generated = generated;
        var address = host.DashboardAddresses[0];
        var port = new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
        BaseUri = new Uri($"{(address.StartsWith("https", StringComparison.Ordinal) ? "https" : "http")}://127.0.0.1:{port}/");
    }

    public string Dir { get; }

    public string DbPath => Path.Combine(Dir, "reports.db");

    /// <summary>A second handle on the same store, for the test's own queries (the library calls the CLI makes).</summary>
    public SqlReportStore Store { get; }

    public PolicyHost Host { get; }

    public DateTimeOffset Now { get; }

    public int Generated { get; }

    /// <summary>Where to connect (always 127.0.0.1, whatever the configured bind address).</summary>
    public Uri BaseUri { get; }

    /// <param name="listen">The configured bind address; 0.0.0.0 is not loopback, so a login is required.</param>
    /// <param name="auth">Turn on the password and token login (required anyway for a non-loopback bind).</param>
    /// <param name="samples">Also import the real-world samples of tests/MailTls.Tests/TestData/TlsRpt.</param>
    /// <param name="seed">Fill the store (false: an empty store).</param>
    /// <param name="logs">Where the server logs (default: nowhere).</param>
    public static async Task<DashboardHarness> StartAsync(string listen = "127.0.0.1:0", bool auth = false, bool samples = true, bool seed = true, ILoggerFactory? logs = null)
    {
        var dir = Directory.CreateTempSubdirectory("mailtls-dashboard-test-").FullName;
        var now = DateTimeOffset.UtcNow;
        var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "reports.db"));
        var generated = seed ? await DashboardSeed.FillAsync(store, now, samples ? SamplesDirectory() : null) : 0;
        var authYaml = string.Empty;
        if (auth)
        {
            File.WriteAllText(Path.Combine(dir, "token"), Token + "\n");
            authYaml = $"""

                  auth:
                    password_hash: "{MailTls.Server.Dashboard.DashboardPassword.Hash(Password, Limits.DashboardPasswordMinIterations)}"
                    token_file: token
                """;
        }

        var config = $"""
            listeners: []
            admin: {"{"}enabled: false{"}"}
            self_check: {"{"}enabled: false{"}"}
            dashboard:
              listen: "{listen}"
              db: reports.db{authYaml}
            """;
        var loaded = ServeConfigLoader.Load(config, dir);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var host = PolicyHost.Create(loaded.Settings, logs ?? NullLoggerFactory.Instance, time: new FixedTime(now));
        await host.StartAsync();
        return new DashboardHarness(dir, store, host, now, generated);
    }

    public static string SamplesDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "mailtls.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "MailTls.Tests", "TestData", "TlsRpt");
    }

    /// <summary>
    /// An HTTP client for the dashboard that follows no redirect and keeps no cookies: the session cookie is Secure,
    /// which .NET's cookie container (rightly) never sends over plain HTTP, so tests carry cookies by hand.
    /// </summary>
    public HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseUri };

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A clock that stands still: pages and test queries agree on "now".</summary>
    internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
