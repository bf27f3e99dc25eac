using System.Globalization;
using MailTls.Dns;
using MailTls.Findings;
namespace MailTls.MtaSts;

/// <summary>
/// Per-line field handling for <see cref="StsPolicyParser"/>: known fields (first wins, mx repeats), extension
/// syntax, likely typos, and the whole-policy checks once every line is seen.
/// </summary>
internal sealed class PolicyBuilder(StsPolicyParser.Sink sink)
{
    private static readonly string[] KnownKeys = ["version", "mode", "max_age", "mx"];
    private const string Subject = StsPolicyParser.Subject;

    private readonly List<MxPattern> mx = [];
    private readonly List<StsExtension> extensions = [];
    private readonly Dictionary<string, int> firstLine = new(StringComparer.Ordinal);
    private string? version;
    private StsMode? mode;
    private long? maxAge;
    private bool modeSeen;

    public void AddLine(int number, string line)
    {
        if (TxtFieldGrammar.IsWsp(line[0]))
        {
            sink.Add(StsFindings.PolicySyntax.Create(Subject,
                $"Line {number} starts with whitespace; a field name must start at the beginning of the line.", StsPolicyParser.Evidence(number)));
            return;
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            sink.Add(StsFindings.PolicySyntax.Create(Subject,
                $"Line {number} (\"{StsSyntax.Clip(line, 60)}\") has no ':'; every line is \"key: value\".", StsPolicyParser.Evidence(number)));
            return;
        }

        var key = line[..colon];
        if (key.Length == 0)
        {
            sink.Add(StsFindings.PolicySyntax.Create(Subject, $"Line {number} has an empty key before ':'.", StsPolicyParser.Evidence(number)));
            return;
        }

        if (TxtFieldGrammar.IsWsp(key[^1]))
        {
            sink.Add(StsFindings.PolicySyntax.Create(Subject,
                $"Line {number} has whitespace before ':' (\"{StsSyntax.Clip(key, 40)}:\"); write \"{key.TrimEnd(' ', '\t')}:\" (whitespace is allowed only after ':').",
                StsPolicyParser.Evidence(number, ("key", key))));
            return;
        }

        var nameError = TxtFieldGrammar.CheckExtName(key);
        if (nameError is not null)
        {
            sink.Add(StsFindings.PolicyBadExtension.Create(Subject,
                $"Line {number}: invalid key \"{StsSyntax.Clip(key, 40)}\": {nameError}.", StsPolicyParser.Evidence(number, ("key", StsSyntax.Clip(key, 40)))));
            return;
        }

        var valueStart = colon + 1;
        while (valueStart < line.Length && TxtFieldGrammar.IsWsp(line[valueStart]))
        {
            valueStart++;
        }

        var value = line[valueStart..].TrimEnd(' ', '\t');
        var column = valueStart + 1;
        if (key == "mx")
        {
            AddMx(number, value);
            return;
        }

        if (firstLine.TryGetValue(key, out var first))
        {
            // A later duplicate is ignored, but it still has to be a syntactically valid field (it matches the
            // generic extension production), or the body is not a valid policy.
            if (CheckExtValue(number, key, value, column))
            {
                sink.Add(StsFindings.PolicyDuplicateField.Create(Subject,
                    $"Line {number} repeats \"{key}\" (first on line {first}); only the first is used, \"{StsSyntax.Clip(value, 60)}\" is ignored.",
                    StsPolicyParser.Evidence(number, ("key", key), ("first_line", first.ToString(CultureInfo.InvariantCulture)))));
            }

            return;
        }

        firstLine[key] = number;
        switch (key)
        {
            case "version":
                SetVersion(number, value);
                break;
            case "mode":
                SetMode(number, value);
                break;
            case "max_age":
                SetMaxAge(number, value);
                break;
            default:
                if (CheckExtValue(number, key, value, column))
                {
                    extensions.Add(new StsExtension(key, value));
                }

                CheckTypo(number, key);

                break;
        }
    }

