using System.Text.Json.Serialization;

namespace MailTls.TlsRpt;

/// <summary>
/// An aggregate TLS report (RFC 8460 §4.4), as read tolerantly by <see cref="TlsRptReportReader"/>. Property names
/// mirror the JSON keys. Fields the sender left out are null (strings) or 0 (counts) and are flagged by the reader.
/// Keys not in RFC 8460 are kept verbatim in <see cref="UnknownFields"/> (raw JSON text), so nothing is lost.
/// Equality is structural (lists compared element by element).
/// </summary>
public sealed record TlsRptReport
{
    [JsonPropertyName("organization-name")]
    public string? OrganizationName { get; init; }

    [JsonPropertyName("date-range")]
    public TlsRptDateRange? DateRange { get; init; }

    /// <summary>RFC 5321 addr-spec of the reporter; <c>null</c> is seen in the wild (notes Q6).</summary>
    [JsonPropertyName("contact-info")]
    public string? ContactInfo { get; init; }

    [JsonPropertyName("report-id")]
    public string? ReportId { get; init; }

    [JsonPropertyName("policies")]
    public IReadOnlyList<TlsRptPolicyReport> Policies { get; init; } = [];

    /// <summary>Keys not defined by RFC 8460, name → raw JSON value.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> UnknownFields { get; init; } = TlsRptEquality.EmptyFields;

    /// <summary>
    /// Sum of <c>total-successful-session-count</c> over every policy, as reported. A sender may report the same
    /// sessions under an sts and a tlsa policy (RFC 8460 §4, notes Q13), so this can exceed the number of sessions.
    /// </summary>
    [JsonIgnore]
    public long TotalSuccessfulSessions => Policies.Sum(p => p.Summary.TotalSuccessfulSessionCount);

    /// <summary>Sum of <c>total-failure-session-count</c> over every policy, as reported (see <see cref="TotalSuccessfulSessions"/>).</summary>
    [JsonIgnore]
    public long TotalFailureSessions => Policies.Sum(p => p.Summary.TotalFailureSessionCount);

    public bool Equals(TlsRptReport? other) =>
        other is not null
        && OrganizationName == other.OrganizationName
        && Equals(DateRange, other.DateRange)
        && ContactInfo == other.ContactInfo
        && ReportId == other.ReportId
        && Policies.SequenceEqual(other.Policies)
        && TlsRptEquality.FieldsEqual(UnknownFields, other.UnknownFields);

    public override int GetHashCode() => HashCode.Combine(OrganizationName, ReportId, Policies.Count);
}

/// <summary><c>date-range</c> (RFC 8460 §4.4): RFC 3339 date-times; normally one UTC day (§4.1).</summary>
public sealed record TlsRptDateRange(
    [property: JsonPropertyName("start-datetime")] DateTimeOffset StartDatetime,
    [property: JsonPropertyName("end-datetime")] DateTimeOffset EndDatetime);

/// <summary>One element of <c>policies</c> (RFC 8460 §4.4): the policy applied, its summary and failure details.</summary>
public sealed record TlsRptPolicyReport
{
    [JsonPropertyName("policy")]
    public TlsRptPolicy Policy { get; init; } = new();

    [JsonPropertyName("summary")]
    public TlsRptSummary Summary { get; init; } = new();

    /// <summary>Null when the key was absent (Google, Microsoft), empty when sent as <c>[]</c> (notes Q7).</summary>
    [JsonPropertyName("failure-details")]
    public IReadOnlyList<TlsRptFailureDetail>? FailureDetails { get; init; }

    [JsonIgnore]
    public IReadOnlyDictionary<string, string> UnknownFields { get; init; } = TlsRptEquality.EmptyFields;

    public bool Equals(TlsRptPolicyReport? other) =>
        other is not null
        && Policy.Equals(other.Policy)
        && Summary.Equals(other.Summary)
        && TlsRptEquality.ListEqual(FailureDetails, other.FailureDetails)
        && TlsRptEquality.FieldsEqual(UnknownFields, other.UnknownFields);

    public override int GetHashCode() => HashCode.Combine(Policy, Summary, FailureDetails?.Count);
}

/// <summary>
/// <c>policy</c> (RFC 8460 §4.4). <see cref="PolicyType"/> is derived from <see cref="RawPolicyType"/>, the exact
/// string sent; setting <see cref="PolicyType"/> sets the raw value to the wire name.
/// </summary>
public sealed record TlsRptPolicy
{
    private readonly string? rawPolicyType;

    [JsonIgnore]
    public TlsRptPolicyType PolicyType
    {
        get => TlsRptWireNames.ParsePolicyType(rawPolicyType);
        init => rawPolicyType = TlsRptWireNames.ToWire(value);
    }

    [JsonPropertyName("policy-type")]
    public string? RawPolicyType
    {
        get => rawPolicyType;
        init => rawPolicyType = value;
    }

