namespace MailTls.Server.Configuration;

// Mutable options bound from the YAML/JSON file (snake_case keys). The running server never sees these: the
// loader validates them into the immutable ServeSettings (style habit 8).
#pragma warning disable CA1002, CA2227 // binding targets: lists with setters are what the deserializer fills

/// <summary>The configuration file of <c>mailtls serve</c> (see docs/serve.md).</summary>
public sealed class ServeOptions
{
    public List<ListenerOptions>? Listeners { get; set; }

    public AdminOptions? Admin { get; set; }

    public List<DomainOptions>? Domains { get; set; }

    public List<CertificateOptions>? Certificates { get; set; }

    public string? LineEndings { get; set; }

    public string? CacheControl { get; set; }

    public SelfCheckOptions? SelfCheck { get; set; }

    public string? StateFile { get; set; }

    public string? LogFormat { get; set; }

    public DashboardOptions? Dashboard { get; set; }

    public TlsRptReceiverOptions? Tlsrpt { get; set; }
}

public sealed class ListenerOptions
{
    public string? Address { get; set; }

    public int? Port { get; set; }

    public bool? Tls { get; set; }
}

public sealed class AdminOptions
{
    public bool? Enabled { get; set; }

    public string? Address { get; set; }

    public int? Port { get; set; }
}

public sealed class DomainOptions
{
    public string? Domain { get; set; }

    public string? Mode { get; set; }

    public List<string>? Mx { get; set; }

    public long? MaxAge { get; set; }

    public string? PolicyFile { get; set; }

    public string? LineEndings { get; set; }
}

public sealed class CertificateOptions
{
    public string? Host { get; set; }

    public List<string>? Hosts { get; set; }

    public string? Cert { get; set; }

    public string? Key { get; set; }

    public string? Certbot { get; set; }

    public string? Directory { get; set; }
}

public sealed class SelfCheckOptions
{
    public bool? Enabled { get; set; }

    public List<string>? Resolver { get; set; }

    public double? IntervalSeconds { get; set; }

    public double? TimeoutSeconds { get; set; }
}
/// <summary><c>dashboard:</c> the web view of reports, audits and readiness (docs/dashboard.md).</summary>
public sealed class DashboardOptions
{
    public bool? Enabled { get; set; }

    /// <summary>"ADDR:PORT" or a list of them (a scalar or a sequence in YAML).</summary>
    public object? Listen { get; set; }

    public string? Db { get; set; }

    public DashboardTlsOptions? Tls { get; set; }

    public DashboardAuthOptions? Auth { get; set; }
}

public sealed class DashboardTlsOptions
{
    public string? Cert { get; set; }

    public string? Key { get; set; }
}

public sealed class DashboardAuthOptions
{
    public string? PasswordHash { get; set; }

    public string? TokenFile { get; set; }

    public double? SessionHours { get; set; }
}

/// <summary>The TLS-RPT HTTPS receiver (RFC 8460 §3): one host, one unguessable path per tenant.</summary>
public sealed class TlsRptReceiverOptions
{
    public string? Host { get; set; }

    public string? Db { get; set; }

    public int? RatePerMinute { get; set; }

    public int? Burst { get; set; }

    public List<TlsRptTenantOptions>? Tenants { get; set; }
}

public sealed class TlsRptTenantOptions
{
    public string? Name { get; set; }

    public string? Path { get; set; }

    public string? Db { get; set; }

    public List<string>? Domains { get; set; }

    public int? RatePerMinute { get; set; }

    public int? Burst { get; set; }
}
#pragma warning restore CA1002, CA2227
