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

        if (TryParseCommon(text, out value))
        {
            hasOffset = true;
            return true;
        }

        return TryParsePattern(text, out value, out hasOffset);
    }

    /// <summary>The general rule (the regex): every form, including the common one <see cref="TryParse"/> reads directly.</summary>
    internal static bool TryParsePattern(string text, out DateTimeOffset value, out bool hasOffset)
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

    // The form nearly every report uses, YYYY-MM-DDTHH:MM:SSZ, without the regex (same checks, same result).
    private static bool TryParseCommon(string t, out DateTimeOffset value)
    {
        value = default;
        if (t.Length != 20 || t[4] != '-' || t[7] != '-' || t[10] is not ('T' or 't' or ' ') || t[13] != ':' || t[16] != ':' || t[19] is not ('Z' or 'z'))
        {
            return false;
        }

        int D(int i, int n)
        {
            var v = 0;
            for (var k = i; k < i + n; k++)
            {
                if (!char.IsAsciiDigit(t[k]))
                {
                    return -1;
                }

                v = (v * 10) + (t[k] - '0');
            }

            return v;
        }

        int year = D(0, 4), month = D(5, 2), day = D(8, 2), hour = D(11, 2), minute = D(14, 2), second = D(17, 2);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    public static string Format(DateTimeOffset value)
    {
        var body = value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return value.Offset == TimeSpan.Zero ? body + "Z" : body + value.ToString("zzz", CultureInfo.InvariantCulture);
    }
}
