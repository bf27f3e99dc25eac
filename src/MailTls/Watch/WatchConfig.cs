using System.Globalization;
using System.Net;
using MimeKit;
using static MailTls.YamlValues;

namespace MailTls.Watch;

/// <summary>How the e-mail sink secures the connection to its relay.</summary>
public enum SmtpRelaySecurity
{
    /// <summary>STARTTLS, required (RFC 3207): the message is never sent in clear.</summary>
    StartTls,

    /// <summary>Implicit TLS from the first byte (RFC 8314 §3.3, port 465).</summary>
    Tls,

    /// <summary>No TLS: only for a relay on a loopback address (a local MTA).</summary>
    None,
}

/// <summary>A webhook sink: one JSON POST per alert event (docs/watch.md has the payload schema).</summary>
public sealed record WebhookSinkOptions
{
    public required string Name { get; init; }

    public required Uri Url { get; init; }

    /// <summary>Deadline of one attempt (connect, send, response).</summary>
    public TimeSpan Timeout { get; init; } = Limits.WatchWebhookTimeout;

    /// <summary>Attempts per notice and pass (network errors, timeouts, 408, 429 and 5xx are retried).</summary>
    public int Attempts { get; init; } = Limits.WatchSinkAttempts;

    /// <summary>A file holding a shared secret: each body is signed with HMAC-SHA256 in <c>X-Mailtls-Signature</c>.</summary>
    public string? SecretFile { get; init; }
}

/// <summary>An e-mail sink: one message per pass with every new and resolved alert, through an SMTP relay.</summary>
public sealed record EmailSinkOptions
{
    public required string Name { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    public SmtpRelaySecurity Security { get; init; } = SmtpRelaySecurity.StartTls;

    public required string From { get; init; }

    public required IReadOnlyList<string> To { get; init; }

    /// <summary>SMTP AUTH user; the password comes from <see cref="PasswordFile"/> or <see cref="PasswordEnv"/>, never the command line.</summary>
    public string? Username { get; init; }

    public string? PasswordFile { get; init; }

    public string? PasswordEnv { get; init; }

    /// <summary>PEM roots trusted for the relay's certificate besides the system store (an internal CA).</summary>
    public string? CaFile { get; init; }

    public TimeSpan Timeout { get; init; } = Limits.WatchEmailTimeout;

    public int Attempts { get; init; } = Limits.WatchSinkAttempts;
}

/// <summary>
/// The configuration of <c>mailtls watch</c> (YAML, docs/watch.md): the domains, the pass interval, the database,
/// how to check (resolver, trust anchor, timeout, SMTP probing), the alert thresholds, the TLS-RPT rule and the
/// sinks. Unknown keys are errors, so that a typo never silently disables an alert.
/// </summary>
public sealed record WatchConfig
{
    public IReadOnlyList<string> Domains { get; init; } = [];

    public TimeSpan Interval { get; init; } = Limits.WatchDefaultInterval;

    /// <summary>The store (<c>--db</c> syntax); null = the default location.</summary>
    public string? Database { get; init; }

    /// <summary>Upstream resolvers <c>ADDR[:PORT]</c>; empty = /etc/resolv.conf.</summary>
    public IReadOnlyList<string> Resolvers { get; init; } = [];

    public string? TrustAnchorFile { get; init; }

    /// <summary>Deadline of each network step of the audit (check's <c>--timeout</c>).</summary>
    public TimeSpan Timeout { get; init; } = Limits.CheckStsPolicyFetchTimeout;

    public bool ProbeSmtp { get; init; } = true;

    public int Concurrency { get; init; } = Limits.CheckDomainConcurrency;

    /// <summary>Extra CAA issuers (<c>ORG=DOMAIN</c>), as <c>check --caa-issuer</c>.</summary>
    public IReadOnlyList<string> CaaIssuers { get; init; } = [];

    public TimeSpan MxCertificateExpiry { get; init; } = Limits.CertificateExpiryWarning;

    public TimeSpan PolicyCertificateExpiry { get; init; } = Limits.CertificateExpiryWarning;

    public TimeSpan DnssecSignatureExpiry { get; init; } = Limits.DnssecSignatureExpiringWarning;

    public TlsRptJumpSettings TlsRpt { get; init; } = new();

    public IReadOnlyList<WebhookSinkOptions> Webhooks { get; init; } = [];

    public IReadOnlyList<EmailSinkOptions> Emails { get; init; } = [];

