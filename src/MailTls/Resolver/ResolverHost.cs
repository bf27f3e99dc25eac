using System.Net;
using System.Net.Sockets;
using System.Text;
using MailTls.Dns;
using MailTls.Dns.Dnssec;
using MailTls.MtaSts;

namespace MailTls.Resolver;

/// <summary>
/// Wires the daemon from a <see cref="ResolverConfig"/>: DNS stub (no long-lived DNS cache; each miss sees current
/// DNS), <see cref="StsDiscovery"/> over <see cref="DnsLookup.TxtAsync"/>, THE policy fetcher
/// (<see cref="StsPolicyFetcher"/>), the policy store, <see cref="StsPolicyCache"/>, <see cref="DanePrecedence"/>,
/// <see cref="ResolverService"/>, the listeners, the proactive refresher and the optional metrics endpoint.
/// </summary>
public sealed class ResolverHost : IAsyncDisposable
{
    private readonly StsPolicyFetcher fetcher;
    private readonly CancellationTokenSource stop = new();
    private Task? refresher;
    private Socket? metricsListener;
    private Task? metricsLoop;

    public ResolverHost(ResolverConfig config, IReadOnlyList<IPEndPoint> dnsServers, TrustAnchors anchors, StsPolicyFetcherOptions? fetchOptions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(anchors);
        Config = config;
        var clock = time ?? TimeProvider.System;
        var timeout = config.DefaultZone.Timeout;
        var stub = new DnsStubResolver(new DnsStubResolverSettings
        {
            Servers = dnsServers,

            // A sender must not act on data its validating resolver calls bogus: without CD, a bogus answer is SERVFAIL
            // (→ TEMP, or the cached policy), as the peer sees it. The DANE check validates in process anyway.
            CheckingDisabled = false,
            Timeout = timeout < Limits.DnsQueryTimeout ? timeout : Limits.DnsQueryTimeout,
        });
        var lookup = new DnsLookup(stub);
        fetcher = new StsPolicyFetcher(lookup, (fetchOptions ?? new StsPolicyFetcherOptions()) with { Timeout = timeout, Time = clock });
        Store = config.OpenStore();
        Cache = new StsPolicyCache(Store, (d, ct) => DiscoverAsync(lookup, d, ct), fetcher.FetchAsync, clock);
        var dane = new DanePrecedence(stub, anchors, clock);
        Service = new ResolverService(
            new ResolverServiceOptions
            {
                DefaultZone = config.DefaultZone,
                Zones = config.Zones,
                Dane = config.Dane,
                CacheGrace = config.CacheGrace,
                TempOnDnsFailure = config.TempOnDnsFailure,
            },
            Cache,
            dane.CheckAsync,
            clock);
        Server = new SocketmapServer(Service, new SocketmapServerOptions
        {
            IdleTimeout = config.IdleTimeout,
            MaxConnections = config.MaxConnections,
            ShutdownTimeout = config.ShutdownTimeout,
        });
    }

    public ResolverConfig Config { get; }

    public IStsPolicyStore Store { get; }

    public StsPolicyCache Cache { get; }

    public ResolverService Service { get; }

    public SocketmapServer Server { get; }

    /// <summary>MTA-STS discovery for <paramref name="domain"/>: TXT at <c>_mta-sts.DOMAIN</c> through the DNS layer, then <see cref="StsDiscovery.Evaluate"/>.</summary>
    public static async Task<StsDiscoveryResult> DiscoverAsync(DnsLookup lookup, string domain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var txt = await lookup.TxtAsync("_mta-sts." + domain, cancellationToken).ConfigureAwait(false);
        return StsDiscovery.Evaluate(new StsTxtAnswer(txt.Status, [.. txt.Records.Select(r => r.Data.Strings)]));
    }

    /// <summary>Parses a listener: <c>unix:/path</c>, <c>/path</c>, <c>ADDR:PORT</c>, <c>[V6]:PORT</c>.</summary>
    public static EndPoint ParseListen(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            return new UnixDomainSocketEndPoint(text[5..]);
        }

        if (text.StartsWith('/'))
        {
            return new UnixDomainSocketEndPoint(text);
        }

        return IPEndPoint.TryParse(text, out var ep) && text.Contains(':', StringComparison.Ordinal)
            ? ep
            : throw new FormatException($"'{text}' is not ADDR:PORT, [ADDR]:PORT or unix:/path");
    }

    /// <summary>Binds the configured listeners and starts the refresher and metrics endpoint.</summary>
    public void Start(IEnumerable<string>? listenOverride = null)
    {
        var listens = listenOverride?.ToList() ?? [];
        if (listens.Count == 0)
        {
            listens.AddRange(Config.Listen);
            if (Config.Path is { Length: > 0 } p)
            {
                listens.Add("unix:" + p);
            }
            else if (Config.Listen.Count == 0 && Config.Host is { Length: > 0 } h)
            {
                listens.Add(IPAddress.TryParse(h, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{h}]:{Config.Port}" : $"{h}:{Config.Port}");
            }
        }

        foreach (var l in listens)
        {
            switch (ParseListen(l))
            {
                case UnixDomainSocketEndPoint u:
                    Server.ListenUnix(u.ToString(), Config.Mode);
                    break;
                case IPEndPoint ip:
                    Server.ListenTcp(ip);
                    break;
            }
        }

        if (Config.ProactiveRefresh)
        {
            refresher = Task.Run(RefreshLoopAsync);
        }

        if (Config.Metrics is { Length: > 0 } m)
        {
            var ep = (IPEndPoint)ParseListen(m);
            metricsListener = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            metricsListener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            metricsListener.Bind(ep);
            metricsListener.Listen(16);
            metricsLoop = Task.Run(() => MetricsLoopAsync(metricsListener));
        }
    }

    /// <summary>The bound metrics endpoint, if any.</summary>
    public EndPoint? MetricsEndPoint => metricsListener?.LocalEndPoint;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        metricsListener?.Dispose();
        await Server.DisposeAsync().ConfigureAwait(false);
        foreach (var t in new[] { refresher, metricsLoop })
        {
            if (t is not null)
            {
                try
                {
                    await t.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        fetcher.Dispose();
        Store.Dispose();
        stop.Dispose();
    }

    private async Task RefreshLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Cache.RefreshDueAsync(Config.RefreshConcurrency, stop.Token).ConfigureAwait(false);
                await Task.Delay(Config.RefreshInterval, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or System.Data.Common.DbException or TimeoutException)
            {
                await Console.Error.WriteLineAsync("mailtls resolver: proactive refresh failed: " + e.Message).ConfigureAwait(false);
                await Task.Delay(Config.RefreshInterval, stop.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task MetricsLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    var buffer = new byte[4096];
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    deadline.CancelAfter(TimeSpan.FromSeconds(5));
                    await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    var body = Service.Metrics.ToPrometheus(Cache);
                    var response = $"HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                    await client.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                }
            }
        }
    }
}
