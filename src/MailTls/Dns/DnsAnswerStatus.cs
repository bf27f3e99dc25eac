namespace MailTls.Dns;

/// <summary>
/// Outcome of one DNS lookup. Failures are never collapsed into "no record": NXDOMAIN and NODATA prove absence,
/// SERVFAIL and timeouts are temporary (RFC 8461 §3.1, RFC 7672 §2.1).
/// </summary>
public enum DnsAnswerStatus
{
    /// <summary>NOERROR with at least one record of the asked type.</summary>
    Answer = 0,

    /// <summary>NOERROR without records of the asked type.</summary>
    NoData = 1,

    /// <summary>The name does not exist.</summary>
    NxDomain = 2,

    /// <summary>The server failed (also: DNSSEC bogus at a validating resolver).</summary>
    ServFail = 3,

    /// <summary>No answer in time.</summary>
    Timeout = 4,
}

/// <summary>Extensions over <see cref="DnsAnswerStatus"/>.</summary>
public static class DnsAnswerStatusExtensions
{
    /// <summary>True for outcomes that prove absence (NXDOMAIN, NODATA).</summary>
    public static bool IsAbsent(this DnsAnswerStatus status) => status is DnsAnswerStatus.NoData or DnsAnswerStatus.NxDomain;

    /// <summary>True for outcomes that may change on retry (SERVFAIL, timeout).</summary>
    public static bool IsTemporary(this DnsAnswerStatus status) => status is DnsAnswerStatus.ServFail or DnsAnswerStatus.Timeout;
}
