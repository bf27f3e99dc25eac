namespace MailTls.Reports;

/// <summary>
/// Filters of a report listing; null means "any". Only current revisions are listed (the ones the summary counts).
/// <see cref="Domain"/> and <see cref="Since"/> mean what they mean in <see cref="SummaryQuery"/>: a report is listed
/// when one of its policies is for the domain, and its sessions are summed over those policies only, so the listing
/// of one domain adds up to <c>reports summary --domain</c>.
/// </summary>
public sealed record ReportListQuery(
    string? Domain = null,
    string? Sender = null,
    DateTimeOffset? Since = null,
    string? ResultType = null,
    int Offset = 0,
    int Limit = 50);

/// <summary>One row of a listing: the stored report and the sessions of its policies that match the domain filter.</summary>
public sealed record ReportListItem(
    long StoreId,
    string Sender,
    string? OrganizationName,
    string ReportId,
    DateTimeOffset Start,
    DateTimeOffset End,
    int Revision,
    long SuccessfulSessions,
    long FailedSessions,
    int Deviations,
    IReadOnlyList<string> Domains,
    IReadOnlyList<string> ResultTypes);

/// <summary>A page of a listing and how many reports match in all.</summary>
public sealed record ReportListPage(long Total, IReadOnlyList<ReportListItem> Items);

/// <summary>The values the listing's filters can take in a store: policy domains, senders and result types of current revisions.</summary>
public sealed record ReportFilterValues(IReadOnlyList<string> Domains, IReadOnlyList<string> Senders, IReadOnlyList<string> ResultTypes);

/// <summary>
/// Browsing a report store (the dashboard's report list and report page): listings with filters and paging, one
/// report by its store id with its raw JSON, and the values the filters can take.
/// </summary>
public interface IReportBrowser
{
    Task<ReportListPage> ListReportsAsync(ReportListQuery query, CancellationToken cancellationToken = default);

    /// <summary>The stored report with this store id (any revision), or null.</summary>
    Task<StoredReport?> GetReportAsync(long storeId, CancellationToken cancellationToken = default);

    /// <summary>The report's JSON as received (decompressed from the stored raw payload), or null when there is no such report.</summary>
    Task<string?> RawJsonAsync(long storeId, CancellationToken cancellationToken = default);

    Task<ReportFilterValues> FilterValuesAsync(CancellationToken cancellationToken = default);
}
