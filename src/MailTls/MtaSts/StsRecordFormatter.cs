using System.Globalization;
using System.Text;

using MailTls.Dns;
namespace MailTls.MtaSts;

/// <summary>Writes MTA-STS TXT records in the RFC 8461 §3.1 canonical form <c>v=STSv1; id=...;</c>.</summary>
public static class StsRecordFormatter
{
    /// <summary>
    /// Formats a record. Throws <see cref="ArgumentException"/> when <paramref name="id"/> or an extension is
    /// not valid per the ABNF (a programmer error: the output would not be a valid record).
    /// </summary>
    public static string Format(string id, IEnumerable<StsExtension>? extensions = null)
    {
        if (!StsId.IsValid(id))
        {
            throw new ArgumentException("An MTA-STS id is 1 to 32 ASCII letters or digits.", nameof(id));
        }

        var sb = new StringBuilder("v=STSv1; id=").Append(id).Append(';');
        foreach (var ext in extensions ?? [])
        {
            if (ext.Name is null || ext.Value is null || ext.Name is "id" or "v" || TxtFieldGrammar.CheckExtName(ext.Name) is not null || !IsExtValue(ext.Value))
            {
                throw new ArgumentException($"Invalid TXT extension field \"{ext.Name}={ext.Value}\".", nameof(extensions));
            }

            sb.Append(' ').Append(ext.Name).Append('=').Append(ext.Value).Append(';');
        }

        return sb.ToString();
    }

    /// <summary>Formats <paramref name="record"/> (its id and extensions) canonically.</summary>
    public static string Format(StsRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Format(record.Id, record.Extensions);
    }

    private static bool IsExtValue(string value) => value.Length > 0 && value.All(c => c is >= '!' and <= '~' and not '=' and not ';');
}

/// <summary>MTA-STS policy ids (RFC 8461 §3.1: 1*32(ALPHA / DIGIT); it changes whenever the policy changes).</summary>
public static class StsId
{
    /// <summary>An id from a timestamp in UTC, e.g. <c>20260101T120000</c> (letters and digits only).</summary>
    public static string NewFromTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="id"/> matches <c>1*32(ALPHA / DIGIT)</c>.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: >= 1 and <= 32 } && id.All(TxtFieldGrammar.IsAlphaDigit);
}