    /// <summary>Every sink name, in configuration order.</summary>
    public IReadOnlyList<string> SinkNames => [.. Webhooks.Select(w => w.Name).Concat(Emails.Select(e => e.Name))];

    /// <summary>Parses YAML text; every error names its key.</summary>
    public static WatchConfig Parse(string yaml, out IReadOnlyList<string> errors)
    {
        var list = new List<string>();
        errors = list;
        if (!YamlValues.TryLoad(yaml, list, out var root))
        {
            return new WatchConfig();
        }

        if (root is not Dictionary<object, object> map)
        {
            list.Add("the document must be a mapping with at least 'domains'");
            return new WatchConfig();
        }

        var config = new WatchConfig();
        var sinkItems = new List<object?>();
        foreach (var (k, v) in map)
        {
            var key = k.ToString() ?? string.Empty;
            switch (key)
            {
                case "domains": config = config with { Domains = DomainList(v, list) }; break;
                case "interval": config = config with { Interval = Duration(v, key, list) }; break;
                case "db": config = config with { Database = Str(v) }; break;
                case "check": config = Check(config, v, list); break;
                case "thresholds": config = Thresholds(config, v, list); break;
                case "tlsrpt": config = config with { TlsRpt = ParseTlsRpt(v, list) }; break;
                case "sinks":
                    if (v is List<object> items)
                    {
                        sinkItems.AddRange(items);
                    }
                    else if (v is not null)
                    {
                        list.Add("sinks: must be a list of {type: webhook|email, …}");
                    }

                    break;
                default: list.Add(key + ": unknown key"); break;
            }
        }

        if (config.Domains.Count == 0)
        {
            list.Add("domains: at least one domain is required");
        }

        if (config.Interval < Limits.WatchMinInterval)
        {
            list.Add($"interval: at least {Limits.WatchMinInterval.TotalSeconds:0} s");
        }

        var webhooks = new List<WebhookSinkOptions>();
        var emails = new List<EmailSinkOptions>();
        for (var i = 0; i < sinkItems.Count; i++)
        {
            var m = Map(sinkItems[i]);
            var at = $"sinks[{i.ToString(CultureInfo.InvariantCulture)}]";
            switch (m.TryGetValue("type", out var t) ? Str(t) : null)
            {
                case "webhook":
                    if (Webhook(m, at, webhooks.Count, list) is { } w)
                    {
                        webhooks.Add(w);
                    }

                    break;
                case "email":
                    if (Email(m, at, emails.Count, list) is { } e)
                    {
                        emails.Add(e);
                    }

                    break;
                case var other:
                    list.Add($"{at}.type: '{other}' is not webhook or email");
                    break;
            }
        }

        config = config with { Webhooks = webhooks, Emails = emails };
        foreach (var dup in config.SinkNames.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            list.Add($"sinks: the name '{dup.Key}' is used twice (give each sink its own name:)");
        }

        return config;
    }

    private static List<string> DomainList(object? v, List<string> errors)
    {
        var domains = new List<string>();
        foreach (var d in Strings(v))
        {
            if (Dns.DnsName.TryNormalize(d) is { } n && n.Contains('.', StringComparison.Ordinal))
            {
                if (!domains.Contains(n, StringComparer.Ordinal))
                {
                    domains.Add(n);
                }
            }
            else
            {
                errors.Add($"domains: '{d}' is not a domain name");
            }
        }

        if (domains.Count > Limits.WatchMaxDomains)
        {
            errors.Add($"domains: at most {Limits.WatchMaxDomains} (use 'mailtls scan' for fleets)");
        }

        return domains;
    }

    private static WatchConfig Check(WatchConfig config, object? v, List<string> errors)
    {
        foreach (var (k, cv) in Map(v))
        {
            config = k switch
            {
                "resolver" => config with { Resolvers = Strings(cv) },
                "trust_anchor" => config with { TrustAnchorFile = Str(cv) },
                "timeout" => config with { Timeout = Duration(cv, "check.timeout", errors, TimeSpan.FromMinutes(5)) },
                "smtp" => config with { ProbeSmtp = Bool(cv, "check.smtp", errors) },
                "concurrency" => config with { Concurrency = Int(cv, "check.concurrency", errors, 1, 256) },
                "caa_issuers" => config with { CaaIssuers = Strings(cv) },
                _ => Error(errors, "check." + k + ": unknown key", config),
            };
        }

        return config;
    }

