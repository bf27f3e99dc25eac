using System.Globalization;
using static MailTls.YamlValues;

namespace MailTls.Resolver;

/// <summary>Cache backends (mta-sts-daemon.yml <c>cache.type</c>).</summary>
public enum ResolverCacheType
{
    Sqlite = 0,
    Internal = 1,
    Postgres = 2,
}

/// <summary>
/// The resolver configuration, read from YAML compatible in spirit with postfix-mta-sts-resolver's
/// <c>mta-sts-daemon.yml</c> (notes §4.2): <c>host</c>/<c>port</c> or <c>path</c>/<c>mode</c>, <c>shutdown_timeout</c>,
/// <c>cache_grace</c>, <c>cache.type</c> + <c>options</c>, <c>proactive_policy_fetching</c>, <c>default_zone</c> and
/// <c>zones</c> (<c>strict_testing</c>, <c>timeout</c>, <c>require_sni</c>, <c>tlsrpt</c>), plus mailtls keys
/// (<c>dane</c>, <c>temp_on_dns_failure</c>, <c>listen</c>, <c>dns</c>, <c>idle_timeout</c>, <c>max_connections</c>,
/// <c>metrics</c>). Keys the peer has and mailtls ignores (<c>reuse_port</c>) are accepted; unknown keys are errors.
/// </summary>
public sealed record ResolverConfig
{
    public string? Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 8461;

    public string? Path { get; init; }

    public UnixFileMode? Mode { get; init; }

    /// <summary>Extra listeners (<c>listen: [ "127.0.0.1:8461", "unix:/run/x.sock" ]</c>).</summary>
    public IReadOnlyList<string> Listen { get; init; } = [];

    public TimeSpan ShutdownTimeout { get; init; } = Limits.SocketmapShutdownTimeout;

    public TimeSpan CacheGrace { get; init; } = Limits.ResolverCacheGrace;

    public ResolverCacheType CacheType { get; init; } = ResolverCacheType.Sqlite;

    public string CacheFile { get; init; } = "/var/lib/mailtls/resolver.db";

    /// <summary>The PostgreSQL cache, <c>postgres://user:pass@host:port/db</c> (<c>cache.options.dsn</c>, as the peer).</summary>
    public string? CacheUrl { get; init; }

    /// <summary>
    /// Applies <c>--cache</c>: <c>internal</c>, a <c>postgres://</c> / <c>postgresql://</c> URL, or a SQLite file path.
    /// </summary>
    public ResolverConfig WithCache(string cache)
    {
        ArgumentException.ThrowIfNullOrEmpty(cache);
        return cache == "internal" ? this with { CacheType = ResolverCacheType.Internal }
            : Reports.Storage.ReportDatabase.IsPostgresUrl(cache) ? this with { CacheType = ResolverCacheType.Postgres, CacheUrl = cache }
            : this with { CacheType = ResolverCacheType.Sqlite, CacheFile = cache };
    }

    /// <summary>Opens the configured policy store.</summary>
    public IStsPolicyStore OpenStore() => CacheType switch
    {
        ResolverCacheType.Sqlite => new SqliteStsPolicyStore(CacheFile),
        ResolverCacheType.Postgres => new PostgresStsPolicyStore(CacheUrl ?? throw new InvalidOperationException("cache.options.dsn is required for cache type postgres")),
        _ => new MemoryStsPolicyStore(),
    };

    public bool ProactiveRefresh { get; init; } = true;

    public TimeSpan RefreshInterval { get; init; } = Limits.ResolverRefreshInterval;

    public int RefreshConcurrency { get; init; } = Limits.ResolverRefreshConcurrency;

    public ResolverZone DefaultZone { get; init; } = new();

    public IReadOnlyDictionary<string, ResolverZone> Zones { get; init; } = new Dictionary<string, ResolverZone>(StringComparer.Ordinal);

    public DaneMode Dane { get; init; } = DaneMode.Auto;

    public bool TempOnDnsFailure { get; init; } = true;

