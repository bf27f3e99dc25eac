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

        if (problem is not null)
        {
            findings.Add(TlsRptFindings.RecordRuaInvalidUri.Create(Subject, $"rua entry \"{part}\" is invalid: {problem}.",
                FindingList.Evidence(("record", record), ("uri", part))));
            return null;
        }

        // Scheme-specific checks first: RFC 3986 accepts "https:/path" and "mailto:a@@b", which are still unusable.
        var scheme = part[..part.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant();
        if (scheme == "mailto" && !IsValidMailto(part["mailto:".Length..]))
        {
            findings.Add(TlsRptFindings.RecordRuaMailtoInvalid.Create(Subject,
                $"\"{part}\" does not hold a valid e-mail address.", FindingList.Evidence(("record", record), ("uri", part))));
            return null;
        }

        if (scheme == "https" && !HasAuthority(part["https:".Length..]))
        {
            findings.Add(TlsRptFindings.RecordRuaHttpsInvalid.Create(Subject,
                $"\"{part}\" has no host.", FindingList.Evidence(("record", record), ("uri", part))));
            return null;
        }

        if (!Uri.TryCreate(part, UriKind.Absolute, out var uri))
        {
            findings.Add(TlsRptFindings.RecordRuaInvalidUri.Create(Subject, $"rua entry \"{part}\" is invalid: it is not an absolute URI.",
                FindingList.Evidence(("record", record), ("uri", part))));
            return null;
        }

        if (scheme == "http")
        {
            findings.Add(TlsRptFindings.RecordRuaHttp.Create(Subject,
                $"\"{part}\" uses http:; senders only POST to https:.", FindingList.Evidence(("record", record), ("uri", part))));
        }
        else if (scheme is not ("mailto" or "https"))
        {
            findings.Add(TlsRptFindings.RecordRuaUnsupportedScheme.Create(Subject,
                $"\"{part}\" uses the scheme \"{scheme}:\"; only mailto: and https: are defined.",
                FindingList.Evidence(("record", record), ("uri", part))));
        }

        return uri;
    }

    /// <summary>"//" authority with a non-empty host (RFC 3986 §3.2), ignoring userinfo and port.</summary>
    private static bool HasAuthority(string rest)
    {
        if (!rest.StartsWith("//", StringComparison.Ordinal))
        {
            return false;
        }

        var end = rest.IndexOfAny(['/', '?', '#'], 2);
        var authority = end < 0 ? rest[2..] : rest[2..end];
        var at = authority.LastIndexOf('@');
        var host = at >= 0 ? authority[(at + 1)..] : authority;
        if (host.StartsWith('['))
        {
            return host.Length > 2;
        }

        var colon = host.LastIndexOf(':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        return host.Length > 0;
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
