using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text.Encodings.Web;
using System.Text.Json;
using MailTls.Dns;
using MailTls.Reports.Storage;
using MailTls.Server.Configuration;
using MailTls.Server.Dashboard;
using MailTls.Server.Endpoints;
using MailTls.Server.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Hosting;

/// <summary>
/// <c>mailtls serve</c>: the policy listeners (one Kestrel server: HTTP/1.1 and HTTP/2, TLS with a certificate per
/// SNI name, strict limits) and the admin listener (a second, separate Kestrel server for /healthz and /metrics, so
/// that operations endpoints are never reachable on the public policy ports), plus the reload and self-check loop.
/// </summary>
public sealed class PolicyHost : IAsyncDisposable
{
    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
    private readonly WebApplication? policyApp;
    private readonly WebApplication? adminApp;
    private readonly ILoggerFactory loggerFactory;
    private WebApplication? dashboardApp;
    private SqlReportStore? dashboardStore;
    private readonly ILogger logger;
    private readonly SemaphoreSlim wake = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly List<FileSystemWatcher> watchers = [];
    private Task? loop;

    private PolicyHost(ServeRuntime runtime, ILoggerFactory loggerFactory)
    {
        Runtime = runtime;
        this.loggerFactory = loggerFactory;
        logger = loggerFactory.CreateLogger("MailTls.Server");
        policyApp = runtime.Settings.Listeners.Count > 0 ? BuildPolicyApp(runtime, loggerFactory) : null;
        adminApp = runtime.Settings.Admin is { } admin ? BuildAdminApp(runtime, admin, loggerFactory) : null;
    }

    public ServeRuntime Runtime { get; }

    /// <summary>Bound addresses of the policy listeners (after start; port 0 becomes the real port).</summary>
    public IReadOnlyList<string> PolicyAddresses => policyApp is null ? [] : Addresses(policyApp);

    /// <summary>Bound addresses of the dashboard (after start), or empty when it is disabled.</summary>
    public IReadOnlyList<string> DashboardAddresses => dashboardApp is null ? [] : Addresses(dashboardApp);

    /// <summary>The dashboard's services (its endpoint data source, for tests), or null when it is disabled or not started.</summary>
    internal IServiceProvider? DashboardServices => dashboardApp?.Services;

    /// <summary>Bound address of the admin listener, or null when disabled.</summary>
    public string? AdminAddress => adminApp is null ? null : Addresses(adminApp) is [var first, ..] ? first : null;

    /// <summary>Creates the host (loads policies and certificates; logs go to <paramref name="loggerFactory"/>).</summary>
    /// <param name="settings">The validated configuration.</param>
    /// <param name="loggerFactory">Where the logs go.</param>
    /// <param name="resolver">DNS for the self-check (default: the configured or system resolvers).</param>
    /// <param name="time">Clock (tests).</param>
    /// <param name="openStore">Opens a TLS-RPT store location (default <c>ReportDatabase.OpenAsync</c>; tests inject failures).</param>
    public static PolicyHost Create(ServeSettings settings, ILoggerFactory loggerFactory, IDnsResolver? resolver = null, TimeProvider? time = null,
        Func<string, CancellationToken, Task<MailTls.Reports.IReportStore>>? openStore = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return new PolicyHost(new ServeRuntime(settings, loggerFactory, resolver, time, openStore), loggerFactory);
    }

