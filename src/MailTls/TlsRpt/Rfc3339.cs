using System.Globalization;
using System.Text.RegularExpressions;

namespace MailTls.TlsRpt;

/// <summary>RFC 3339 §5.6 date-time, read leniently: a missing offset is accepted (as UTC) and reported to the caller.</summary>
internal static partial class Rfc3339
{
    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,30}))?([Zz]|[+-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out DateTimeOffset value, out bool hasOffset)
    {
        value = default;
        hasOffset = false;
        if (text.Length > 64)
        {
            return false;
        }

        Match m;
        try
        {
            m = Pattern().Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        if (!m.Success)
        {
            return false;
        }

        int P(int g) => int.Parse(m.Groups[g].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        int year = P(1), month = P(2), day = P(3), hour = P(4), minute = P(5), second = P(6);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = 0L;
        if (m.Groups[7].Success)
        {
            var frac = m.Groups[7].Value;
            frac = frac.Length > 7 ? frac[..7] : frac.PadRight(7, '0');
            ticks = long.Parse(frac, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        var offset = TimeSpan.Zero;
        if (m.Groups[8].Success)
        {
            hasOffset = true;
            var o = m.Groups[8].Value;
            if (o is not ("Z" or "z"))
            {
                var h = int.Parse(o.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture);
                var mi = int.Parse(o.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture);
                if (h > 14 || mi > 59 || (h == 14 && mi > 0))
                {
                    return false;
                }

                offset = new TimeSpan(h, mi, 0);
                if (o[0] == '-')
                {
                    offset = -offset;
                }
            }
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // e.g. 0001-01-01T00:00:00+01:00 falls before DateTimeOffset.MinValue in UTC.
            return false;
        }
    }

    public static string Format(DateTimeOffset value)
    {
        var body = value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return value.Offset == TimeSpan.Zero ? body + "Z" : body + value.ToString("zzz", CultureInfo.InvariantCulture);
    }
}
