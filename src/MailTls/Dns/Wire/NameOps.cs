namespace MailTls.Dns.Wire;

/// <summary>
/// Operations on names in this layer's text form (lower case, no trailing dot, root ".").
/// RFC 4034 §6.1 canonical ordering is done on the labels' octets, right to left.
/// </summary>
internal static class NameOps
{
    public static byte[] Wire(string name) =>
        WireName.TryFromText(name, out var w) ? WireName.ToLower(w) : throw new ArgumentException("Not a DNS name: " + name, nameof(name));

    public static int LabelCount(string name) => name == "." ? 0 : WireName.Labels(Wire(name)).Count;

    /// <summary>True when <paramref name="name"/> equals <paramref name="zone"/> or lies below it.</summary>
    public static bool IsAtOrBelow(string name, string zone)
    {
        if (zone == ".")
        {
            return true;
        }

        var a = WireName.Labels(Wire(name));
        var z = WireName.Labels(Wire(zone));
        if (z.Count > a.Count)
        {
            return false;
        }

        for (var i = 1; i <= z.Count; i++)
        {
            if (!a[^i].AsSpan().SequenceEqual(z[^i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The name with its left-most label removed; the root's parent is the root.</summary>
    public static string Parent(string name)
    {
        if (name == ".")
        {
            return ".";
        }

        var labels = WireName.Labels(Wire(name));
        return WireName.ToText(WireName.FromLabels(labels.Skip(1)));
    }

    /// <summary>The right-most <paramref name="count"/> labels of <paramref name="name"/>.</summary>
    public static string Suffix(string name, int count)
    {
        var labels = WireName.Labels(Wire(name));
        return WireName.ToText(WireName.FromLabels(labels.Skip(Math.Max(0, labels.Count - count))));
    }

    /// <summary>"*." + name (RFC 4592 source of synthesis).</summary>
    public static string Wildcard(string name) => name == "." ? "*" : "*." + name;

    /// <summary>RFC 4034 §6.1 canonical DNS name order.</summary>
    public static int CanonicalCompare(string a, string b) => CanonicalCompare(Wire(a), Wire(b));

    public static int CanonicalCompare(byte[] a, byte[] b)
    {
        var la = WireName.Labels(WireName.ToLower(a));
        var lb = WireName.Labels(WireName.ToLower(b));
        for (var i = 1; i <= Math.Min(la.Count, lb.Count); i++)
        {
            var c = la[^i].AsSpan().SequenceCompareTo(lb[^i]);
            if (c != 0)
            {
                return c;
            }
        }

        return la.Count.CompareTo(lb.Count);
    }

    public static bool Equal(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);
}
