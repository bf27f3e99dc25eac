using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailTls.Reports.Storage;
using MailTls.Server.Dashboard;

namespace MailTls.Server.Configuration;

/// <summary>Validates the <c>dashboard:</c> section into <see cref="DashboardSettings"/> (docs/dashboard.md).</summary>
internal static class DashboardConfig
{
    public static DashboardSettings? Validate(DashboardOptions? options, string baseDirectory, Func<string, string?> environment, List<string> errors)
    {
        if (options is null || options.Enabled == false)
        {
            return null;
        }

        var listen = new List<IPEndPoint>();
        var texts = options.Listen switch
        {
            null => [$"127.0.0.1:{Limits.DashboardDefaultPort}"],
            string s => [s],
            IEnumerable<object> list => list.Select(o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? string.Empty).ToList(),
            var other => [Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty],
        };
        foreach (var (text, i) in texts.Select((t, i) => (t, i)))
        {
            if (ParseEndpoint(text) is { } ep)
            {
                listen.Add(ep);
            }
            else
            {
                errors.Add($"dashboard.listen[{i}]: \"{text}\" is not ADDR:PORT (e.g. 127.0.0.1:{Limits.DashboardDefaultPort} or [::1]:{Limits.DashboardDefaultPort})");
            }
        }

        if (texts.Count == 0)
        {
            errors.Add("dashboard.listen: at least one address is needed");
        }

        var db = options.Db is { Length: > 0 } d
            ? ReportDatabase.IsPostgresUrl(d) ? d : Path.GetFullPath(d, baseDirectory)
            : ReportDatabase.DefaultLocation(environment);

        CertificateSource? tls = null;
        if (options.Tls is { } t)
        {
            if (t.Cert is null || t.Key is null)
            {
                errors.Add("dashboard.tls: cert and key are both needed");
            }
            else
            {
                tls = new CertificateSource([], Path.GetFullPath(t.Cert, baseDirectory), Path.GetFullPath(t.Key, baseDirectory));
            }
        }

        var a = options.Auth;
        if (a?.PasswordHash is { } hash && DashboardPassword.Problem(hash) is { } problem)
        {
            errors.Add($"dashboard.auth.password_hash: {problem}");
        }

        string? tokenFile = null;
        byte[]? tokenSha256 = null;
        if (a?.TokenFile is { } tf)
        {
            tokenFile = Path.GetFullPath(tf, baseDirectory);
            var token = ReadToken(tokenFile, errors);
            tokenSha256 = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
        }

        var hours = a?.SessionHours ?? Limits.DashboardSessionLifetime.TotalHours;
        if (hours is <= 0 or > 24 * 31)
        {
            errors.Add($"dashboard.auth.session_hours: {hours.ToString(CultureInfo.InvariantCulture)} is outside 0..744");
        }

        var auth = new DashboardAuthSettings(a?.PasswordHash, tokenFile, tokenSha256, TimeSpan.FromHours(hours));
        if (listen.Count > 0 && !DashboardSettings.EveryAddressLoopback(listen) && a?.PasswordHash is null && a?.TokenFile is null)
        {
            errors.Add($"dashboard.auth: the dashboard listens on {string.Join(", ", listen.Where(e => !IPAddress.IsLoopback(e.Address)))}, not only on loopback, "
                + "so it needs a login: give auth.password_hash (from `mailtls serve hash-password`) and/or auth.token_file");
        }

        return new DashboardSettings(listen, db, tls, auth);
    }

    private static string? ReadToken(string path, List<string> errors)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                errors.Add($"dashboard.auth.token_file: {path}: no such file");
                return null;
            }

            if (info.Length > Limits.DashboardTokenFileMaxBytes)
            {
                errors.Add($"dashboard.auth.token_file: {path}: larger than {Limits.DashboardTokenFileMaxBytes} bytes");
                return null;
            }

            var token = File.ReadAllText(path).Trim();
            if (token.Length < Limits.DashboardTokenMinChars || token.Any(c => c <= ' ' || c > '~'))
            {
                errors.Add($"dashboard.auth.token_file: {path}: the token must be at least {Limits.DashboardTokenMinChars} printable ASCII characters without spaces (e.g. `openssl rand -base64 32`)");
                return null;
            }

            return token;
        }
        catch (IOException e)
        {
            errors.Add($"dashboard.auth.token_file: {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            errors.Add($"dashboard.auth.token_file: {path}: {e.Message}");
        }

        return null;
    }

    // ADDR:PORT with an explicit port (0 = any free port); IPv6 in brackets; localhost and * as in listeners.
    private static IPEndPoint? ParseEndpoint(string text)
    {
        var t = text.Trim();
        var colon = t.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(t.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return null;
        }

        var host = t[..colon];
        if (host.Contains(':', StringComparison.Ordinal) && !(host.StartsWith('[') && host.EndsWith(']')))
        {
            return null;
        }

        host = host.Trim('[', ']');
        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" => IPAddress.IPv6Any,
            _ => IPAddress.TryParse(host, out var a) ? a : null,
        };
        return address is null ? null : new IPEndPoint(address, port);
    }
}
