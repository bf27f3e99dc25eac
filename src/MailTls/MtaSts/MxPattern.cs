using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MailTls.Dns;

namespace MailTls.MtaSts;

/// <summary>
/// One <c>mx</c> value of a policy (RFC 8461 §3.2 <c>sts-policy-mx-value = ["*."] Domain</c>): an RFC 5321
/// Domain in A-label form, optionally preceded by a wildcard <c>*.</c> that stands for exactly one
/// left-most label (§4.1). <see cref="Text"/> is kept as published; matching is case-insensitive.
/// </summary>
public sealed record MxPattern
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    private MxPattern(string text, bool isWildcard, string domain)
    {
        Text = text;
        IsWildcard = isWildcard;
        Domain = domain;
    }

    /// <summary>The value as written in the policy, e.g. <c>*.example.net</c>.</summary>
    public string Text { get; }

    /// <summary>True for a <c>*.</c> pattern.</summary>
    public bool IsWildcard { get; }

    /// <summary>The domain part in lower case (without <c>*.</c>).</summary>
    public string Domain { get; }

    /// <summary>True when every label of the domain is all digits (e.g. <c>127.0.0.1</c>): an address, not a host name.</summary>
    public bool LooksLikeIpAddress => Domain.Split('.').All(l => l.All(char.IsAsciiDigit));

    /// <summary>True for a wildcard directly under a single label (e.g. <c>*.com</c>).</summary>
    public bool IsBroadWildcard => IsWildcard && !Domain.Contains('.', StringComparison.Ordinal);

    /// <summary>Parses a pattern; returns false with a human-readable reason when it is not valid.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out MxPattern? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        error = Check(text);
        if (error is not null)
        {
            return false;
        }

        var wildcard = text!.StartsWith("*.", StringComparison.Ordinal);
        pattern = new MxPattern(text, wildcard, (wildcard ? text[2..] : text).ToLowerInvariant());
        return true;
    }

    /// <summary>Parses a pattern; returns false when it is not valid.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out MxPattern? pattern) => TryParse(text, out pattern, out _);

    /// <summary>Parses a pattern known to be valid; throws <see cref="FormatException"/> otherwise.</summary>
    public static MxPattern Parse(string text) =>
        TryParse(text, out var p, out var error) ? p : throw new FormatException($"Invalid mx pattern \"{text}\": {error}.");

    /// <summary>
    /// True when <paramref name="host"/> (an MX host name; case, a trailing dot and U-labels are tolerated)
    /// matches: exactly, or for a wildcard, one non-empty label followed by <see cref="Domain"/> (RFC 8461 §4.1).
    /// </summary>
    public bool Matches(string? host)
    {
        var h = NormalizeHost(host);
        return h is not null && MatchesNormalized(h);
    }

    public override string ToString() => Text;

    internal static string? NormalizeHost(string? host)
    {
        var h = DnsName.TryNormalize(host);
        return h is not null && DnsName.IsLdhDomain(h) ? h : null;
    }

    internal bool MatchesNormalized(string host)
    {
        if (!IsWildcard)
        {
            return string.Equals(host, Domain, StringComparison.Ordinal);
        }

        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && host.AsSpan(dot + 1).SequenceEqual(Domain);
    }

    private static string? Check(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "the value is empty";
        }

        var domain = text.StartsWith("*.", StringComparison.Ordinal) ? text[2..] : text;
        if (domain.Length == 0)
        {
            return "\"*.\" must be followed by a domain";
        }

        foreach (var c in domain)
        {
            if (c > 0x7F)
            {
                return NonAscii(domain, c);
            }
        }

        if (domain.Contains('*', StringComparison.Ordinal))
        {
            return "'*' is allowed only as the complete left-most label \"*.\" (no partial-label or nested wildcards)";
        }

        if (domain.EndsWith('.'))
        {
            return "it ends with '.'; write the name without the trailing root dot";
        }

        if (DnsName.IsLdhDomain(domain))
        {
            return null;
        }

        if (domain.Length > DnsName.MaxLength)
        {
            return $"the name has {domain.Length} characters; at most {DnsName.MaxLength} are allowed";
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length == 0)
            {
                return "it contains an empty label (two dots in a row or a leading dot)";
            }

            if (label.Length > 63)
            {
                return $"the label \"{StsSyntax.Clip(label, 20)}\" has {label.Length} characters; at most 63 are allowed";
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return $"it contains {TxtFieldGrammar.Describe(c)}; host names have only letters, digits, '-' and '.'";
                }
            }

            if (label.StartsWith('-') || label.EndsWith('-'))
            {
                return $"the label \"{label}\" starts or ends with '-'";
            }
        }

        return "it is not a valid domain name";
    }

    private static string NonAscii(string domain, char c)
    {
        try
        {
            var alabel = Idn.GetAscii(domain);
            return $"it contains the non-ASCII character {TxtFieldGrammar.Describe(c)}; IDN names MUST be written as A-labels: \"{alabel}\"";
        }
        catch (ArgumentException)
        {
            return $"it contains the non-ASCII character {TxtFieldGrammar.Describe(c)}; IDN names MUST be written as A-labels (xn--...)";
        }
    }
}
