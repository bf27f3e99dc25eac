using System.Collections.Frozen;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Receiver;

/// <summary>
/// The running TLS-RPT HTTPS receiver of <c>mailtls serve</c>: the tenants by path, each with its rate limiter and
/// its store. Tenants that name the same store share one store and one <see cref="ReportIngestor"/> (one writer per
/// store). Stores open lazily and reopen after a failure (at most every
/// <see cref="Limits.ReportReceiverStoreReopenInterval"/>), so an unavailable database makes the receiver answer
/// 503 instead of keeping <c>serve</c> from starting.
/// </summary>
public sealed class ReportReceiver : IAsyncDisposable
{
    private readonly FrozenDictionary<string, ReceiverTenant> byPath;
    private readonly List<ReceiverStore> stores;

    /// <param name="settings">The receiver configuration.</param>
    /// <param name="logger">Where store failures and refusals are logged.</param>
    /// <param name="time">Clock of the rate limiters and reopen interval.</param>
    /// <param name="openStore">Opens a store location (default <see cref="ReportDatabase.OpenAsync"/>); tests inject failures here.</param>
    public ReportReceiver(ReceiverSettings settings, ILogger logger, TimeProvider? time = null, Func<string, CancellationToken, Task<IReportStore>>? openStore = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        Settings = settings;
        Logger = logger;
        var clock = time ?? TimeProvider.System;
        openStore ??= async (location, ct) => await ReportDatabase.OpenAsync(location, clock, ct).ConfigureAwait(false);
        var shared = new Dictionary<string, ReceiverStore>(StringComparer.Ordinal);
        var tenants = new List<ReceiverTenant>();
        foreach (var t in settings.Tenants)
        {
            if (!shared.TryGetValue(t.Store, out var store))
            {
                store = new ReceiverStore(t.Store, openStore, logger, clock);
                shared.Add(t.Store, store);
            }

            tenants.Add(new ReceiverTenant(t, store, new TenantRateLimiter(t.RatePerMinute, t.Burst, clock)));
        }

        stores = [.. shared.Values];
        Tenants = tenants;
        byPath = tenants.ToFrozenDictionary(t => t.Settings.Path, StringComparer.Ordinal);
    }

    public ReceiverSettings Settings { get; }

    public IReadOnlyList<ReceiverTenant> Tenants { get; }

    internal ILogger Logger { get; }

    /// <summary>Bounds the report bodies held in memory at once (<see cref="Limits.ReportReceiverMaxConcurrentBodies"/>).</summary>
    internal SemaphoreSlim Bodies { get; } = new(Limits.ReportReceiverMaxConcurrentBodies);

    /// <summary>The tenant whose path is exactly <paramref name="rawTarget"/> (as sent: no normalisation, no query).</summary>
    public bool TryGetTenant(string rawTarget, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ReceiverTenant? tenant) =>
        byPath.TryGetValue(rawTarget, out tenant);

    /// <summary>Opens every store now, so that problems show in the log at start (failures are retried on demand).</summary>
    public async Task OpenStoresAsync(CancellationToken cancellationToken = default)
    {
        foreach (var s in stores)
        {
            await s.GetAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in stores)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }

        Bodies.Dispose();
    }
}

/// <summary>One tenant: its settings, store and rate limiter; the pipeline options that scope its reports to its domains.</summary>
public sealed class ReceiverTenant
{
    internal ReceiverTenant(TenantSettings settings, ReceiverStore store, TenantRateLimiter limiter)
    {
        Settings = settings;
        Store = store;
        Limiter = limiter;
        Options = settings.Domains is null ? null : new ReportPipelineOptions { AcceptedDomains = settings.Domains };
    }

    public TenantSettings Settings { get; }

    public ReceiverStore Store { get; }

    internal TenantRateLimiter Limiter { get; }

    internal ReportPipelineOptions? Options { get; }
}

/// <summary>A store location opened on demand, with its ingestor; remembers the last failure for /healthz and 503s.</summary>
public sealed class ReceiverStore : IAsyncDisposable
{
    private readonly Func<string, CancellationToken, Task<IReportStore>> open;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim gate = new(1, 1);
    private IReportStore? store;
    private ReportIngestor? ingestor;
    private DateTimeOffset? failedAt;

    internal ReceiverStore(string location, Func<string, CancellationToken, Task<IReportStore>> open, ILogger logger, TimeProvider time)
    {
        Location = location;
        this.open = open;
        this.logger = logger;
        this.time = time;
    }

    /// <summary>SQLite path or PostgreSQL URL (password redacted).</summary>
    public string Location { get; }

    public string Description => ReportDatabase.Redact(Location);

    /// <summary>True once the store was opened.</summary>
    public bool IsOpen => Volatile.Read(ref ingestor) is not null;

    /// <summary>False after a failed open or write, until the next success (a store not yet opened counts as available).</summary>
    public bool Available => Error is null;

    /// <summary>Why the store is unavailable (the last open or write failure), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>The ingestor, opening the store when needed; null when it is unavailable (answer 503).</summary>
    public async Task<ReportIngestor?> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref ingestor) is { } ready)
        {
            return ready;
        }

        if (failedAt is { } at && time.GetUtcNow() - at < Limits.ReportReceiverStoreReopenInterval)
        {
            return null;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ingestor is not null)
            {
                return ingestor;
            }

            if (failedAt is { } again && time.GetUtcNow() - again < Limits.ReportReceiverStoreReopenInterval)
            {
                return null;
            }

            try
            {
                store = await open(Location, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref ingestor, new ReportIngestor(store));
                failedAt = null;
                Error = null;
                logger.LogInformation("tlsrpt store {Store} open", Description);
                return ingestor;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failedAt = time.GetUtcNow();
                Error = e.Message;
                logger.LogError("TLSRPT STORE UNAVAILABLE {Store}: {Error} (reports are answered 503; retrying in {Seconds} s)",
                    Description, e.Message, (int)Limits.ReportReceiverStoreReopenInterval.TotalSeconds);
                return null;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Records a failed write (the sender got 503 and will retry) or a successful one.</summary>
    internal void Report(Exception? failure)
    {
        if (failure is null)
        {
            Error = null;
            return;
        }

        Error = failure.Message;
        logger.LogError("TLSRPT STORE WRITE FAILED {Store}: {Error} (answered 503; the sender retries)", Description, failure.Message);
    }

    public async ValueTask DisposeAsync()
    {
        if (ingestor is not null)
        {
            await ingestor.DisposeAsync().ConfigureAwait(false);
        }

        if (store is not null)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        gate.Dispose();
    }
}
