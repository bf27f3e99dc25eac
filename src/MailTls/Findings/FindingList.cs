namespace MailTls.Findings;

/// <summary>Helpers over a list of findings.</summary>
public static class FindingList
{
    public static bool HasErrors(this IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return findings.Any(f => f.Severity == Severity.Error);
    }

    /// <summary>Evidence dictionary from key/value pairs, skipping null values.</summary>
    public static IReadOnlyDictionary<string, string> Evidence(params (string Key, string? Value)[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in items)
        {
            if (v is not null)
            {
                d[k] = v;
            }
        }

        return d;
    }
}
