namespace MailTls.Watch;

/// <summary>The two events an alert announces, each once per sink.</summary>
public enum NoticeEvent
{
    Opened,
    Resolved,
}

/// <summary>Where a notice stands with its sink.</summary>
public enum NoticeState
{
    /// <summary>Not delivered yet: tried again on the next pass.</summary>
    Pending,

    Delivered,

    /// <summary>The sink refused it permanently (a 4xx webhook answer, a 5xx SMTP reply), or it was retried too often.</summary>
    Failed,

    /// <summary>The alert resolved before its opening notice was delivered: neither is sent.</summary>
    Cancelled,
}

/// <summary>One announcement of one alert event to one sink, and how its delivery went so far.</summary>
public sealed record WatchNotice(long Id, string Sink, NoticeEvent Event, WatchAlert Alert, DateTimeOffset CreatedAt, int Attempts, NoticeState State, string? LastError);

/// <summary>What the decide step of <see cref="IWatchStore.ReconcileAsync"/> returns: the alert changes and the policy baseline to keep.</summary>
public sealed record WatchDecision(AlertChanges Changes, PolicyBaseline? NewBaseline);

/// <summary>
/// Alert state of <c>mailtls watch</c> in the report database (schema migration 5): the alerts, one notice per
/// alert event and sink, and the policy baseline per domain.
/// </summary>
public interface IWatchStore
{
    /// <summary>
    /// In one transaction (serialised per domain across processes): reads the domain's open alerts and policy
    /// baseline, calls <paramref name="decide"/>, stores the changes and queues one pending notice per sink in
    /// <paramref name="sinks"/> for every opened and every resolved alert (a resolved alert whose opening notice was
    /// never delivered cancels it and queues nothing). Returns the changes with the stored ids.
    /// </summary>
    Task<AlertChanges> ReconcileAsync(string domain, Func<IReadOnlyList<WatchAlert>, PolicyBaseline?, WatchDecision> decide, IReadOnlyList<string> sinks, CancellationToken cancellationToken = default);

    /// <summary>Pending notices for the given sinks, oldest first.</summary>
    Task<IReadOnlyList<WatchNotice>> PendingNoticesAsync(IReadOnlyList<string> sinks, CancellationToken cancellationToken = default);

    /// <summary>Records one delivery attempt: <paramref name="state"/> Delivered, Failed, or Pending with the failure.</summary>
    Task RecordAttemptAsync(long noticeId, NoticeState state, string? failure, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Every open alert, ordered by domain, kind and subject.</summary>
    Task<IReadOnlyList<WatchAlert>> OpenAlertsAsync(CancellationToken cancellationToken = default);

    /// <summary>Alerts (open and resolved) newest first, optionally of one domain.</summary>
    Task<IReadOnlyList<WatchAlert>> AlertsAsync(string? domain, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every notice of an alert (for tests and diagnostics), oldest first.</summary>
    Task<IReadOnlyList<WatchNotice>> NoticesAsync(long alertId, CancellationToken cancellationToken = default);

    Task<PolicyBaseline?> PolicyBaselineAsync(string domain, CancellationToken cancellationToken = default);
}