    private static WatchConfig Thresholds(WatchConfig config, object? v, List<string> errors)
    {
        foreach (var (k, tv) in Map(v))
        {
            config = k switch
            {
                "mx_cert_days" => config with { MxCertificateExpiry = Days(tv, "thresholds." + k, errors) },
                "policy_cert_days" => config with { PolicyCertificateExpiry = Days(tv, "thresholds." + k, errors) },
                "rrsig_days" => config with { DnssecSignatureExpiry = Days(tv, "thresholds." + k, errors) },
                _ => Error(errors, "thresholds." + k + ": unknown key", config),
            };
        }

        return config;
    }

    private static TlsRptJumpSettings ParseTlsRpt(object? v, List<string> errors)
    {
        var s = new TlsRptJumpSettings();
        foreach (var (k, tv) in Map(v))
        {
            var key = "tlsrpt." + k;
            s = k switch
            {
                "window_days" => s with { WindowDays = Int(tv, key, errors, 1, 90) },
                "baseline_days" => s with { BaselineDays = Int(tv, key, errors, 1, 365) },
                "factor" => s with { Factor = Number(tv, key, errors, 1, 1_000_000) },
                "min_sessions" => s with { MinSessions = Int(tv, key, errors, 1, int.MaxValue) },
                "min_failure_rate" => s with { MinFailureRate = Number(tv, key, errors, 0, 1) },
                _ => Error(errors, key + ": unknown key", s),
            };
        }

        return s;
    }

    private static WebhookSinkOptions? Webhook(Dictionary<string, object?> m, string at, int index, List<string> errors)
    {
        Uri? url = null;
        var name = index == 0 ? "webhook" : "webhook-" + (index + 1).ToString(CultureInfo.InvariantCulture);
        var timeout = Limits.WatchWebhookTimeout;
        var attempts = Limits.WatchSinkAttempts;
        string? secret = null;
        foreach (var (k, v) in m)
        {
            switch (k)
            {
                case "type": break;
                case "name": name = Str(v) ?? name; break;
                case "url":
                    if (Uri.TryCreate(Str(v), UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) && u.Host.Length > 0)
                    {
                        url = u;
                    }
                    else
                    {
                        errors.Add($"{at}.url: '{Str(v)}' is not an http(s) URL");
                    }

                    break;
                case "timeout": timeout = Duration(v, at + ".timeout", errors, TimeSpan.FromMinutes(5)); break;
                case "attempts": attempts = Int(v, at + ".attempts", errors, 1, 10); break;
                case "secret_file": secret = Str(v); break;
                default: errors.Add($"{at}.{k}: unknown key"); break;
            }
        }

        if (url is null)
        {
            if (!m.ContainsKey("url"))
            {
                errors.Add($"{at}.url: required");
            }

            return null;
        }

        return new WebhookSinkOptions { Name = name, Url = url, Timeout = timeout, Attempts = attempts, SecretFile = secret };
    }

