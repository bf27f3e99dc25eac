using MailTls.Findings;

namespace MailTls.Audit;

/// <summary>One finding as stored with an audit: enough to compare audits and to show them, without the definitions.</summary>
public sealed record StoredFinding(string Code, Severity Severity, string Subject, string Message)
{
    public static StoredFinding From(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return new(finding.Code, finding.Severity, finding.Subject, finding.Message);
    }
}

/// <summary>
/// One stored audit of a domain (written by <c>watch</c>, <c>plan status</c> or <c>check --store</c>; read by the
/// dashboard): when, whether it completed, the one-line summary, the findings and the full <c>check</c> JSON
/// (design §4) as text, so later readers see exactly what the command printed.
/// </summary>
public sealed record AuditRecord(
    string Domain,
    DateTimeOffset AuditedAt,
    bool Completed,
    string Summary,
    IReadOnlyList<StoredFinding> Findings,
    string CheckJson)
{
    /// <summary>The row id once stored (0 before).</summary>
    public long Id { get; init; }

    public int Errors => Findings.Count(f => f.Severity == Severity.Error);

    public int Warnings => Findings.Count(f => f.Severity == Severity.Warning);
}

/// <summary>Audits over time, in the same database as the reports (schema migration 3).</summary>
public interface IAuditHistory
{
    /// <summary>Stores one audit; returns after commit with the row id.</summary>
    Task<long> AddAuditAsync(AuditRecord audit, CancellationToken cancellationToken = default);

    /// <summary>The most recent audit of every domain, ordered by domain.</summary>
    Task<IReadOnlyList<AuditRecord>> LatestAuditsAsync(CancellationToken cancellationToken = default);

    /// <summary>The audits of one domain, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> AuditHistoryAsync(string domain, int limit, CancellationToken cancellationToken = default);
}
