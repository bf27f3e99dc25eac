using MailTls.TlsRpt;
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
    /// Imports every file. <paramref name="parallelism"/> decoders (default one per core) each take the next file,
    /// read it synchronously, decode it and collect the results in chunks of <see cref="Limits.ReportImportChunk"/>
    /// items; a full chunk is handed to the ingestor's single writer, which group-commits chunks into transactions
    /// of about <see cref="Limits.ReportStoreBatchSize"/> reports. A decoder never waits for a commit, only for room:
    /// at most <see cref="Limits.ReportImportWindow"/> items wait uncommitted, so when the writer falls behind the
    /// decoders pause and leave it the CPU. Counts are taken only from committed outcomes; a failing store stops the
    /// remaining decodes, and the call never returns while a chunk still waits for its commit.
    /// </summary>
    public static async Task<ImportTally> ImportAsync(ReportIngestor ingestor, IEnumerable<string> paths, int parallelism = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ingestor);
        var files = Enumerate(paths);
        var tally = new ImportTally();
        var workers = Math.Min(parallelism > 0 ? parallelism : Environment.ProcessorCount, Math.Max(1, files.Count));
        using var window = new SemaphoreSlim(Math.Max(workers + 1, Limits.ReportImportWindow / Limits.ReportImportChunk));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new List<Task>();
        var next = -1;

        void Submit(List<PipelineItem> chunk)
        {
            window.Wait(stop.Token);
            Task<IReadOnlyList<IngestOutcome>> committed;
            try
            {
                committed = ingestor.SubmitAsync(chunk, stop.Token);
            }
            catch
            {
                window.Release();
                throw;
            }

            var counted = CountAsync(committed, chunk, tally, window, stop);
            lock (pending)
            {
                pending.Add(counted);
            }
        }

        void Decode()
        {
            var chunk = new List<PipelineItem>(Limits.ReportImportChunk);
            int i;
            while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < files.Count)
            {
                var file = files[i];
                try
                {
                    if (IsMbox(file))
                    {
                        foreach (var item in DecodeMbox(file, stop.Token))
                        {
                            chunk.Add(item);
                            if (chunk.Count >= Limits.ReportImportChunk)
                            {
                                Submit(chunk);
                                chunk = new List<PipelineItem>(Limits.ReportImportChunk);
                            }
                        }

                        continue;
                    }

                    var source = ReportSource.File(file);
                    byte[] bytes;
                    using (var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read))
                    {
                        // A synchronous read without a FileStream: report files are small, and async file I/O (or a
                        // buffered stream) costs more CPU than the read itself.
                        var length = RandomAccess.GetLength(handle);
                        if (length > Limits.TlsRptMaxMessageBytes)
                        {
                            tally.Add(source, new IngestOutcome(IngestStatus.Refused, null, $"{length} bytes; the limit is {Limits.TlsRptMaxMessageBytes}"));
                            continue;
                        }

                        bytes = new byte[length];
                        var total = 0;
                        int n;
                        while (total < bytes.Length && (n = RandomAccess.Read(handle, bytes.AsSpan(total), total)) > 0)
                        {
                            total += n;
                        }

                        bytes = total == bytes.Length ? bytes : bytes[..total];
                    }

                    // Bare payloads (the bulk of an import) decode synchronously; e-mails go through the MIME reader.
                    if (TlsRptReportReader.Sniff(bytes) != TlsRptPayloadFormat.Unknown)
                    {
                        chunk.Add(ReportPipeline.DecodePayload(bytes, source));
                    }
                    else
                    {
                        chunk.AddRange(ReportPipeline.DecodeAsync(bytes, source, cancellationToken: stop.Token).GetAwaiter().GetResult());
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                    tally.AddError(file, e.Message);
                }

                if (chunk.Count >= Limits.ReportImportChunk)
                {
                    Submit(chunk);
                    chunk = new List<PipelineItem>(Limits.ReportImportChunk);
                }
            }

            if (chunk.Count > 0 && !stop.IsCancellationRequested)
            {
                Submit(chunk);
            }
        }

        try
        {
            // Dedicated threads: the decoders run flat out, and must not hold the thread-pool threads the writer
            // and the commit continuations need.
            var decoders = Enumerable.Range(0, workers)
                .Select(_ => Task.Factory.StartNew(Decode, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToList();
            try
            {
                await Task.WhenAll(decoders).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Stopped because the store failed: that failure is rethrown by the final wait.
            }
        }
        finally
        {
            // Never return (or fail) while reports are still waiting for their commit.
            Task[] all;
            lock (pending)
            {
                all = [.. pending];
            }

            await Task.WhenAll(all).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return tally;
    }

    private static async Task CountAsync(Task<IReadOnlyList<IngestOutcome>> committed, List<PipelineItem> chunk, ImportTally tally, SemaphoreSlim window, CancellationTokenSource stop)
    {
        try
        {
            var outcomes = await committed.ConfigureAwait(false);
            for (var k = 0; k < outcomes.Count; k++)
            {
                tally.Add(chunk[k].Source, outcomes[k]);
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

    /// <summary>The reports of every message of an mbox file (MimeKit's parser in mbox mode), decoded one message at a time.</summary>
    private static IEnumerable<PipelineItem> DecodeMbox(string file, CancellationToken cancellationToken)
    {
        using var stream = File.OpenRead(file);
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        var index = 0;
        while (!parser.IsEndOfStream)
        {
            var message = parser.ParseMessage(cancellationToken);
            index++;
            using var ms = new MemoryStream();
            message.WriteTo(ms, cancellationToken);
            var source = new ReportSource("file", $"{file}#{index}", MessageId: message.MessageId);
            foreach (var item in ReportPipeline.DecodeAsync(ms.ToArray(), source, cancellationToken: cancellationToken).GetAwaiter().GetResult())
            {
                yield return item;
            }
        }
    }
}