    private static EmailSinkOptions? Email(Dictionary<string, object?> m, string at, int index, List<string> errors)
    {
        var name = index == 0 ? "email" : "email-" + (index + 1).ToString(CultureInfo.InvariantCulture);
        string? relay = null, from = null, user = null, passwordFile = null, passwordEnv = null, caFile = null;
        var to = new List<string>();
        var security = SmtpRelaySecurity.StartTls;
        var timeout = Limits.WatchEmailTimeout;
        var attempts = Limits.WatchSinkAttempts;
        foreach (var (k, v) in m)
        {
            switch (k)
            {
                case "type": break;
                case "name": name = Str(v) ?? name; break;
                case "relay": relay = Str(v); break;
                case "security":
                    security = Str(v) switch
                    {
                        "starttls" => SmtpRelaySecurity.StartTls,
                        "tls" => SmtpRelaySecurity.Tls,
                        "none" => SmtpRelaySecurity.None,
                        var s => Error(errors, $"{at}.security: '{s}' is not starttls, tls or none", SmtpRelaySecurity.StartTls),
                    };
                    break;
                case "from": from = Str(v); break;
                case "to": to.AddRange(Strings(v)); break;
                case "username": user = Str(v); break;
                case "password_file": passwordFile = Str(v); break;
                case "password_env": passwordEnv = Str(v); break;
                case "password": errors.Add($"{at}.password: not allowed; put the password in a file (password_file) or an environment variable (password_env)"); break;
                case "ca_file": caFile = Str(v); break;
                case "timeout": timeout = Duration(v, at + ".timeout", errors, TimeSpan.FromMinutes(5)); break;
                case "attempts": attempts = Int(v, at + ".attempts", errors, 1, 10); break;
                default: errors.Add($"{at}.{k}: unknown key"); break;
            }
        }

        var before = errors.Count;
        if (relay is null || !TrySplitHostPort(relay, out var host, out var port))
        {
            errors.Add($"{at}.relay: required, HOST[:PORT] (IPv6 as [ADDR]:PORT)");
            host = string.Empty;
            port = null;
        }

        if (from is null || !IsAddress(from))
        {
            errors.Add($"{at}.from: required, an e-mail address");
        }

        if (to.Count == 0)
        {
            errors.Add($"{at}.to: at least one address");
        }

        foreach (var t in to.Where(t => !IsAddress(t)))
        {
            errors.Add($"{at}.to: '{t}' is not an e-mail address");
        }

        if (passwordFile is not null && passwordEnv is not null)
        {
            errors.Add($"{at}: password_file and password_env are exclusive");
        }

        if ((passwordFile is not null || passwordEnv is not null) && user is null)
        {
            errors.Add($"{at}.username: required with a password");
        }

        if (user is not null && passwordFile is null && passwordEnv is null)
        {
            errors.Add($"{at}: username needs password_file or password_env");
        }

        if (security == SmtpRelaySecurity.None && !IsLoopback(host))
        {
            errors.Add($"{at}.security: none is only allowed for a relay on a loopback address (got '{host}')");
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new EmailSinkOptions
        {
            Name = name,
            Host = host,
            Port = port ?? security switch
            {
                SmtpRelaySecurity.Tls => 465,
                SmtpRelaySecurity.None => 25,
                _ => 587,
            },
            Security = security,
            From = from!,
            To = to,
            Username = user,
            PasswordFile = passwordFile,
            PasswordEnv = passwordEnv,
            CaFile = caFile,
            Timeout = timeout,
            Attempts = attempts,
        };
    }

    /// <summary>An addr-spec with a domain (MimeKit also accepts a bare local part, which no relay delivers).</summary>
    private static bool IsAddress(string text) =>
        MailboxAddress.TryParse(text, out var m) && m.Address.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at < m.Address.Length - 1;

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>HOST, HOST:PORT, [IPv6] or [IPv6]:PORT.</summary>
    internal static bool TrySplitHostPort(string text, out string host, out int? port)
    {
        host = text;
        port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length == 0)
            {
                return IPAddress.TryParse(host, out _);
            }

            if (!rest.StartsWith(':') || !int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var p6) || p6 is < 1 or > 65535)
            {
                return false;
            }

            port = p6;
            return IPAddress.TryParse(host, out _);
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                return false;
            }

            host = text[..colon];
            port = p;
        }

        return host.Length > 0 && (IPAddress.TryParse(host, out _) || Dns.DnsName.TryNormalize(host) is not null);
    }

    private static bool Bool(object? v, string key, List<string> errors) => Str(v)?.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var s => Error(errors, $"{key}: '{s}' is not a boolean", false),
    };

    private static int Int(object? v, string key, List<string> errors, int min, int max) =>
        int.TryParse(Str(v), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max
            ? i
            : Error(errors, $"{key}: '{Str(v)}' is not an integer in {min}..{max}", min);

    private static double Number(object? v, string key, List<string> errors, double min, double max) =>
        double.TryParse(Str(v), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max
            ? d
            : Error(errors, $"{key}: '{Str(v)}' is not a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}", min);

    private static TimeSpan Days(object? v, string key, List<string> errors) =>
        double.TryParse(Str(v), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 && d <= 3650
            ? TimeSpan.FromDays(d)
            : Error(errors, $"{key}: '{Str(v)}' is not a number of days in 0..3650", TimeSpan.Zero);

    /// <summary>Seconds as a number, or a number with a unit: <c>90s</c>, <c>15m</c>, <c>6h</c>, <c>1d</c>.</summary>
    internal static TimeSpan Duration(object? v, string key, List<string> errors, TimeSpan? max = null)
    {
        var s = Str(v)?.Trim() ?? string.Empty;
        var unit = s.Length > 0 && char.IsLetter(s[^1]) ? s[^1] : 's';
        var number = s.Length > 0 && char.IsLetter(s[^1]) ? s[..^1] : s;
        var scale = unit switch
        {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86400.0,
            _ => double.NaN,
        };
        var limit = max ?? TimeSpan.FromDays(366);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(scale) && d > 0 && d * scale <= limit.TotalSeconds
            ? TimeSpan.FromSeconds(d * scale)
            : Error(errors, $"{key}: '{s}' is not a duration (seconds, or a number with s, m, h or d) up to {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", TimeSpan.FromSeconds(1));
    }
}
