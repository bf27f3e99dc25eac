using MimeKit;

namespace MailTls.Reports;

/// <summary>
/// Imports report files and directories (<c>reports import PATH…</c>): <c>.json</c>, <c>.json.gz</c>, <c>.zip</c>,
/// <c>.eml</c> and mbox (MimeKit's parser in mbox mode), each through <see cref="ReportIngestor"/>. Files are decoded
/// in parallel on every core and group-committed by one writer; a re-run after a crash stores nothing twice (the natural key decides).
/// </summary>
public static class ReportFileImporter
{
    private static readonly string[] Extensions = [".json", ".gz", ".zip", ".eml", ".mbox", ".mbx"];

    /// <summary>The files a list of paths names: files as given, directories walked recursively (report extensions only), sorted.</summary>
    public static IReadOnlyList<string> Enumerate(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or directory", path);
            }
        }

        return files;
    }

    /// <summary>
    /// Imports every file: each is read and decoded on a worker (<paramref name="parallelism"/> workers, default one
    /// per core) and queued for the single group-committing writer without waiting for the commit, so decoding on
    /// all cores overlaps the writer; at most <see cref="Limits.ReportImportWindow"/> reports wait uncommitted.
    /// Counts are taken only from committed outcomes.
    /// </summary>
    public static async Task<ImportTally> ImportAsync(ReportIngestor ingestor, IEnumerable<string> paths, int parallelism = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ingestor);
        var files = Enumerate(paths);
        var tally = new ImportTally();
        using var window = new SemaphoreSlim(Limits.ReportImportWindow);
        var pending = new List<Task>();
        var pendingGate = new Lock();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount, CancellationToken = stop.Token };
        try
        {
            await Parallel.ForEachAsync(files, options, async (file, ct) =>
            {
                try
                {
                    if (IsMbox(file))
                    {
                        await ImportMboxAsync(ingestor, file, tally, ct).ConfigureAwait(false);
                        return;
                    }

                    var info = new FileInfo(file);
                    var source = ReportSource.File(file);
                    if (info.Length > Limits.TlsRptMaxMessageBytes)
                    {
                        tally.Add(source, new IngestOutcome(IngestStatus.Refused, null, $"{info.Length} bytes; the limit is {Limits.TlsRptMaxMessageBytes}"));
                        return;
                    }

                    // A synchronous read: report files are small, and async file I/O costs more CPU than the read itself.
                    var bytes = File.ReadAllBytes(file);
                    await window.WaitAsync(ct).ConfigureAwait(false);
                    Task<IReadOnlyList<IngestOutcome>> ingest;
                    try
                    {
                        // Decodes here (on this worker), then queues; the task completes after the commit.
                        ingest = ingestor.IngestAsync(bytes, source, ct);
                    }
                    catch
                    {
                        window.Release();
                        throw;
                    }

                    var done = CountAsync(ingest, source, tally, window, stop);
                    lock (pendingGate)
                    {
                        pending.Add(done);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    tally.AddError(file, e.Message);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            // Never return (or fail) while reports are still waiting for their commit.
            Task[] all;
            lock (pendingGate)
            {
                all = [.. pending];
            }

            await Task.WhenAll(all).ConfigureAwait(false);
        }

        return tally;
    }

    private static async Task CountAsync(Task<IReadOnlyList<IngestOutcome>> ingest, ReportSource source, ImportTally tally, SemaphoreSlim window, CancellationTokenSource stop)
    {
        try
        {
            foreach (var outcome in await ingest.ConfigureAwait(false))
            {
                tally.Add(source, outcome);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store failed: stop decoding further files; the failure is rethrown by the final wait.
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            window.Release();
        }
    }

    private static bool IsMbox(string file)
    {
        if (file.EndsWith(".mbox", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".mbx", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (file.EndsWith(".eml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        using var s = File.OpenRead(file);
        Span<byte> head = stackalloc byte[5];
        return s.ReadAtLeast(head, 5, throwOnEndOfStream: false) == 5 && head.SequenceEqual("From "u8);
    }

    private static async Task ImportMboxAsync(ReportIngestor ingestor, string file, ImportTally tally, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(file);
        await using var streamScope = stream.ConfigureAwait(false);
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        var index = 0;
        var pending = new List<Task>();
        while (!parser.IsEndOfStream)
        {
            var message = await parser.ParseMessageAsync(cancellationToken).ConfigureAwait(false);
            index++;
            using var ms = new MemoryStream();
            await message.WriteToAsync(ms, cancellationToken).ConfigureAwait(false);
            var source = new ReportSource("file", $"{file}#{index}", MessageId: message.MessageId);
            var bytes = ms.ToArray();
            pending.Add(Task.Run(async () =>
            {
                foreach (var outcome in await ingestor.IngestAsync(bytes, source, cancellationToken).ConfigureAwait(false))
                {
                    tally.Add(source, outcome);
                }
            }, cancellationToken));
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }
}
