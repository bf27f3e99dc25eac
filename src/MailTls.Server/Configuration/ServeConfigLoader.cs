using System.Globalization;
using System.Net;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.Reports.Storage;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MailTls.Server.Configuration;

/// <summary>Outcome of loading a configuration: the settings when valid, else every problem with its key path.</summary>
public sealed record ServeConfigResult(ServeSettings? Settings, IReadOnlyList<string> Errors)
{
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Settings))]
    public bool IsValid => Settings is not null;
}

/// <summary>
/// Reads the YAML (or JSON, a YAML subset) configuration of <c>mailtls serve</c>, binds it to
/// <see cref="ServeOptions"/> (unknown keys are errors: a typo must not silently change what is served) and
/// validates it into <see cref="ServeSettings"/>. Relative paths are relative to the configuration file.
/// </summary>
public static partial class ServeConfigLoader
{
    public const int DefaultAdminPort = 9461;

    public static async Task<ServeConfigResult> LoadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return Fail($"{path}: no such file");
            }

            if (info.Length > Limits.ServeConfigMaxBytes)
            {
                return Fail($"{path}: larger than {Limits.ServeConfigMaxBytes} bytes");
            }

            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            return Fail($"{path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail($"{path}: {e.Message}");
        }

        return Load(text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    /// <summary>Parses and validates <paramref name="text"/>; <paramref name="baseDirectory"/> anchors relative paths.</summary>
    public static ServeConfigResult Load(string text, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(text);
        ServeOptions? options;
        try
        {
            var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
            options = deserializer.Deserialize<ServeOptions?>(text);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is { } i ? ": " + i.Message : string.Empty;
            return Fail($"line {e.Start.Line}, column {e.Start.Column}: {e.Message}{inner}");
        }

        return options is null ? Fail("the configuration is empty") : Validate(options, baseDirectory);
    }

    public static ServeConfigResult Validate(ServeOptions options, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        string Full(string p) => Path.GetFullPath(p, baseDirectory);

        var defaultEnding = ParseLineEnding(options.LineEndings, "line_endings", errors) ?? StsLineEnding.CrLf;

        // A dashboard-only server may have no policy listeners and no domains (an explicit empty list).
        var dashboard = DashboardConfig.Validate(options.Dashboard, baseDirectory, Environment.GetEnvironmentVariable, errors);
        var listeners = new List<ListenerSettings>();
        var listenerOptions = options.Listeners ?? [new ListenerOptions()];
        for (var i = 0; i < listenerOptions.Count; i++)
        {
            var l = listenerOptions[i];
            var key = $"listeners[{i}]";
            var tls = l.Tls ?? true;
            var address = ParseAddress(l.Address ?? "::", key + ".address", errors);
            var port = l.Port ?? (tls ? 443 : 80);
            if (port is < 0 or > 65535)
            {
                errors.Add($"{key}.port: {port} is not a port (0..65535; 0 = any free port)");
            }

            if (address is not null)
            {
                listeners.Add(new ListenerSettings(address, port, tls));
            }
        }

        if (listenerOptions.Count == 0 && dashboard is null)
        {
            errors.Add("listeners: at least one listener is needed");
        }

        AdminSettings? admin = null;
        if (options.Admin?.Enabled ?? true)
        {
            var a = ParseAddress(options.Admin?.Address ?? "127.0.0.1", "admin.address", errors);
            var port = options.Admin?.Port ?? DefaultAdminPort;
            if (port is < 0 or > 65535)
            {
                errors.Add($"admin.port: {port} is not a port");
            }

            admin = a is null ? null : new AdminSettings(a, port);
        }

        var domains = new List<DomainSettings>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var domainOptions = options.Domains ?? [];
        if (domainOptions.Count == 0 && dashboard is null && options.Tlsrpt is null)
        {
            errors.Add("domains: at least one domain is needed (or a tlsrpt receiver, or the dashboard)");
        }

        for (var i = 0; i < domainOptions.Count; i++)
        {
            var d = domainOptions[i];
            var key = $"domains[{i}]";
            var name = DnsName.TryNormalize(d.Domain);
            if (name is null || !name.Contains('.', StringComparison.Ordinal))
            {
                errors.Add($"{key}.domain: \"{d.Domain}\" is not a domain name");
                continue;
            }

            if (name.StartsWith("mta-sts.", StringComparison.Ordinal))
            {
                errors.Add($"{key}.domain: give the mail domain ({name[8..]}), not its policy host ({name})");
            }

            if (!seen.Add(name))
            {
                errors.Add($"{key}.domain: {name} is listed twice");
            }

            var ending = ParseLineEnding(d.LineEndings, key + ".line_endings", errors) ?? defaultEnding;
            var inline = d.Mode is not null || d.Mx is not null || d.MaxAge is not null;
            if (d.PolicyFile is not null && inline)
            {
                errors.Add($"{key}: give either policy_file or mode/mx/max_age, not both");
                continue;
            }

            if (d.PolicyFile is not null)
            {
                domains.Add(new DomainSettings(name, new PolicySource.File(Full(d.PolicyFile)), ending));
                continue;
            }

            if (!StsModeNames.TryParse(d.Mode, out var mode))
            {
                errors.Add($"{key}.mode: \"{d.Mode}\" is not one of testing, enforce, none");
                continue;
            }

            var mx = new List<MxPattern>();
            foreach (var (m, j) in (d.Mx ?? []).Select((m, j) => (m, j)))
            {
                if (MxPattern.TryParse(m, out var p, out var err))
                {
                    mx.Add(p);
                }
                else
                {
                    errors.Add($"{key}.mx[{j}]: {err}");
                }
            }

            if (mx.Count == 0 && mode != StsMode.None)
            {
                errors.Add($"{key}.mx: at least one mx pattern is needed unless mode is none");
            }

            var maxAge = d.MaxAge ?? Limits.StsMaxAgeRecommended;
            if (maxAge is < 0 or > Limits.StsMaxAgeMax)
            {
                errors.Add($"{key}.max_age: {maxAge} is outside 0..{Limits.StsMaxAgeMax}");
            }

            domains.Add(new DomainSettings(name, new PolicySource.Inline(mode, mx, maxAge), ending));
        }

        var receiver = options.Tlsrpt is null ? null : ValidateReceiver(options.Tlsrpt, Full, errors);
        if (receiver is not null && !listeners.Any(l => l.Tls))
        {
            errors.Add("tlsrpt: the receiver answers over HTTPS only (RFC 8460 §3 rua=https:…): add a listener with tls: true");
        }

        var hosts = domains.Select(d => d.PolicyHost).ToHashSet(StringComparer.Ordinal);
        if (receiver is not null)
        {
            hosts.Add(receiver.Host);
        }
        var certificates = new List<CertificateSource>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        var directories = new List<string>();
        var certOptions = options.Certificates ?? [];
        for (var i = 0; i < certOptions.Count; i++)
        {
            var c = certOptions[i];
            var key = $"certificates[{i}]";
            if (c.Directory is not null)
            {
                if (c.Host is not null || c.Hosts is not null || c.Cert is not null || c.Key is not null || c.Certbot is not null)
                {
                    errors.Add($"{key}: directory stands alone (it serves every policy host found in it)");
                }

                directories.Add(Full(c.Directory));
                continue;
            }

            var names = new List<string>();
            foreach (var h in (c.Hosts ?? []).Append(c.Host).OfType<string>())
            {
                var n = DnsName.TryNormalize(h);
                if (n is null || !hosts.Contains(n))
                {
                    errors.Add($"{key}: host \"{h}\" is not the policy host of a configured domain (mta-sts.<domain>) nor the tlsrpt host");
                }
                else if (!covered.Add(n))
                {
                    errors.Add($"{key}: host {n} already has a certificate");
                }
                else
                {
                    names.Add(n);
                }
            }

            if (names.Count == 0 && c.Host is null && c.Hosts is null)
            {
                errors.Add($"{key}: give host (or hosts) with cert and key, or certbot, or directory");
            }

            if (c.Certbot is not null && (c.Cert is not null || c.Key is not null))
            {
                errors.Add($"{key}: give either certbot or cert/key, not both");
            }
            else if (c.Certbot is not null)
            {
                certificates.Add(new CertificateSource(names, Full(Path.Combine(c.Certbot, "fullchain.pem")), Full(Path.Combine(c.Certbot, "privkey.pem"))));
            }
            else if (c.Cert is null || c.Key is null)
            {
                errors.Add($"{key}: cert and key are both needed");
            }
            else
            {
                certificates.Add(new CertificateSource(names, Full(c.Cert), Full(c.Key)));
            }
        }

        // A directory serves every host without an explicit entry: certbot's <dir>/<host>/fullchain.pem + privkey.pem,
        // or a plain <dir>/<host>.crt + <dir>/<host>.key pair. The layout found on disk now wins; certbot's by default.
        foreach (var host in hosts.Where(h => !covered.Contains(h)).Order(StringComparer.Ordinal))
        {
            foreach (var dir in directories)
            {
                var certbot = Path.Combine(dir, host);
                var plainCert = Path.Combine(dir, host + ".crt");
                if (Directory.Exists(certbot) || (!File.Exists(plainCert) && dir == directories[^1]))
                {
                    certificates.Add(new CertificateSource([host], Path.Combine(certbot, "fullchain.pem"), Path.Combine(certbot, "privkey.pem")));
                    covered.Add(host);
                    break;
                }

                if (File.Exists(plainCert))
                {
                    certificates.Add(new CertificateSource([host], plainCert, Path.Combine(dir, host + ".key")));
                    covered.Add(host);
                    break;
                }
            }
        }

        var sc = options.SelfCheck;
        var resolvers = new List<IPEndPoint>();
        foreach (var r in sc?.Resolver ?? [])
        {
            if (DnsServerAddress.TryParse(r) is { } ep)
            {
                resolvers.Add(ep);
            }
            else
            {
                errors.Add($"self_check.resolver: \"{r}\" is not ADDR[:PORT]");
            }
        }

        var interval = sc?.IntervalSeconds ?? Limits.ServeSelfCheckInterval.TotalSeconds;
        if (interval is < 10 or > 7 * 86400)
        {
            errors.Add($"self_check.interval_seconds: {interval.ToString(CultureInfo.InvariantCulture)} is outside 10..604800");
        }

        var timeout = sc?.TimeoutSeconds ?? Limits.DnsQueryTimeout.TotalSeconds;
        if (timeout is <= 0 or > 60)
        {
            errors.Add($"self_check.timeout_seconds: {timeout.ToString(CultureInfo.InvariantCulture)} is outside 0..60");
        }

        var logFormat = ServeLogFormat.Json;
        if (options.LogFormat is not null && !Enum.TryParse(options.LogFormat, ignoreCase: true, out logFormat))
        {
            errors.Add($"log_format: \"{options.LogFormat}\" is not json or simple");
        }

        var cacheControl = options.CacheControl ?? "max-age=" + Limits.ServePolicyCacheMaxAgeSeconds;
        if (cacheControl.Any(ch => ch < ' ' || ch > '~'))
        {
            errors.Add("cache_control: printable ASCII only");
        }

        if (errors.Count > 0)
        {
            return new ServeConfigResult(null, errors);
        }

        return new ServeConfigResult(new ServeSettings
        {
            Listeners = listeners,
            Admin = admin,
            Domains = domains,
            Certificates = certificates,
            CacheControl = cacheControl,
            SelfCheck = new SelfCheckSettings(sc?.Enabled ?? true, resolvers, TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(timeout)),
            StateFile = options.StateFile is null ? null : Full(options.StateFile),
            LogFormat = logFormat,
            Dashboard = dashboard,
            Receiver = receiver,
        }, []);
    }

    private static ServeConfigResult Fail(string error) => new(null, [error]);

    /// <summary>
    /// The receiver block: a host name, and tenants each with a unique name, a unique unguessable path (a segment of
    /// at least <see cref="Limits.ReportReceiverPathTokenMinChars"/> URL-safe characters, e.g. <c>openssl rand -hex 20</c>),
    /// a store (the block's <c>db</c>, else the default of design §4) and optional accepted domains and rate.
    /// </summary>
    private static ReceiverSettings? ValidateReceiver(TlsRptReceiverOptions options, Func<string, string> full, List<string> errors)
    {
        var host = DnsName.TryNormalize(options.Host);
        if (host is null || !host.Contains('.', StringComparison.Ordinal))
        {
            errors.Add($"tlsrpt.host: \"{options.Host}\" is not a host name (the name in the rua=https://HOST/PATH of the TLS-RPT record)");
        }

        string Store(string? db) => db is null ? ReportDatabase.DefaultLocation()
            : ReportDatabase.IsPostgresUrl(db) ? db : full(db);

        var defaultStore = Store(options.Db);
        var rate = options.RatePerMinute ?? Limits.ReportTenantRatePerMinute;
        var burst = options.Burst ?? Limits.ReportTenantBurst;
        CheckRate("tlsrpt", rate, burst, errors);
        var tenants = new List<TenantSettings>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var tenantOptions = options.Tenants ?? [];
        if (tenantOptions.Count == 0)
        {
            errors.Add("tlsrpt.tenants: at least one tenant (name and path) is needed");
        }

        for (var i = 0; i < tenantOptions.Count; i++)
        {
            var t = tenantOptions[i];
            var key = $"tlsrpt.tenants[{i}]";
            if (t.Name is null || !TenantNameRegex().IsMatch(t.Name))
            {
                errors.Add($"{key}.name: \"{t.Name}\" is not a tenant name (lower-case letters, digits, '.', '_', '-'; up to 63)");
            }
            else if (!names.Add(t.Name))
            {
                errors.Add($"{key}.name: {t.Name} is listed twice");
            }

            if (PathProblem(t.Path) is { } problem)
            {
                errors.Add($"{key}.path: {problem}");
            }
            else if (!paths.Add(t.Path!))
            {
                errors.Add($"{key}.path: the path of another tenant");
            }

            var domains = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (d, j) in (t.Domains ?? []).Select((d, j) => (d, j)))
            {
                if (DnsName.TryNormalize(d) is { } n && n.Contains('.', StringComparison.Ordinal))
                {
                    domains.Add(n);
                }
                else
                {
                    errors.Add($"{key}.domains[{j}]: \"{d}\" is not a domain name");
                }
            }

            var tRate = t.RatePerMinute ?? rate;
            var tBurst = t.Burst ?? burst;
            CheckRate(key, tRate, tBurst, errors);
            if (t.Name is not null && t.Path is not null)
            {
                tenants.Add(new TenantSettings(t.Name, t.Path, t.Db is null ? defaultStore : Store(t.Db), t.Domains is null ? null : domains, tRate, tBurst));
            }
        }

        return host is null ? null : new ReceiverSettings(host, tenants);
    }

    private static void CheckRate(string key, int rate, int burst, List<string> errors)
    {
        if (rate is < 1 or > 1_000_000)
        {
            errors.Add($"{key}.rate_per_minute: {rate} is outside 1..1000000");
        }

        if (burst is < 1 or > 1_000_000)
        {
            errors.Add($"{key}.burst: {burst} is outside 1..1000000");
        }
    }

    /// <summary>Why <paramref name="path"/> cannot be a tenant path, or null when it can.</summary>
    internal static string? PathProblem(string? path)
    {
        if (path is null || !path.StartsWith('/'))
        {
            return $"\"{path}\" must start with /";
        }

        if (path == "/.well-known/mta-sts.txt")
        {
            return "the MTA-STS policy path";
        }

        var segments = path[1..].Split('/');
        if (segments.Any(s => s.Length == 0 || s is "." or ".." || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')))
        {
            return $"\"{path}\" must be /SEGMENT[/SEGMENT…] of letters, digits, '-', '.', '_', '~' (no empty, dot or percent-encoded segments, no query)";
        }

        return segments.Any(IsToken) ? null
            : $"\"{path}\" has no secret segment: add one of at least {Limits.ReportReceiverPathTokenMinChars} random letters, digits, '-' or '_' (e.g. openssl rand -hex 20): HTTPS reports are unauthenticated, the path is what keeps strangers out";
    }

    private static bool IsToken(string segment) =>
        segment.Length >= Limits.ReportReceiverPathTokenMinChars
        && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
        && segment.Distinct().Count() >= 8;

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial System.Text.RegularExpressions.Regex TenantNameRegex();

    private static IPAddress? ParseAddress(string text, string key, List<string> errors)
    {
        var t = text.Trim('[', ']');
        if (t is "*" or "any")
        {
            return IPAddress.IPv6Any;
        }

        if (t == "localhost")
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(t, out var a))
        {
            return a;
        }

        errors.Add($"{key}: \"{text}\" is not an IP address");
        return null;
    }

    private static StsLineEnding? ParseLineEnding(string? text, string key, List<string> errors)
    {
        switch (text?.ToUpperInvariant())
        {
            case null:
                return null;
            case "CRLF":
                return StsLineEnding.CrLf;
            case "LF":
                return StsLineEnding.Lf;
            default:
                errors.Add($"{key}: \"{text}\" is not crlf or lf");
                return null;
        }
    }
}
