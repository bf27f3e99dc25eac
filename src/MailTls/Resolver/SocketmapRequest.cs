using System.Net;
using System.Text;

namespace MailTls.Resolver;

/// <summary>
/// One socketmap request, <c>name SP key</c> (socketmap_table(5)): the map name selects the zone, the key is the
/// next-hop domain Postfix asks about, normalised as postfix-mta-sts-resolver does (<c>utils.filter_domain</c>):
/// brackets and <c>:port</c> stripped, trimmed, lowercased, trailing dot removed.
/// </summary>
public sealed record SocketmapRequest(string Name, string RawKey, string? Domain)
{
    /// <summary>True when the key needs no lookup: a <c>.</c>-prefixed parent-domain probe, an IP literal or empty.</summary>
    public bool IsNotFoundWithoutLookup => Domain is null;

    /// <summary>Parses a request payload; false when there is no space separating name and key.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out SocketmapRequest request)
    {
        var text = Encoding.UTF8.GetString(payload);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            request = new SocketmapRequest(string.Empty, text, null);
            return false;
        }

        var key = text[(space + 1)..];
        request = new SocketmapRequest(text[..space], key, NormalizeKey(key));
        return true;
    }

    /// <summary>The lookup domain for a key, or null when the answer is <c>NOTFOUND</c> without a lookup.</summary>
    public static string? NormalizeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var k = key.Trim();
        if (k.StartsWith('.'))
        {
            return null;
        }

        if (k.StartsWith('['))
        {
            var close = k.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            k = k[1..close];
        }
        else if (k.Count(c => c == ':') == 1)
        {
            k = k[..k.IndexOf(':', StringComparison.Ordinal)];
        }

        k = k.Trim().ToLowerInvariant();
        if (k.EndsWith('.'))
        {
            k = k[..^1];
        }

        if (k.Length == 0 || k.StartsWith('.') || IPAddress.TryParse(k, out _) || k.StartsWith("ipv6:", StringComparison.Ordinal))
        {
            return null;
        }

        return k;
    }
}
