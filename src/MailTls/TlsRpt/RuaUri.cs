using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>Validation of one <c>rua</c> URI (RFC 8460 §3: RFC 3986 URI; mailto: or https:).</summary>
internal static class RuaUri
{
    private const string Subject = "TLS-RPT record";

    private static readonly System.Buffers.SearchValues<char> SchemeChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.");

    public static Uri? Validate(string part, string record, List<Finding> findings)
    {
        string? problem = null;
        if (part.Length == 0)
        {
            problem = "an empty URI (a stray or unencoded comma?)";
        }
        else if (!TlsRptGrammar.IsAlpha(part[0]))
        {
            problem = "it does not start with a scheme";
        }
        else
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || part.AsSpan(0, colon).ContainsAnyExcept(SchemeChars))
            {
                problem = "it has no valid scheme";
            }
            else
            {
                for (var i = 0; i < part.Length && problem is null; i++)
                {
                    var c = part[i];
                    if (c == '!')
                    {
                        problem = "\"!\" must be percent-encoded as %21";
                    }
                    else if (c == '%' && (i + 2 >= part.Length || !TlsRptGrammar.IsHex(part[i + 1]) || !TlsRptGrammar.IsHex(part[i + 2])))
                    {
                        problem = "\"%\" is not followed by two hex digits";
                    }
                    else if (!TlsRptGrammar.IsUriChar(c))
                    {
                        problem = c is ' ' or '\t' ? "it contains whitespace" : $"it contains the character '{c}'";
                    }
                }
            }
        }

        Uri? uri = null;
        if (problem is null && !Uri.TryCreate(part, UriKind.Absolute, out uri))
        {
            problem = "it is not an absolute URI";
        }

        if (problem is not null || uri is null)
        {
            findings.Add(TlsRptFindings.RecordRuaInvalidUri.Create(Subject, $"rua entry \"{part}\" is invalid: {problem}.",
                FindingList.Evidence(("record", record), ("uri", part))));
            return null;
        }

        var scheme = part[..part.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant();
        switch (scheme)
        {
            case "mailto":
                if (!IsValidMailto(part["mailto:".Length..]))
                {
                    findings.Add(TlsRptFindings.RecordRuaMailtoInvalid.Create(Subject,
                        $"\"{part}\" does not hold a valid e-mail address.", FindingList.Evidence(("record", record), ("uri", part))));
                    return null;
                }

                break;
            case "https":
                if (!part.AsSpan("https:".Length).StartsWith("//") || string.IsNullOrEmpty(uri.Host))
                {
                    findings.Add(TlsRptFindings.RecordRuaHttpsInvalid.Create(Subject,
                        $"\"{part}\" has no host.", FindingList.Evidence(("record", record), ("uri", part))));
                    return null;
                }

                break;
            case "http":
                findings.Add(TlsRptFindings.RecordRuaHttp.Create(Subject,
                    $"\"{part}\" uses http:; senders only POST to https:.", FindingList.Evidence(("record", record), ("uri", part))));
                break;
            default:
                findings.Add(TlsRptFindings.RecordRuaUnsupportedScheme.Create(Subject,
                    $"\"{part}\" uses the scheme \"{scheme}:\"; only mailto: and https: are defined.",
                    FindingList.Evidence(("record", record), ("uri", part))));
                break;
        }

        return uri;
    }

    private static bool IsValidMailto(string rest)
    {
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var to = q >= 0 ? rest[..q] : rest;
        if (to.Length == 0)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(to);
        }
        catch (UriFormatException)
        {
            return false;
        }

        // RFC 6068: several addresses are separated by (encoded) commas.
        return decoded.Split(',').All(TlsRptGrammar.IsAddrSpec);
    }
}
