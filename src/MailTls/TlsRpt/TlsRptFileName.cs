using System.Globalization;
using MailTls.Dns;

namespace MailTls.TlsRpt;

/// <summary>
/// The RECOMMENDED report file name (RFC 8460 §5.1):
/// <c>sender "!" policy-domain "!" begin-timestamp "!" end-timestamp [ "!" unique-id ] "." ( "json" / "json.gz" )</c>,
/// timestamps in seconds since the Unix epoch, <c>unique-id = 1*(ALPHA / DIGIT)</c>. Only a hint: when it
/// disagrees with the report body, the body is authoritative (§5.6).
/// </summary>
public sealed record TlsRptFileName(string Sender, string PolicyDomain, long BeginTimestamp, long EndTimestamp, string? UniqueId, bool Gzip)
{
    public DateTimeOffset Begin => DateTimeOffset.FromUnixTimeSeconds(BeginTimestamp);

    public DateTimeOffset End => DateTimeOffset.FromUnixTimeSeconds(EndTimestamp);

    /// <summary>Largest Unix time <see cref="DateTimeOffset"/> can represent (9999-12-31T23:59:59Z).</summary>
    private const long MaxTimestamp = 253_402_300_799;

    public static bool TryParse(string? text, out TlsRptFileName? fileName)
    {
        fileName = null;
        if (text is null || text.Length > 1024)
        {
            return false;
        }

        bool gzip;
        string stem;
        if (text.EndsWith(".json.gz", StringComparison.OrdinalIgnoreCase))
        {
            gzip = true;
            stem = text[..^".json.gz".Length];
        }
        else if (text.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            gzip = false;
            stem = text[..^".json".Length];
        }
        else
        {
            return false;
        }

        var parts = stem.Split('!');
        if (parts.Length is not (4 or 5)
            || !Dns.DnsName.IsLdhDomain(parts[0])
            || !Dns.DnsName.IsLdhDomain(parts[1])
            || !TryTimestamp(parts[2], out var begin)
            || !TryTimestamp(parts[3], out var end))
        {
            return false;
        }

        string? unique = null;
        if (parts.Length == 5)
        {
            unique = parts[4];
            if (unique.Length == 0 || !unique.All(TxtFieldGrammar.IsAlphaDigit))
            {
                return false;
            }
        }

        fileName = new TlsRptFileName(parts[0], parts[1], begin, end, unique, gzip);
        return true;
    }

    private static bool TryTimestamp(string s, out long value)
    {
        value = 0;
        return s.Length is >= 1 and <= 12 && s.All(TlsRptGrammar.IsDigit)
            && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= MaxTimestamp;
    }

    /// <summary>Formats a file name; <paramref name="uniqueId"/> must be 1*(ALPHA / DIGIT) when given.</summary>
    public static string Format(string sender, string policyDomain, DateTimeOffset begin, DateTimeOffset end, string? uniqueId = null, bool gzip = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(sender);
        ArgumentException.ThrowIfNullOrEmpty(policyDomain);
        if (sender.Contains('!', StringComparison.Ordinal) || policyDomain.Contains('!', StringComparison.Ordinal))
        {
            throw new ArgumentException("Domain names cannot contain \"!\".");
        }

        if (uniqueId is not null && (uniqueId.Length == 0 || !uniqueId.All(TxtFieldGrammar.IsAlphaDigit)))
        {
            throw new ArgumentException("unique-id must be 1*(ALPHA / DIGIT) (RFC 8460 §5.1).", nameof(uniqueId));
        }

        return new TlsRptFileName(sender, policyDomain, begin.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), uniqueId, gzip).ToString();
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Sender}!{PolicyDomain}!{BeginTimestamp}!{EndTimestamp}{(UniqueId is null ? "" : "!" + UniqueId)}.{(Gzip ? "json.gz" : "json")}");
}
