using MailTls.Findings;

namespace MailTls.Watch;

/// <summary>
/// One alert: a problem of one kind about one subject of a domain, open from the audit that first showed it until
/// the first audit that could see the subject and no longer shows it. At most one alert per (domain, kind,
/// subject) is open at a time (the store enforces it).
/// </summary>
public sealed record WatchAlert
{
    /// <summary>The row id once stored (0 before).</summary>
    public long Id { get; init; }

    public required string Domain { get; init; }

    /// <summary>An <see cref="AlertKind.Id"/>.</summary>
    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary>The worst severity of the findings in the latest audit that showed the problem.</summary>
    public required Severity Severity { get; init; }

    /// <summary>The finding codes behind the problem in the latest audit that showed it.</summary>
    public required IReadOnlyList<string> Codes { get; init; }

    /// <summary>The message of the latest audit that showed the problem.</summary>
    public required string Message { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    public required DateTimeOffset LastSeenAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>The audit (<see cref="Audit.AuditRecord.Id"/>) that opened the alert.</summary>
    public long? OpenedAuditId { get; init; }

    /// <summary>The audit that resolved it.</summary>
    public long? ResolvedAuditId { get; init; }

    public bool IsOpen => ResolvedAt is null;
}

/// <summary>What one audit changes in a domain's alerts.</summary>
public sealed record AlertChanges(
    IReadOnlyList<WatchAlert> Opened,
    IReadOnlyList<WatchAlert> Continued,
    IReadOnlyList<WatchAlert> Resolved,
    IReadOnlyList<WatchAlert> Unseen)
{
    public static readonly AlertChanges None = new([], [], [], []);
}

/// <summary>
/// De-duplication: a problem already open is continued (never announced again), a new one opens an alert, an open
/// alert whose subject the audit could see without the problem is resolved (announced once), and an open alert the
/// audit could not see stays open untouched. Pure.
/// </summary>
public static class AlertLedger
{
    public static AlertChanges Reconcile(IReadOnlyList<WatchAlert> open, WatchObservation observation, long? auditId = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(observation);
        var now = observation.At;
        var byKey = open.Where(a => a.IsOpen && string.Equals(a.Domain, observation.Domain, StringComparison.Ordinal))
            .ToDictionary(a => (a.Kind, a.Subject));
        var opened = new List<WatchAlert>();
        var continued = new List<WatchAlert>();
        foreach (var p in observation.Problems)
        {
            if (byKey.Remove((p.Kind.Id, p.Subject), out var existing))
            {
                continued.Add(existing with { Severity = p.Severity, Codes = p.Codes, Message = p.Message, LastSeenAt = now });
            }
            else
            {
                opened.Add(new WatchAlert
                {
                    Domain = observation.Domain,
                    Kind = p.Kind.Id,
                    Subject = p.Subject,
                    Severity = p.Severity,
                    Codes = p.Codes,
                    Message = p.Message,
                    OpenedAt = now,
                    LastSeenAt = now,
                    OpenedAuditId = auditId,
                });
            }
        }

        var resolved = new List<WatchAlert>();
        var unseen = new List<WatchAlert>();
        foreach (var a in byKey.Values.OrderBy(a => a.Kind, StringComparer.Ordinal).ThenBy(a => a.Subject, StringComparer.Ordinal))
        {
            var kind = AlertKinds.Find(a.Kind);
            if (kind is not null && observation.CanSee(kind, a.Subject))
            {
                resolved.Add(a with { ResolvedAt = now, ResolvedAuditId = auditId });
            }
            else
            {
                unseen.Add(a);
            }
        }

        return new AlertChanges(opened, continued, resolved, unseen);
    }
}