    /// <summary>One element per policy line or TLSA RR (§4.5); Microsoft's JSON-array-in-a-string is unwrapped (Q3). Null when absent.</summary>
    [JsonPropertyName("policy-string")]
    public IReadOnlyList<string>? PolicyString { get; init; }

    [JsonPropertyName("policy-domain")]
    public string? PolicyDomain { get; init; }

    /// <summary>MX host patterns (an array per erratum EID 6241); a single string is accepted and "mx: " prefixes stripped (Q2). Null when absent.</summary>
    [JsonPropertyName("mx-host")]
    public IReadOnlyList<string>? MxHost { get; init; }

    [JsonIgnore]
    public IReadOnlyDictionary<string, string> UnknownFields { get; init; } = TlsRptEquality.EmptyFields;

    public bool Equals(TlsRptPolicy? other) =>
        other is not null
        && rawPolicyType == other.rawPolicyType
        && TlsRptEquality.ListEqual(PolicyString, other.PolicyString)
        && PolicyDomain == other.PolicyDomain
        && TlsRptEquality.ListEqual(MxHost, other.MxHost)
        && TlsRptEquality.FieldsEqual(UnknownFields, other.UnknownFields);

    public override int GetHashCode() => HashCode.Combine(rawPolicyType, PolicyDomain);
}

/// <summary><c>summary</c> (RFC 8460 §4.2, §4.4).</summary>
public sealed record TlsRptSummary
{
    [JsonPropertyName("total-successful-session-count")]
    public long TotalSuccessfulSessionCount { get; init; }

    [JsonPropertyName("total-failure-session-count")]
    public long TotalFailureSessionCount { get; init; }

    [JsonIgnore]
    public IReadOnlyDictionary<string, string> UnknownFields { get; init; } = TlsRptEquality.EmptyFields;

    public bool Equals(TlsRptSummary? other) =>
        other is not null
        && TotalSuccessfulSessionCount == other.TotalSuccessfulSessionCount
        && TotalFailureSessionCount == other.TotalFailureSessionCount
        && TlsRptEquality.FieldsEqual(UnknownFields, other.UnknownFields);

    public override int GetHashCode() => HashCode.Combine(TotalSuccessfulSessionCount, TotalFailureSessionCount);
}

/// <summary>
/// One <c>failure-details</c> entry (RFC 8460 §4.3, §4.4). IP fields are kept as sent (syntax is checked by the
/// reader). <see cref="ResultType"/> is derived from <see cref="RawResultType"/>.
/// </summary>
public sealed record TlsRptFailureDetail
{
    private readonly string? rawResultType;

    [JsonIgnore]
    public TlsRptResultType ResultType
    {
        get => TlsRptWireNames.ParseResultType(rawResultType);
        init => rawResultType = TlsRptWireNames.ToWire(value);
    }

    [JsonPropertyName("result-type")]
    public string? RawResultType
    {
        get => rawResultType;
        init => rawResultType = value;
    }

    [JsonPropertyName("sending-mta-ip")]
    public string? SendingMtaIp { get; init; }

    [JsonPropertyName("receiving-mx-hostname")]
    public string? ReceivingMxHostname { get; init; }

    [JsonPropertyName("receiving-mx-helo")]
    public string? ReceivingMxHelo { get; init; }

    [JsonPropertyName("receiving-ip")]
    public string? ReceivingIp { get; init; }

    [JsonPropertyName("failed-session-count")]
    public long FailedSessionCount { get; init; }

    /// <summary>Optional URI (§4.4); also read from the misspelt key <c>additional-info-uri</c> (Q1).</summary>
    [JsonPropertyName("additional-information")]
    public string? AdditionalInformation { get; init; }

    [JsonPropertyName("failure-reason-code")]
    public string? FailureReasonCode { get; init; }

    [JsonIgnore]
    public IReadOnlyDictionary<string, string> UnknownFields { get; init; } = TlsRptEquality.EmptyFields;

    public bool Equals(TlsRptFailureDetail? other) =>
        other is not null
        && rawResultType == other.rawResultType
        && SendingMtaIp == other.SendingMtaIp
        && ReceivingMxHostname == other.ReceivingMxHostname
        && ReceivingMxHelo == other.ReceivingMxHelo
        && ReceivingIp == other.ReceivingIp
        && FailedSessionCount == other.FailedSessionCount
        && AdditionalInformation == other.AdditionalInformation
        && FailureReasonCode == other.FailureReasonCode
        && TlsRptEquality.FieldsEqual(UnknownFields, other.UnknownFields);

    public override int GetHashCode() => HashCode.Combine(rawResultType, SendingMtaIp, ReceivingMxHostname, FailedSessionCount);
}

internal static class TlsRptEquality
{
    public static readonly IReadOnlyDictionary<string, string> EmptyFields =
        new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    public static bool ListEqual<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    public static bool FieldsEqual(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
