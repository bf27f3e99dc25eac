namespace MailTls.Watch;

/// <summary>How one notice fared with a sink in this pass.</summary>
public sealed record NoticeOutcome(long NoticeId, NoticeState State, string? Error)
{
    public static NoticeOutcome Delivered(long id) => new(id, NoticeState.Delivered, null);

    /// <summary>Tried and failed for a reason that may pass (network, timeout, 4xx SMTP, 5xx HTTP): retried on the next pass.</summary>
    public static NoticeOutcome Retry(long id, string error) => new(id, NoticeState.Pending, error);

    /// <summary>Refused in a way that will not change (4xx HTTP, 5xx SMTP): never retried.</summary>
    public static NoticeOutcome Refused(long id, string error) => new(id, NoticeState.Failed, error);
}

/// <summary>Where alert notices go (a webhook, an e-mail relay). A sink never throws for delivery failures; it reports them per notice.</summary>
public interface IAlertSink
{
    /// <summary>The sink's configured name (notices are queued per name).</summary>
    string Name { get; }

    /// <summary>Delivers the notices (all of this sink); one outcome per notice.</summary>
    Task<IReadOnlyList<NoticeOutcome>> DeliverAsync(IReadOnlyList<WatchNotice> notices, DateTimeOffset now, CancellationToken cancellationToken = default);
}
