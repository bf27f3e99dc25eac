using System.Threading.Channels;

namespace MailTls.Reports;

/// <summary>
/// The library ingestion API every source uses (files, IMAP, and the HTTPS receiver of <c>serve</c>):
/// <see cref="IngestAsync"/> decodes one payload through <see cref="ReportPipeline"/> and returns only after the
/// store committed it. Concurrent callers are group-committed: one writer takes whatever is queued (up to
/// <see cref="Limits.ReportStoreBatchSize"/> reports) into one transaction, so 500 simultaneous POSTs cost a few
/// commits, not 500, and each caller still learns its own outcome after durable storage.
/// </summary>
public sealed class ReportIngestor : IAsyncDisposable
{
    private readonly IReportStore store;
    private readonly ReportPipelineOptions? options;
    private readonly int batchSize;
    private readonly Channel<Work> queue;
    private readonly Task writer;

    public ReportIngestor(IReportStore store, ReportPipelineOptions? options = null, int batchSize = Limits.ReportStoreBatchSize)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        this.store = store;
        this.options = options;
        this.batchSize = batchSize;
        queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(Limits.ReportIngestQueueCapacity) { SingleReader = true });
        writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Transactions committed so far (for tests and metrics: group commit means far fewer than callers).</summary>
    public long Commits => Interlocked.Read(ref commits);

    private long commits;

    /// <summary>
    /// Ingests one payload: a report (JSON, gzip, zip; sniffed) or an e-mail carrying reports. One outcome per
    /// report found (a message may carry several), each Imported / Duplicate / Quarantined / Refused, returned
    /// after the store committed. Throws only when the store itself fails (the caller should answer 5xx and the
    /// sender retry; nothing was acknowledged).
    /// </summary>
    public async Task<IReadOnlyList<IngestOutcome>> IngestAsync(ReadOnlyMemory<byte> payload, ReportSource source, CancellationToken cancellationToken = default)
    {
        var items = await ReportPipeline.DecodeAsync(payload, source, options, cancellationToken).ConfigureAwait(false);
        return await SubmitAsync(items, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores already decoded items (the file importer decodes in parallel and submits here).</summary>
    public async Task<IReadOnlyList<IngestOutcome>> SubmitAsync(IReadOnlyList<PipelineItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return [];
        }

        var work = new Work(items, new TaskCompletionSource<IReadOnlyList<IngestOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously));
        await queue.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        return await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Work>();
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var count = 0;
            while (count < batchSize && queue.Reader.TryRead(out var work))
            {
                batch.Add(work);
                count += work.Items.Count;
            }

            try
            {
                var all = batch.SelectMany(w => w.Items).ToList();
                var outcomes = await store.StoreAsync(all, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref commits);
                var offset = 0;
                foreach (var w in batch)
                {
                    var mine = new IngestOutcome[w.Items.Count];
                    for (var k = 0; k < mine.Length; k++)
                    {
                        mine[k] = outcomes[offset + k];
                    }

                    w.Done.TrySetResult(mine);
                    offset += w.Items.Count;
                }
            }
#pragma warning disable CA1031 // The writer must survive a failed batch; its callers get the exception.
            catch (Exception e)
#pragma warning restore CA1031
            {
                foreach (var w in batch)
                {
                    w.Done.TrySetException(e);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer.ConfigureAwait(false);
    }

    private sealed record Work(IReadOnlyList<PipelineItem> Items, TaskCompletionSource<IReadOnlyList<IngestOutcome>> Done);
}

/// <summary>Counts of an import or fetch run (design §4: <c>{"imported","duplicates","rejected","errors"}</c>).</summary>
public sealed class ImportTally
{
    private readonly List<ImportError> errors = [];
    private readonly Lock gate = new();

    public long Imported { get; private set; }

    public long Duplicates { get; private set; }

    /// <summary>Quarantined or refused inputs (each also listed in <see cref="Errors"/>).</summary>
    public long Rejected { get; private set; }

    public IReadOnlyList<ImportError> Errors
    {
        get
        {
            lock (gate)
            {
                return [.. errors];
            }
        }
    }

    public void Add(ReportSource source, IngestOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(outcome);
        lock (gate)
        {
            switch (outcome.Status)
            {
                case IngestStatus.Imported:
                    Imported++;
                    break;
                case IngestStatus.Duplicate:
                    Duplicates++;
                    break;
                default:
                    Rejected++;
                    errors.Add(new ImportError(source.Name ?? source.Kind, outcome.Status == IngestStatus.Quarantined ? "quarantined" : "refused", outcome.Reason ?? string.Empty));
                    break;
            }
        }
    }

    /// <summary>An input that could not be read at all (I/O error): counted as rejected.</summary>
    public void AddError(string source, string reason)
    {
        lock (gate)
        {
            Rejected++;
            errors.Add(new ImportError(source, "error", reason));
        }
    }
}

/// <summary>One rejected input: where, what happened (quarantined / refused / error) and why.</summary>
public sealed record ImportError(string Source, string Status, string Reason);