    public StsPolicy? Build(string rawText)
    {
        if (version is null && !firstLine.ContainsKey("version"))
        {
            sink.Add(StsFindings.PolicyMissingVersion.Create(Subject, "The policy has no \"version\" line.", FindingList.Evidence(("field", "version"))));
        }

        if (!modeSeen)
        {
            sink.Add(StsFindings.PolicyMissingMode.Create(Subject, "The policy has no \"mode\" line.", FindingList.Evidence(("field", "mode"))));
        }

        if (!firstLine.ContainsKey("max_age"))
        {
            sink.Add(StsFindings.PolicyMissingMaxAge.Create(Subject, "The policy has no \"max_age\" line.", FindingList.Evidence(("field", "max_age"))));
        }

        if (mode is StsMode.Testing or StsMode.Enforce && mx.Count == 0 && !firstLine.ContainsKey("mx"))
        {
            sink.Add(StsFindings.PolicyMissingMx.Create(Subject,
                $"The policy has mode {mode.Value.ToWireName()} but no \"mx\" line; at least one is required unless the mode is none.",
                FindingList.Evidence(("field", "mx"))));
        }

        if (mode is StsMode.Testing or StsMode.Enforce && maxAge is { } age)
        {
            var line = firstLine["max_age"];
            if (age < Limits.StsMaxAgeShort)
            {
                sink.Add(StsFindings.PolicyMaxAgeShort.Create(Subject,
                    $"Line {line}: max_age {age} is shorter than one day ({Limits.StsMaxAgeShort} seconds).", StsPolicyParser.Evidence(line, ("max_age", age.ToString(CultureInfo.InvariantCulture)))));
            }
            else if (age < Limits.StsMaxAgeRecommended)
            {
                sink.Add(StsFindings.PolicyMaxAgeBelowWeek.Create(Subject,
                    $"Line {line}: max_age {age} is shorter than one week ({Limits.StsMaxAgeRecommended} seconds).", StsPolicyParser.Evidence(line, ("max_age", age.ToString(CultureInfo.InvariantCulture)))));
            }
        }

        if (mode == StsMode.None)
        {
            sink.Add(StsFindings.PolicyModeNone.Create(Subject,
                $"Line {firstLine["mode"]}: mode none disables MTA-STS protection for this domain.", StsPolicyParser.Evidence(firstLine["mode"])));
        }
        else if (mode == StsMode.Testing)
        {
            sink.Add(StsFindings.PolicyModeTesting.Create(Subject,
                $"Line {firstLine["mode"]}: mode testing reports failures but does not stop delivery over unprotected connections.", StsPolicyParser.Evidence(firstLine["mode"])));
        }

        return version is not null && mode is { } m && maxAge is { } a
            ? new StsPolicy(version, m, a, mx.ToArray(), extensions.ToArray(), rawText)
            : null;
    }

    private void SetVersion(int number, string value)
    {
        if (value == StsPolicy.CurrentVersion)
        {
            version = value;
            return;
        }

        var hint = string.Equals(value, StsPolicy.CurrentVersion, StringComparison.OrdinalIgnoreCase) ? " (the value is case-sensitive)" : string.Empty;
        sink.Add(StsFindings.PolicyBadVersion.Create(Subject,
            $"Line {number}: version is \"{StsSyntax.Clip(value, 40)}\", not \"STSv1\"{hint}.", StsPolicyParser.Evidence(number, ("value", StsSyntax.Clip(value, 40)))));
    }

    private void SetMode(int number, string value)
    {
        modeSeen = true;
        if (StsModeNames.TryParse(value, out var m))
        {
            mode = m;
            return;
        }

        var hint = StsModeNames.TryParse(value.ToLowerInvariant(), out _) ? " (the value is case-sensitive: use lower case)" : string.Empty;
        sink.Add(StsFindings.PolicyBadMode.Create(Subject,
            $"Line {number}: mode is \"{StsSyntax.Clip(value, 40)}\", not none, testing or enforce{hint}.", StsPolicyParser.Evidence(number, ("value", StsSyntax.Clip(value, 40)))));
    }

