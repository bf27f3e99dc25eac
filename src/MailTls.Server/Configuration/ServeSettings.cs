using System.Net;
using MailTls.MtaSts;

namespace MailTls.Server.Configuration;

/// <summary>The validated, immutable configuration the running server uses.</summary>
public sealed record ServeSettings
{
    public required IReadOnlyList<ListenerSettings> Listeners { get; init; }

    /// <summary>The admin listener for /healthz and /metrics (plain HTTP, loopback by default); null = disabled.</summary>
    public AdminSettings? Admin { get; init; }

    public required IReadOnlyList<DomainSettings> Domains { get; init; }

    public required IReadOnlyList<CertificateSource> Certificates { get; init; }

    public string CacheControl { get; init; } = "max-age=" + Limits.ServePolicyCacheMaxAgeSeconds;

    public required SelfCheckSettings SelfCheck { get; init; }

    /// <summary>The state file of the id check (content hash ↔ id); null = kept in memory only.</summary>
    public string? StateFile { get; init; }

    public ServeLogFormat LogFormat { get; init; } = ServeLogFormat.Json;

    /// <summary>The dashboard (docs/dashboard.md); null = disabled.</summary>
    public DashboardSettings? Dashboard { get; init; }

    /// <summary>The TLS-RPT HTTPS receiver, or null when not configured.</summary>
    public ReceiverSettings? Receiver { get; init; }

    /// <summary>Every host name the TLS listeners serve: the policy hosts and the receiver host.</summary>
    public IEnumerable<string> Hosts => Domains.Select(d => d.PolicyHost).Concat(Receiver is { } r ? [r.Host] : []).Distinct(StringComparer.Ordinal);
}

/// <summary>
/// The dashboard listener(s), its report store and its login. A login is required when any listen address is not
/// loopback (the configuration must then give a password hash or a token file) and whenever one is configured.
/// </summary>
public sealed record DashboardSettings(
    IReadOnlyList<IPEndPoint> Listen,
    string Database,
    CertificateSource? Tls,
    DashboardAuthSettings Auth)
{
    public bool AuthRequired => Auth.Configured || !EveryAddressLoopback(Listen);

    /// <summary>True when every address is a loopback address (127.0.0.0/8, ::1); 0.0.0.0 and :: are not.</summary>
    public static bool EveryAddressLoopback(IEnumerable<IPEndPoint> listen) => listen.All(e => IPAddress.IsLoopback(e.Address));
}

/// <summary>The dashboard's credentials: a PBKDF2 password hash and/or the SHA-256 of a bearer token read from a file.</summary>
public sealed record DashboardAuthSettings(string? PasswordHash, string? TokenFile, byte[]? TokenSha256, TimeSpan SessionLifetime)
{
    public bool Configured => PasswordHash is not null || TokenSha256 is not null;
}

/// <summary>The TLS-RPT HTTPS receiver: reports are POSTed to <c>https://Host/&lt;tenant path&gt;</c> (RFC 8460 §3).</summary>
public sealed record ReceiverSettings(string Host, IReadOnlyList<TenantSettings> Tenants);

/// <summary>
/// One receiving tenant: its secret path (the only thing that tells senders' posts apart from anyone else's:
/// HTTPS reports are unauthenticated), its store (SQLite path or postgres:// URL), the policy domains it accepts
/// (null = any) and its rate limit.
/// </summary>
public sealed record TenantSettings(string Name, string Path, string Store, IReadOnlySet<string>? Domains, int RatePerMinute, int Burst)
{
    /// <summary>The path with its secret part hidden, for logs and health output.</summary>
    public string RedactedPath => Path.Length <= 12 ? "/…" : Path[..Math.Min(Path.Length - 8, Path.LastIndexOf('/') + 5)] + "…";
}

public sealed record ListenerSettings(IPAddress Address, int Port, bool Tls)
{
    public override string ToString() => $"{(Tls ? "https" : "http")}://{(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}";
}

public sealed record AdminSettings(IPAddress Address, int Port);

/// <summary>One served domain: the policy host is <c>mta-sts.&lt;Domain&gt;</c> (RFC 8461 §3.3).</summary>
public sealed record DomainSettings(string Domain, PolicySource Policy, StsLineEnding LineEnding)
{
    public string PolicyHost => "mta-sts." + Domain;
}

/// <summary>Where a domain's policy comes from.</summary>
public abstract record PolicySource
{
    /// <summary>Formatted by <see cref="StsPolicyFormatter"/> in canonical form.</summary>
    public sealed record Inline(StsMode Mode, IReadOnlyList<MxPattern> Mx, long MaxAge) : PolicySource;

    /// <summary>Served verbatim after linting; an invalid file is not served.</summary>
    public sealed record File(string Path) : PolicySource;
}

/// <summary>A PEM chain + key that serves <see cref="Hosts"/>.</summary>
public sealed record CertificateSource(IReadOnlyList<string> Hosts, string CertPath, string KeyPath);

public sealed record SelfCheckSettings(bool Enabled, IReadOnlyList<IPEndPoint> Resolvers, TimeSpan Interval, TimeSpan Timeout);

public enum ServeLogFormat
{
    Json = 0,
    Simple = 1,
}