    /// <summary>Upstream DNS servers (<c>ADDR[:PORT]</c>); empty = /etc/resolv.conf.</summary>
    public IReadOnlyList<string> DnsServers { get; init; } = [];

    public string? TrustAnchorFile { get; init; }

    public TimeSpan IdleTimeout { get; init; } = Limits.SocketmapIdleTimeout;

    public int MaxConnections { get; init; } = Limits.SocketmapMaxConnections;

    /// <summary>Prometheus metrics endpoint <c>ADDR:PORT</c> (plain HTTP, <c>GET /metrics</c>); null = off.</summary>
    public string? Metrics { get; init; }

    /// <summary>Parses YAML text; errors name the key.</summary>
    public static ResolverConfig Parse(string yaml, out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        errors = list;
        if (!YamlValues.TryLoad(yaml, list, out var root))
        {
            return new ResolverConfig();
        }

        var config = new ResolverConfig();
        if (root is null)
        {
            return config;
        }

        if (root is not Dictionary<object, object> map)
        {
            list.Add("the document must be a mapping");
            return config;
        }

        foreach (var (k, v) in map)
        {
            var key = k.ToString() ?? string.Empty;
            switch (key)
            {
                case "host": config = config with { Host = Str(v) }; break;
                case "port": config = config with { Port = Int(v, key, list, 0, 65535) }; break;
                case "path": config = config with { Path = Str(v) }; break;
                case "mode": config = config with { Mode = FileMode(v, list) }; break;
                case "reuse_port": break;
                case "listen": config = config with { Listen = Strings(v) }; break;
                case "shutdown_timeout": config = config with { ShutdownTimeout = Seconds(v, key, list) }; break;
                case "cache_grace": config = config with { CacheGrace = Seconds(v, key, list) }; break;
                case "idle_timeout": config = config with { IdleTimeout = Seconds(v, key, list) }; break;
                case "max_connections": config = config with { MaxConnections = Int(v, key, list, 1, 1_000_000) }; break;
                case "temp_on_dns_failure": config = config with { TempOnDnsFailure = Bool(v, key, list) }; break;
                case "metrics": config = config with { Metrics = Str(v) }; break;
                case "dane":
                    config = config with
                    {
                        Dane = Str(v) switch
                        {
                            "auto" => DaneMode.Auto,
                            "dane-only" => DaneMode.DaneOnly,
                            "dane" => DaneMode.Dane,
                            "off" or "false" => DaneMode.Off,
                            var s => Error(list, $"dane: '{s}' is not auto, dane-only, dane or off", DaneMode.Auto),
                        },
                    };
                    break;
                case "cache": config = Cache(config, v, list); break;
                case "proactive_policy_fetching": config = Proactive(config, v, list); break;
                case "default_zone": config = config with { DefaultZone = Zone(v, "default_zone", list) }; break;
                case "zones":
                    var zones = new Dictionary<string, ResolverZone>(StringComparer.Ordinal);
                    foreach (var (zk, zv) in Map(v))
                    {
                        zones[zk] = Zone(zv, "zones." + zk, list);
                    }

                    config = config with { Zones = zones };
                    break;
                case "dns":
                    foreach (var (dk, dv) in Map(v))
                    {
                        config = dk switch
                        {
                            "servers" => config with { DnsServers = Strings(dv) },
                            "trust_anchor" => config with { TrustAnchorFile = Str(dv) },
                            _ => Error(list, "dns." + dk + ": unknown key", config),
                        };
                    }

                    break;
                default:
                    list.Add(key + ": unknown key");
                    break;
            }
        }

        return config;
    }

