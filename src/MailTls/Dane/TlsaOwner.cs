using System.Globalization;
using System.Text.RegularExpressions;
using MailTls.Dns;

namespace MailTls.Dane;

/// <summary>TLSA owner names (RFC 6698 §3): <c>_port._protocol.host.</c>, host in A-label form.</summary>
public static partial class TlsaOwner
{
    /// <summary>
    /// The TLSA owner name for <paramref name="host"/> (e.g. <c>_25._tcp.mx.example.com.</c>), or null when the
    /// host is not a valid DNS name or the port is out of range.
    /// </summary>
    public static string? For(string host, int port = 25, string protocol = "tcp")
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var h = DnsName.TryNormalize(host);
        if (h is null || port is < 0 or > 65535 || protocol.Length == 0 || !protocol.All(char.IsAsciiLetterOrDigit))
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"_{port}._{protocol.ToLowerInvariant()}.{h}.");
    }

    /// <summary>True when <paramref name="owner"/> starts with <c>_port._protocol.</c> followed by a host.</summary>
    public static bool LooksLikeTlsaOwner(string owner) => OwnerPattern().IsMatch(owner);

    [GeneratedRegex(@"^_[0-9]{1,5}\._[A-Za-z0-9]+\.[^.].*$", RegexOptions.CultureInvariant)]
    private static partial Regex OwnerPattern();
}
