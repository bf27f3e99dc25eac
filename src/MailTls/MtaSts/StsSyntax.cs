using MailTls.Dns;

namespace MailTls.MtaSts;

/// <summary>Message helpers of the RFC 8461 parsers (the field grammar itself is <see cref="TxtFieldGrammar"/>).</summary>
internal static class StsSyntax
{
    /// <summary>Optimal string alignment distance, case-insensitive, capped early for long inputs.</summary>
    public static int EditDistance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3)
        {
            return int.MaxValue;
        }

        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, d[i - 2, j - 2] + 1);
                }

                d[i, j] = v;
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>Shortens long values for messages and evidence.</summary>
    public static string Clip(string s, int max = 200) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max), "…");
}