    private static ResolverConfig Cache(ResolverConfig config, object? v, List<string> errors)
    {
        var m = Map(v);
        if (m.TryGetValue("type", out var t))
        {
            config = Str(t) switch
            {
                "sqlite" => config with { CacheType = ResolverCacheType.Sqlite },
                "internal" => config with { CacheType = ResolverCacheType.Internal },
                "postgres" => config with { CacheType = ResolverCacheType.Postgres },
                var s => Error(errors, $"cache.type: '{s}' is not supported (sqlite, postgres or internal)", config),
            };
        }

        if (m.TryGetValue("options", out var o))
        {
            foreach (var (ok, ov) in Map(o))
            {
                config = ok switch
                {
                    "filename" => config with { CacheFile = Str(ov) ?? config.CacheFile },
                    "dsn" or "url" => Reports.Storage.ReportDatabase.IsPostgresUrl(Str(ov) ?? string.Empty)
                        ? config with { CacheUrl = Str(ov) }
                        : Error(errors, "cache.options." + ok + ": not a postgres://user:pass@host:port/db URL", config),
                    "cache_size" or "threads" or "timeout" => config,
                    _ => Error(errors, "cache.options." + ok + ": unknown key", config),
                };
            }
        }

        foreach (var k in m.Keys.Where(k => k is not ("type" or "options")))
        {
            errors.Add("cache." + k + ": unknown key");
        }

        if (config.CacheType == ResolverCacheType.Postgres && config.CacheUrl is null)
        {
            errors.Add("cache.options.dsn: required for cache type postgres (postgres://user:pass@host:port/db)");
        }

        return config;
    }

    private static ResolverConfig Proactive(ResolverConfig config, object? v, List<string> errors)
    {
        foreach (var (k, pv) in Map(v))
        {
            config = k switch
            {
                "enabled" => config with { ProactiveRefresh = Bool(pv, "proactive_policy_fetching.enabled", errors) },
                "interval" => config with { RefreshInterval = Seconds(pv, "proactive_policy_fetching.interval", errors) },
                "concurrency_limit" => config with { RefreshConcurrency = Int(pv, "proactive_policy_fetching.concurrency_limit", errors, 1, 10_000) },
                "grace_ratio" => config,
                _ => Error(errors, "proactive_policy_fetching." + k + ": unknown key", config),
            };
        }

        return config;
    }

    private static ResolverZone Zone(object? v, string name, List<string> errors)
    {
        var zone = new ResolverZone();
        foreach (var (k, zv) in Map(v))
        {
            zone = k switch
            {
                "strict_testing" => zone with { StrictTesting = Bool(zv, name + "." + k, errors) },
                "require_sni" => zone with { RequireSni = Bool(zv, name + "." + k, errors) },
                "tlsrpt" => zone with { TlsRpt = Bool(zv, name + "." + k, errors) },
                "timeout" => zone with { Timeout = Seconds(zv, name + "." + k, errors) },
                _ => Error(errors, name + "." + k + ": unknown key", zone),
            };
        }

        return zone;
    }

    private static bool Bool(object? v, string key, List<string> errors) => Str(v)?.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        var s => Error(errors, $"{key}: '{s}' is not a boolean", false),
    };

    private static int Int(object? v, string key, List<string> errors, int min, int max) =>
        int.TryParse(Str(v), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max
            ? i
            : Error(errors, $"{key}: '{Str(v)}' is not an integer in {min}..{max}", min);

    private static TimeSpan Seconds(object? v, string key, List<string> errors) =>
        double.TryParse(Str(v), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 && d <= 31_557_600
            ? TimeSpan.FromSeconds(d)
            : Error(errors, $"{key}: '{Str(v)}' is not a positive number of seconds", TimeSpan.FromSeconds(1));

    private static UnixFileMode? FileMode(object? v, List<string> errors)
    {
        var s = Str(v) ?? string.Empty;
        try
        {
            // PyYAML reads 0666 as octal (YAML 1.1); a plain decimal integer is the same number written out.
            var value = s.StartsWith('0') || s.StartsWith("0o", StringComparison.Ordinal) ? Convert.ToInt32(s.Replace("0o", string.Empty, StringComparison.Ordinal), 8) : int.Parse(s, CultureInfo.InvariantCulture);
            return (UnixFileMode)value;
        }
        catch (FormatException)
        {
            return Error<UnixFileMode?>(errors, $"mode: '{s}' is not an octal file mode", null);
        }
    }
}