    private void SetMaxAge(int number, string value)
    {
        string? error = null;
        if (value.Length == 0)
        {
            error = "max_age is empty";
        }
        else if (value.AsSpan().IndexOfAnyExceptInRange('0', '9') is var bad and >= 0)
        {
            error = $"max_age \"{StsSyntax.Clip(value, 40)}\" contains {TxtFieldGrammar.Describe(value[bad])}; only the digits 0-9 are allowed (no sign, unit or decimal point)";
        }
        else if (value.Length > 10)
        {
            error = $"max_age has {value.Length} digits; at most 10 are allowed";
        }
        else
        {
            var v = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            if (v > Limits.StsMaxAgeMax)
            {
                error = $"max_age {v} is larger than the maximum {Limits.StsMaxAgeMax} (about one year)";
            }
            else
            {
                maxAge = v;
                return;
            }
        }

        sink.Add(StsFindings.PolicyBadMaxAge.Create(Subject, $"Line {number}: {error}.", StsPolicyParser.Evidence(number, ("value", StsSyntax.Clip(value, 40)))));
    }

    private void AddMx(int number, string value)
    {
        firstLine.TryAdd("mx", number);
        if (!MxPattern.TryParse(value, out var pattern, out var error))
        {
            sink.Add(StsFindings.PolicyBadMx.Create(Subject,
                $"Line {number}: mx \"{StsSyntax.Clip(value, 60)}\" is invalid: {error}.", StsPolicyParser.Evidence(number, ("value", StsSyntax.Clip(value, 60)))));
            return;
        }

        mx.Add(pattern);
        if (pattern.LooksLikeIpAddress)
        {
            sink.Add(StsFindings.PolicyMxIpLiteral.Create(Subject,
                $"Line {number}: mx \"{value}\" is an IP address, not a host name; MX host names never match it.", StsPolicyParser.Evidence(number, ("value", value))));
        }
        else if (pattern.IsBroadWildcard)
        {
            sink.Add(StsFindings.PolicyBroadWildcard.Create(Subject,
                $"Line {number}: mx \"{value}\" authorises every host directly under \"{pattern.Domain}\".", StsPolicyParser.Evidence(number, ("value", value))));
        }
    }

    /// <summary><c>sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar]</c>.</summary>
    private bool CheckExtValue(int number, string key, string value, int column)
    {
        string? error = null;
        if (value.Length == 0)
        {
            error = "the value is empty";
        }
        else
        {
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c is < ' ' or '\x7F')
                {
                    error = $"the value contains {TxtFieldGrammar.Describe(c)} at column {column + i}; only printable characters and inner spaces are allowed";
                    break;
                }
            }
        }

        if (error is null)
        {
            return true;
        }

        sink.Add(StsFindings.PolicyBadExtension.Create(Subject,
            $"Line {number}: field \"{key}\": {error}.", StsPolicyParser.Evidence(number, ("key", key))));
        return false;
    }

    private void CheckTypo(int number, string key)
    {
        foreach (var known in KnownKeys)
        {
            // Short keys get a tighter threshold, or every 2-letter extension would "look like" mx.
            var allowed = known.Length <= 4 ? 1 : 2;
            if (StsSyntax.EditDistance(key, known) <= allowed)
            {
                sink.Add(StsFindings.PolicyUnknownKeyTypo.Create(Subject,
                    $"Line {number}: unknown key \"{key}\" is ignored by senders; did you mean \"{known}\"?",
                    StsPolicyParser.Evidence(number, ("key", key), ("suggestion", known))));
                return;
            }
        }
    }
}
