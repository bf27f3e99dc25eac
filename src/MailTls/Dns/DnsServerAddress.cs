using System.Globalization;
using System.Net;

namespace MailTls.Dns;

/// <summary>
/// Upstream server addresses: <c>ADDR[:PORT]</c> with IPv4 (<c>192.0.2.1:5353</c>) or IPv6 (<c>2001:db8::1</c>,
/// <c>[2001:db8::1]:5353</c>), and the <c>nameserver</c> lines of resolv.conf (resolv.conf(5)).
/// </summary>
public static class DnsServerAddress
{
    public const int DefaultPort = 53;

    /// <summary>Parses <c>ADDR[:PORT]</c>; null when it is not an IP address with an optional port 1–65535.</summary>
    public static IPEndPoint? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return null;
        }

        text = text.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(text.AsSpan(1, close - 1), out var v6))
            {
                return null;
            }

            var rest = text[(close + 1)..];
            if (rest.Length == 0)
            {
                return new IPEndPoint(v6, DefaultPort);
            }

            return rest.StartsWith(':') && TryPort(rest[1..], out var p6) ? new IPEndPoint(v6, p6) : null;
        }

        if (IPAddress.TryParse(text, out var plain) && (plain.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || !text.Contains(':', StringComparison.Ordinal)))
        {
            return new IPEndPoint(plain, DefaultPort);
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon && IPAddress.TryParse(text.AsSpan(0, colon), out var v4) && TryPort(text[(colon + 1)..], out var p4))
        {
            return new IPEndPoint(v4, p4);
        }

        return null;
    }

    /// <summary>The <c>nameserver</c> addresses of a resolv.conf text, in order (IPv6 zone ids are kept).</summary>
    public static IReadOnlyList<IPEndPoint> FromResolvConf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var servers = new List<IPEndPoint>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("nameserver", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && IPAddress.TryParse(parts[1], out var address))
            {
                servers.Add(new IPEndPoint(address, DefaultPort));
            }
        }

        return servers;
    }

    /// <summary>The system's servers from /etc/resolv.conf; 127.0.0.1 when none is configured (resolv.conf(5) default).</summary>
    public static async Task<IReadOnlyList<IPEndPoint>> SystemAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var text = await File.ReadAllTextAsync("/etc/resolv.conf", cancellationToken).ConfigureAwait(false);
            var servers = FromResolvConf(text);
            if (servers.Count > 0)
            {
                return servers;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return [new IPEndPoint(IPAddress.Loopback, DefaultPort)];
    }

    private static bool TryPort(string s, out int port) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
}
