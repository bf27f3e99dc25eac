using System.Globalization;
using System.Text;

using MailTls.Dns;
namespace MailTls.MtaSts;

/// <summary>
/// Writes a policy in canonical RFC 8461 §3.2 form: <c>version</c>, <c>mode</c>, one <c>mx</c> line per pattern,
/// <c>max_age</c>, then extensions in order, each as <c>key: value</c>, ending with one line break.
/// </summary>
public static class StsPolicyFormatter
{
    /// <summary>Formats <paramref name="policy"/>; throws <see cref="ArgumentException"/> if it could not parse back.</summary>
    public static string Format(StsPolicy policy, StsLineEnding lineEnding = StsLineEnding.Lf)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Version != StsPolicy.CurrentVersion)
        {
            throw new ArgumentException("Only version STSv1 exists.", nameof(policy));
        }

        return Format(policy.Mode, policy.MaxAge, policy.Mx, policy.Extensions, lineEnding);
    }

    /// <summary>
    /// Formats a policy from its parts. Throws <see cref="ArgumentException"/> for values the grammar does not allow
    /// (max_age outside 0..31557600, no mx unless mode none, malformed or reserved or repeated extension names,
    /// extension values with leading/trailing whitespace or control characters): a programmer error.
    /// </summary>
    public static string Format(StsMode mode, long maxAge, IEnumerable<MxPattern> mx, IEnumerable<StsExtension>? extensions = null, StsLineEnding lineEnding = StsLineEnding.Lf)
    {
        ArgumentNullException.ThrowIfNull(mx);
        if (maxAge is < 0 or > Limits.StsMaxAgeMax)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAge), maxAge, $"max_age is 0..{Limits.StsMaxAgeMax}.");
        }

        var patterns = mx.ToList();
        if (patterns.Count == 0 && mode != StsMode.None)
        {
            throw new ArgumentException("At least one mx pattern is required unless the mode is none.", nameof(mx));
        }

        var nl = lineEnding == StsLineEnding.CrLf ? "\r\n" : "\n";
        var sb = new StringBuilder();
        sb.Append("version: ").Append(StsPolicy.CurrentVersion).Append(nl);
        sb.Append("mode: ").Append(mode.ToWireName()).Append(nl);
        foreach (var p in patterns)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(mx));
            sb.Append("mx: ").Append(p.Text).Append(nl);
        }

        sb.Append("max_age: ").Append(maxAge.ToString(CultureInfo.InvariantCulture)).Append(nl);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ext in extensions ?? [])
        {
            if (ext.Name is null || ext.Value is null || TxtFieldGrammar.CheckExtName(ext.Name) is not null
                || ext.Name is "version" or "mode" or "mx" or "max_age" || !names.Add(ext.Name) || !IsExtValue(ext.Value))
            {
                throw new ArgumentException($"Invalid, reserved or repeated policy extension \"{ext.Name}: {ext.Value}\".", nameof(extensions));
            }

            sb.Append(ext.Name).Append(": ").Append(ext.Value).Append(nl);
        }

        return sb.ToString();
    }

    private static bool IsExtValue(string value) =>
        value.Length > 0 && value[0] != ' ' && value[^1] != ' '
        && value.All(c => c >= ' ' && c != '\x7F')
        && !HasUnpairedSurrogate(value);

    private static bool HasUnpairedSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