    /// <summary>The logger factory of <c>mailtls serve</c>: console, JSON lines (or simple text), Kestrel noise above warning only.</summary>
    public static ILoggerFactory CreateLoggerFactory(ServeLogFormat format) => LoggerFactory.Create(b =>
    {
        b.SetMinimumLevel(LogLevel.Information);
        b.AddFilter("Microsoft", LogLevel.Warning);
        b.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error); // the dashboard's keys are in memory on purpose
        if (format == ServeLogFormat.Json)
        {
            b.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            b.AddSimpleConsole(o => o.SingleLine = true);
        }
    });

    /// <summary>Binds the listeners, starts the reload/self-check loop and runs the first self-check.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (policyApp is not null)
        {
            await policyApp.StartAsync(cancellationToken);
        }

        if (adminApp is not null)
        {
            await adminApp.StartAsync(cancellationToken);
        }

        if (Runtime.Settings.Dashboard is { } dashboard)
        {
            await StartDashboardAsync(dashboard, cancellationToken);
        }

        foreach (var dir in Runtime.WatchedFiles.Select(Path.GetDirectoryName).OfType<string>().Distinct(StringComparer.Ordinal).Where(Directory.Exists))
        {
            var w = new FileSystemWatcher(dir)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            w.Changed += (_, _) => wake.Release();
            w.Created += (_, _) => wake.Release();
            w.Renamed += (_, _) => wake.Release();
            w.Deleted += (_, _) => wake.Release();
            w.EnableRaisingEvents = true;
            watchers.Add(w);
        }

        logger.LogInformation("serving {Domains} domain(s) on {Listeners}; admin on {Admin}; dashboard on {Dashboard}",
            Runtime.Settings.Domains.Count, string.Join(", ", PolicyAddresses), AdminAddress ?? "(disabled)",
            DashboardAddresses.Count == 0 ? "(disabled)" : string.Join(", ", DashboardAddresses));
        if (Runtime.Receiver is { } receiver)
        {
            logger.LogInformation("TLS-RPT receiver on https://{Host}/ for {Tenants} tenant(s): {Paths}", receiver.Settings.Host, receiver.Tenants.Count,
                string.Join(", ", receiver.Tenants.Select(t => $"{t.Settings.Name} {t.Settings.RedactedPath} → {t.Store.Description}")));
            await receiver.OpenStoresAsync(cancellationToken);
        }

        loop = Task.Run(() => LoopAsync(stopping.Token), CancellationToken.None);
    }

    /// <summary>Reloads now (what a file change does after the debounce); true when a served policy changed.</summary>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        var changed = await Runtime.ReloadAsync(cancellationToken);
        if (changed)
        {
            await Runtime.RunSelfCheckAsync(cancellationToken);
        }

        return changed;
    }

    /// <summary>Stops accepting connections and lets requests in flight finish (graceful shutdown).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await stopping.CancelAsync();
        foreach (var w in watchers)
        {
            w.Dispose();
        }

        watchers.Clear();
        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (policyApp is not null)
        {
            await policyApp.StopAsync(cancellationToken);
        }

        if (adminApp is not null)
        {
            await adminApp.StopAsync(cancellationToken);
        }

        if (dashboardApp is not null)
        {
            await dashboardApp.StopAsync(cancellationToken);
        }

        logger.LogInformation("stopped");
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            await StopAsync();
        }

        if (policyApp is not null)
        {
            await policyApp.DisposeAsync();
        }

        if (adminApp is not null)
        {
            await adminApp.DisposeAsync();
        }

        if (dashboardApp is not null)
        {
            await dashboardApp.DisposeAsync();
        }

        if (dashboardStore is not null)
        {
            await dashboardStore.DisposeAsync();
        }

        await Runtime.DisposeAsync();
        stopping.Dispose();
        wake.Dispose();
    }

    // The store is opened (and migrated) before the listener binds, so a page never meets a missing schema; an
    // unreachable database stops the start with an IOException (exit 3), like a port already in use.
    private async Task StartDashboardAsync(DashboardSettings dashboard, CancellationToken cancellationToken)
    {
        try
        {
            dashboardStore = await ReportDatabase.OpenAsync(dashboard.Database, Runtime.Time, cancellationToken);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException or UnauthorizedAccessException)
        {
            throw new IOException($"dashboard database {ReportDatabase.Redact(dashboard.Database)} unavailable: {e.Message}", e);
        }

        dashboardApp = DashboardApp.Build(dashboard, Runtime, dashboardStore, loggerFactory);
        await dashboardApp.StartAsync(cancellationToken);
        if (dashboard.Listen.Any(e => !System.Net.IPAddress.IsLoopback(e.Address)) && dashboard.Tls is null)
        {
            logger.LogWarning("dashboard listens on a non-loopback address without TLS: passwords and tokens travel in clear unless a TLS proxy is in front (dashboard.tls)");
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var nextCheck = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (Runtime.Time.GetUtcNow() >= nextCheck)
                {
                    await Runtime.RunSelfCheckAsync(cancellationToken);
                    nextCheck = Runtime.Time.GetUtcNow() + Runtime.Settings.SelfCheck.Interval;
                }

                var until = nextCheck - Runtime.Time.GetUtcNow();
                var wait = until < Limits.ServeFilePollInterval ? until : Limits.ServeFilePollInterval;
                if (await wake.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken))
                {
                    // A file event: wait for the burst (certbot writes two files) to settle, then drain the signals.
                    await Task.Delay(Limits.ServeReloadDebounce, cancellationToken);
                    while (wake.CurrentCount > 0)
                    {
                        await wake.WaitAsync(cancellationToken);
                    }
                }

                if (await Runtime.ReloadAsync(cancellationToken))
                {
                    nextCheck = DateTimeOffset.MinValue; // a changed policy is checked at once
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the loop must survive anything a reload or a lookup throws; it is logged
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "reload/self-check loop: {Error}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    private static WebApplication BuildPolicyApp(ServeRuntime runtime, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mailtls-serve" });
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            ApplyLimits(k);
            foreach (var l in runtime.Settings.Listeners)
            {
                k.Listen(new IPEndPoint(l.Address, l.Port), lo =>
                {
                    lo.Protocols = l.Tls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    if (l.Tls)
                    {
                        lo.UseHttps(new TlsHandshakeCallbackOptions
                        {
                            HandshakeTimeout = Limits.ServeTlsHandshakeTimeout,
                            OnConnection = context => ValueTask.FromResult(ServerOptions(runtime, context.ClientHelloInfo.ServerName)),
                        });
                    }
                });
            }
        });
        var app = builder.Build();
        app.MapMtaStsPolicy(runtime);
        app.MapTlsRptReceiver(runtime);
        app.MapNotFound();
        return app;
    }

    private static SslServerAuthenticationOptions ServerOptions(ServeRuntime runtime, string? sni)
    {
        var context = runtime.Certificates.Select(sni)
            ?? throw new AuthenticationException(sni is null ? "no SNI: the client did not name a policy host" : $"no certificate for SNI {sni}");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            ApplicationProtocols = Alpn,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
        };
    }

    private static WebApplication BuildAdminApp(ServeRuntime runtime, AdminSettings admin, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mailtls-serve-admin" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            ApplyLimits(k);
            k.Listen(new IPEndPoint(admin.Address, admin.Port), lo => lo.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.UseRouting();
        app.MapHealthz(runtime);
        app.MapMetrics(runtime);
        return app;
    }

    private static void ApplyLimits(KestrelServerOptions k)
    {
        k.AddServerHeader = false;
        k.Limits.MaxRequestHeadersTotalSize = Limits.ServeMaxRequestHeadersBytes;
        k.Limits.MaxRequestLineSize = Limits.ServeMaxRequestLineBytes;
        k.Limits.MaxRequestHeaderCount = Limits.ServeMaxRequestHeaderCount;
        k.Limits.MaxRequestBodySize = Limits.ServeMaxRequestBodyBytes;
        k.Limits.KeepAliveTimeout = Limits.ServeKeepAliveTimeout;
        k.Limits.RequestHeadersTimeout = Limits.ServeRequestHeadersTimeout;
        k.Limits.MaxConcurrentConnections = Limits.ServeMaxConnections;
        k.Limits.MaxConcurrentUpgradedConnections = 0;
        k.Limits.Http2.MaxStreamsPerConnection = Limits.ServeHttp2MaxStreams;
        k.Limits.Http2.MaxRequestHeaderFieldSize = Limits.ServeMaxRequestHeadersBytes;
    }

    private static List<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
