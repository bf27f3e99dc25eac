namespace MailTls.MtaSts;

/// <summary>The policy mode (RFC 8461 §3.2 <c>sts-policy-mode-value</c>, semantics in §5).</summary>
public enum StsMode
{
    /// <summary><c>none</c>: the domain has no active policy; senders apply no MTA-STS checks.</summary>
    None = 0,

    /// <summary><c>testing</c>: senders report failures (TLS-RPT) but still deliver.</summary>
    Testing = 1,

    /// <summary><c>enforce</c>: senders MUST NOT deliver to MX hosts that fail MX or certificate validation.</summary>
    Enforce = 2,
}

/// <summary>Wire names of <see cref="StsMode"/> (case-sensitive, RFC 7405 <c>%s</c>).</summary>
public static class StsModeNames
{
    /// <summary>The wire value: <c>none</c>, <c>testing</c> or <c>enforce</c>.</summary>
    public static string ToWireName(this StsMode mode) => mode switch
    {
        StsMode.None => "none",
        StsMode.Testing => "testing",
        StsMode.Enforce => "enforce",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown MTA-STS mode."),
    };

    /// <summary>Parses an exact (case-sensitive) wire value.</summary>
    public static bool TryParse(string? value, out StsMode mode)
    {
        switch (value)
        {
            case "none":
                mode = StsMode.None;
                return true;
            case "testing":
                mode = StsMode.Testing;
                return true;
            case "enforce":
                mode = StsMode.Enforce;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}
