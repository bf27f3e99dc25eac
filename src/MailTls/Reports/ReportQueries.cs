namespace MailTls.Reports;

/// <summary>What <c>reports summary</c> groups by.</summary>
public enum SummaryGrouping
{
    None,
    ResultType,
    Sender,
    Mx,
    Ip,
    Day,
    Policy,
}

/// <summary>Filters of the analysis queries; null means "any". Only current revisions are counted.</summary>
public sealed record SummaryQuery(
    string? Domain = null,
    DateTimeOffset? Since = null,
    string? PolicyType = null,
    SummaryGrouping By = SummaryGrouping.None);

/// <summary>
/// Design §4: <c>reports</c> (stored reports matching the filters), <c>successful_sessions</c> / <c>failed_sessions</c>
/// (sums over every matching policy of every report, as reported), and the grouped rows.
/// </summary>
public sealed record SummaryResult(long Reports, long SuccessfulSessions, long FailedSessions, IReadOnlyList<SummaryRow> Rows);

/// <summary>
/// One group. <see cref="Key"/> names the group (result type, sender, MX host, IP, ISO day or policy); for
/// result-type / mx / ip rows the session counts come from failure details (<see cref="SuccessfulSessions"/> is 0)
/// and <see cref="ResultType"/> names the failure type of the row.
/// </summary>
public sealed record SummaryRow(string Key, long Reports, long SuccessfulSessions, long FailedSessions, string? ResultType = null);

/// <summary>A stored report as <c>reports show</c> prints it.</summary>
public sealed record StoredReport(
    long StoreId,
    string Sender,
    string? OrganizationName,
    string? ContactInfo,
    string ReportId,
    DateTimeOffset Start,
    DateTimeOffset End,
    int Revision,
    bool IsCurrent,
    string ContentSha256,
    string SourceKind,
    string? SourceName,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<StoredDeviation> Deviations,
    IReadOnlyList<NormalizedPolicy> Policies);

/// <summary>A deviation (finding) stored with a report.</summary>
public sealed record StoredDeviation(string Code, string Severity, string Message);

/// <summary>One (sender, day, policy-type) cell of a domain's reporting coverage.</summary>
public sealed record CoverageCell(string Sender, long Day, string PolicyType, long Reports, long SuccessfulSessions, long FailedSessions);

/// <summary>Failures of a domain grouped by policy-type, result-type and receiving MX host.</summary>
public sealed record FailureCell(string PolicyType, string ResultType, string? ReceivingMx, long FailedSessions, string? FailureReasonCode);

/// <summary>An STS policy as senders reported applying it, with how often and when last.</summary>
public sealed record SeenPolicy(string Sender, string? Mode, long? MaxAge, IReadOnlyList<string> Mx, long Reports, long LastDay);

/// <summary>Everything readiness needs about one domain over a window, read in a few aggregate queries.</summary>
public sealed record ReadinessData(IReadOnlyList<CoverageCell> Coverage, IReadOnlyList<FailureCell> Failures, IReadOnlyList<SeenPolicy> Policies);

/// <summary>Sessions per UTC day, for charts.</summary>
public sealed record DailyPoint(long Day, long SuccessfulSessions, long FailedSessions)
{
    public DateOnly Date => DateOnly.FromDayNumber((int)(Day + DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber));
}

/// <summary>Counts of what a store holds.</summary>
public sealed record StoreCounts(long Reports, long CurrentReports, long Quarantined);
