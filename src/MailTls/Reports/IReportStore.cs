namespace MailTls.Reports;

/// <summary>
/// A durable report store (SQLite or PostgreSQL). <see cref="StoreAsync"/> writes a batch in ONE transaction and
/// returns only after it committed, so callers may acknowledge the reports; re-storing the same natural key and
/// content hash is a duplicate, never a second row (notes §0.3).
/// </summary>
public interface IReportStore : IAsyncDisposable
{
    /// <summary>Where the store is (path or URL without password), for messages.</summary>
    string Description { get; }

    /// <summary>Creates or upgrades the schema (versioned migrations table). Idempotent, safe to call from several processes.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a batch in one transaction; one outcome per item, in order.</summary>
    Task<IReadOnlyList<IngestOutcome>> StoreAsync(IReadOnlyList<PipelineItem> items, CancellationToken cancellationToken = default);

    Task<SummaryResult> SummaryAsync(SummaryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every stored revision whose report-id is <paramref name="reportId"/> (several senders may reuse an id).</summary>
    Task<IReadOnlyList<StoredReport>> FindAsync(string reportId, CancellationToken cancellationToken = default);

    Task<ReadinessData> ReadinessDataAsync(string domain, DateTimeOffset since, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DailyPoint>> DailyAsync(SummaryQuery query, CancellationToken cancellationToken = default);

    Task<StoreCounts> CountsAsync(CancellationToken cancellationToken = default);
}
