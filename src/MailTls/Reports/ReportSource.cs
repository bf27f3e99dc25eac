namespace MailTls.Reports;

/// <summary>Where a payload came from: kept with the stored report (notes §7.3, transport metadata) and in the quarantine.</summary>
/// <param name="Kind">file, imap, https or api.</param>
/// <param name="Name">File path, IMAP mailbox/UID, request path: whatever lets an operator find the original.</param>
/// <param name="Tenant">The receiving tenant (HTTPS: from the per-tenant path); null for a single-tenant store.</param>
/// <param name="MessageId">Message-ID of the carrying e-mail, when there is one (never used as a key, notes §0.3).</param>
/// <param name="FileName">Original file name (attachment or upload), a hint for the policy domain only (RFC 8460 §5.6).</param>
/// <param name="MediaType">Declared media type (HTTP Content-Type or MIME part); the content decides (notes Q21).</param>
public sealed record ReportSource(
    string Kind,
    string? Name = null,
    string? Tenant = null,
    string? MessageId = null,
    string? FileName = null,
    string? MediaType = null)
{
    public static ReportSource File(string path) => new("file", path, FileName: Path.GetFileName(path));

    public static ReportSource Api(string? name = null, string? tenant = null) => new("api", name, tenant);
}

/// <summary>What happened to one ingested report (or unreadable input).</summary>
public enum IngestStatus
{
    /// <summary>Stored now (a first report, or a new revision of a known natural key).</summary>
    Imported,

    /// <summary>Already stored with the same natural key and content hash; nothing written.</summary>
    Duplicate,

    /// <summary>Unreadable: the raw bytes and the reason are stored in the quarantine table.</summary>
    Quarantined,

    /// <summary>Not stored at all (over a size cap, out of the accepted domains, rate limited): a clear error for the sender.</summary>
    Refused,
}

/// <summary>
/// The outcome of one report (a message can carry several). Returned by <see cref="ReportIngestor"/> only after the
/// store committed (durably: SQLite WAL with synchronous=FULL, PostgreSQL commit), so a receiver may answer 2xx.
/// </summary>
public sealed record IngestOutcome(IngestStatus Status, string? ReportId, string? Reason, int Revision = 0, long? StoreId = null)
{
    /// <summary>True when the report is safely stored (now or before): the sender need not retry.</summary>
    public bool IsStored => Status is IngestStatus.Imported or IngestStatus.Duplicate or IngestStatus.Quarantined;
}
