namespace MailTls.MtaSts;

/// <summary>
/// MX host validation against a policy's mx patterns (RFC 8461 §4.1): case-insensitive, trailing dot on the
/// host ignored, U-label hosts compared in A-label form, a wildcard covers exactly one non-empty label.
/// </summary>
public static class MxPatternMatcher
{
    /// <summary>True when any of <paramref name="patterns"/> matches <paramref name="host"/>.</summary>
    public static bool Matches(IEnumerable<MxPattern> patterns, string? host)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var h = MxPattern.NormalizeHost(host);
        return h is not null && patterns.Any(p => p.MatchesNormalized(h));
    }

    /// <summary>The first pattern that matches <paramref name="host"/>, or null.</summary>
    public static MxPattern? FirstMatch(IEnumerable<MxPattern> patterns, string? host)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var h = MxPattern.NormalizeHost(host);
        return h is null ? null : patterns.FirstOrDefault(p => p.MatchesNormalized(h));
    }
}
