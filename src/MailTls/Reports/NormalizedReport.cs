using System.Globalization;
using MailTls.Findings;

namespace MailTls.Reports;

/// <summary>
/// A report ready to store: the natural key (sending-organisation key, report-id, start, end; notes §0.3), the
/// SHA-256 of its decompressed JSON, the deviations the reader found (finding codes, notes §0.1), the raw payload
/// (compressed) and its policies with parsed policy strings. Built by <see cref="ReportNormalizer"/>.
/// </summary>
public sealed record NormalizedReport
{
    /// <summary>Sending-organisation key: the contact-info domain (lower case), else the organization-name (notes Q23).</summary>
    public required string Sender { get; init; }

    public string? OrganizationName { get; init; }

    public string? ContactInfo { get; init; }

    public required string ReportId { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    /// <summary>SHA-256 of the decompressed JSON (BOM stripped): same key and hash = the same report.</summary>
    public required byte[] ContentSha256 { get; init; }

    public required IReadOnlyList<NormalizedPolicy> Policies { get; init; }

    /// <summary>Every tolerated deviation (reader, message and envelope findings), in the order found.</summary>
    public required IReadOnlyList<Finding> Deviations { get; init; }

    public required ReportSource Source { get; init; }

    /// <summary>gzip or zip: the raw payload as received when it was compressed, else gzip of the JSON.</summary>
    public required string RawFormat { get; init; }

    public required byte[] RawCompressed { get; init; }

    /// <summary>Sum of total-successful-session-count over every policy, as reported (design §4).</summary>
    public long SuccessfulSessions => Policies.Sum(p => p.SuccessfulSessions);

    /// <summary>Sum of total-failure-session-count over every policy, as reported (design §4).</summary>
    public long FailedSessions => Policies.Sum(p => p.FailedSessions);

    /// <summary>One string for the natural key; used to order writes and to lock it.</summary>
    public string NaturalKey => string.Create(CultureInfo.InvariantCulture, $"{Sender}\n{ReportId}\n{Start.ToUnixTimeSeconds()}\n{End.ToUnixTimeSeconds()}");

    /// <summary>UTC day number (days since 1970-01-01) of start-datetime: reports are bucketed by it (notes Q9).</summary>
    public long Day => DayOf(Start);

    public static long DayOf(DateTimeOffset t) => (long)Math.Floor(t.ToUnixTimeSeconds() / 86400.0);
}

/// <summary>One policy of a report, normalised: policy strings parsed (STS mode, max_age, mx; TLSA records).</summary>
public sealed record NormalizedPolicy
{
    /// <summary>The policy-type as sent (sts, tlsa, no-policy-found, or an unknown value kept verbatim, notes Q12).</summary>
    public required string PolicyType { get; init; }

    /// <summary>policy-domain, or the envelope / file-name fallback when the sender left it out (notes Q5).</summary>
    public string? PolicyDomain { get; init; }

    public IReadOnlyList<string>? PolicyStrings { get; init; }

    public IReadOnlyList<string>? MxHosts { get; init; }

    /// <summary>STS policy-string parsed with the MTA-STS policy parser: mode (testing/enforce/none), null if not STS or unparseable.</summary>
    public string? StsMode { get; init; }

    public long? StsMaxAge { get; init; }

    public IReadOnlyList<string>? StsMx { get; init; }

    /// <summary>TLSA policy-string entries that parse as TLSA RDATA (usage selector matching data), in presentation form.</summary>
    public IReadOnlyList<string>? TlsaRecords { get; init; }

    public long SuccessfulSessions { get; init; }

    public long FailedSessions { get; init; }

    public IReadOnlyList<NormalizedFailure> Failures { get; init; } = [];
}

/// <summary>One failure-details entry (RFC 8460 §4.3); result-type kept as sent.</summary>
public sealed record NormalizedFailure(
    string ResultType,
    string? SendingMtaIp,
    string? ReceivingMxHostname,
    string? ReceivingMxHelo,
    string? ReceivingIp,
    long FailedSessions,
    string? AdditionalInformation,
    string? FailureReasonCode);
