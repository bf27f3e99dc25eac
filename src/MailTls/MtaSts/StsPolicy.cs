using MailTls.Findings;

namespace MailTls.MtaSts;

/// <summary>
/// A valid MTA-STS policy (RFC 8461 §3.2): version (always <c>STSv1</c>), mode, max_age in seconds, the mx
/// patterns in order, unknown extension fields in order, and the policy text as served (<see cref="RawText"/>,
/// kept for TLS-RPT <c>policy-string</c>). Two policies are equal when they say the same thing: the fields are
/// compared, <see cref="RawText"/> (one of many wire forms) is not.
/// </summary>
public sealed record StsPolicy(
    string Version,
    StsMode Mode,
    long MaxAge,
    IReadOnlyList<MxPattern> Mx,
    IReadOnlyList<StsExtension> Extensions,
    string? RawText = null)
{
    /// <summary>The only policy version (RFC 8461 §3.2).</summary>
    public const string CurrentVersion = "STSv1";

    /// <summary>True when an mx pattern of this policy matches <paramref name="host"/> (RFC 8461 §4.1).</summary>
    public bool Covers(string? host) => MxPatternMatcher.Matches(Mx, host);

    public bool Equals(StsPolicy? other) =>
        other is not null
        && string.Equals(Version, other.Version, StringComparison.Ordinal)
        && Mode == other.Mode
        && MaxAge == other.MaxAge
        && Mx.SequenceEqual(other.Mx)
        && Extensions.SequenceEqual(other.Extensions);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Version, StringComparer.Ordinal);
        h.Add(Mode);
        h.Add(MaxAge);
        foreach (var m in Mx)
        {
            h.Add(m);
        }

        foreach (var e in Extensions)
        {
            h.Add(e);
        }

        return h.ToHashCode();
    }
}

/// <summary>Result of <see cref="StsPolicyParser"/>: the policy when valid, and what was found (with line numbers).</summary>
public sealed record StsPolicyParseResult(StsPolicy? Policy, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when the body is a valid policy (warnings may still be present).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Policy))]
    public bool IsValid => Policy is not null;
}

/// <summary>Line terminator used by <see cref="StsPolicyFormatter"/> (RFC 8461 §3.2: LF or CRLF, erratum 6253).</summary>
public enum StsLineEnding
{
    Lf = 0,
    CrLf = 1,
}
