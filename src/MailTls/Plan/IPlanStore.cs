namespace MailTls.Plan;

/// <summary>A plan as stored, with where it stands.</summary>
public sealed record StoredPlan(ChangePlan Plan, PlanState State, IReadOnlyList<StepProgress> Progress, DateTimeOffset UpdatedAt);

/// <summary>
/// Plans and TLSA first-seen times, in the same database as the reports (schema migration 4; SQLite or PostgreSQL,
/// <c>--db</c>). Every write returns after commit.
/// </summary>
public interface IPlanStore
{
    /// <summary>Stores a new active plan; returns its id.</summary>
    Task<long> AddPlanAsync(ChangePlan plan, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The most recent plan of the domain (any state), or null.</summary>
    Task<StoredPlan?> LatestPlanAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Records steps seen done or applied (existing times are kept: the first sighting counts) and the plan's state.</summary>
    Task RecordProgressAsync(long planId, IReadOnlyList<StepProgress> steps, PlanState state, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Notes that <paramref name="record"/> is published at <paramref name="owner"/> now; returns when it was first seen.</summary>
    Task<DateTimeOffset> TlsaSeenAsync(string owner, string record, DateTimeOffset now, CancellationToken cancellationToken = default);
}
