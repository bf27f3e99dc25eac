using MailTls.Findings;
using MailTls.TlsRpt;

namespace MailTls.Reports;

/// <summary>One unit of work for the store: a readable report, unreadable input for the quarantine, or a refusal.</summary>
public abstract record PipelineItem(ReportSource Source);

/// <summary>A normalised report to store idempotently.</summary>
public sealed record ReportItem(NormalizedReport Report) : PipelineItem(Report.Source)
{
    /// <summary>The store's text columns, made while decoding (off the store's single writer); ignored if made for another report.</summary>
    internal Storage.StoredColumns? Columns { get; init; }
}

/// <summary>Input that could not be understood: stored with its reason and raw bytes, never dropped (issue 8 §2).</summary>
public sealed record QuarantineItem(ReportSource Source, string Reason, IReadOnlyList<string> Codes, byte[] Raw) : PipelineItem(Source);

/// <summary>Input refused by a limit or policy (size caps, accepted domains): not stored, the reason goes back to the sender.</summary>
public sealed record RefusedItem(ReportSource Source, string Reason, IReadOnlyList<string> Codes) : PipelineItem(Source);

/// <summary>Options of the pipeline.</summary>
public sealed record ReportPipelineOptions
{
    /// <summary>
    /// When set, only reports with at least one policy-domain in this set are accepted: TLS-RPT has no
    /// authorisation of external destinations, so anyone can send reports (notes §0.5).
    /// </summary>
    public IReadOnlySet<string>? AcceptedDomains { get; init; }
}

/// <summary>
/// The one ingestion pipeline (notes §7.1): envelope (MIME or bare payload) → parts → decode (gzip / zip, bounded)
/// → tolerant parse (<see cref="TlsRptReportReader"/>, <see cref="TlsRptMessageReader"/>) → validate → normalise.
/// Pure: no I/O except reading the given bytes; the result goes to an <see cref="IReportStore"/>.
/// </summary>
public static class ReportPipeline
{
    private static readonly HashSet<string> RefusalCodes = new(StringComparer.Ordinal)
    {
        TlsRptFindings.ReportTooLarge.Code,
        TlsRptFindings.ReportDecompressedTooLarge.Code,
        TlsRptFindings.ReportTooManyElements.Code,
        TlsRptFindings.MessageTooLarge.Code,
    };

    /// <summary>
    /// Decodes one input: a report payload (JSON, gzip, zip; sniffed, never trusted from the label) or an e-mail
    /// carrying reports. Returns one item per report found, or one quarantine / refusal item.
    /// </summary>
    public static async Task<IReadOnlyList<PipelineItem>> DecodeAsync(
        ReadOnlyMemory<byte> input, ReportSource source, ReportPipelineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        IReadOnlyList<PipelineItem> items;
        if (input.Length > Limits.TlsRptMaxMessageBytes)
        {
            items = [new RefusedItem(source, $"the input is {input.Length} bytes; the limit is {Limits.TlsRptMaxMessageBytes}", [TlsRptFindings.MessageTooLarge.Code])];
        }
        else if (TlsRptReportReader.Sniff(input.Span) != TlsRptPayloadFormat.Unknown || !LooksLikeMime(input.Span))
        {
            items = [DecodePayload(input.Span, source)];
        }
        else
        {
            items = await DecodeMessageAsync(input, source, cancellationToken).ConfigureAwait(false);
        }

        return options?.AcceptedDomains is { } accepted ? [.. items.Select(i => Scope(i, accepted))] : items;
    }

    /// <summary>Decodes a bare report payload (JSON, gzip or zip).</summary>
    public static PipelineItem DecodePayload(ReadOnlySpan<byte> payload, ReportSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var read = TlsRptReportReader.Read(payload, source.FileName);
        var fallback = TlsRptFileName.TryParse(source.FileName, out var fn) ? fn?.PolicyDomain : null;
        return Item(read, payload, [], source, fallback);
    }

    private static async Task<IReadOnlyList<PipelineItem>> DecodeMessageAsync(ReadOnlyMemory<byte> input, ReportSource source, CancellationToken cancellationToken)
    {
        TlsRptMessageResult message;
        using (var stream = new MemoryStream(input.ToArray(), writable: false))
        {
            message = await TlsRptMessageReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        var messageSource = source with { MessageId = source.MessageId ?? message.Envelope?.MessageId };
        if (message.Reports.Count == 0)
        {
            return [Unreadable(messageSource, message.Findings, input.Span)];
        }

        var items = new List<PipelineItem>(message.Reports.Count);
        foreach (var part in message.Reports)
        {
            var partSource = messageSource with { FileName = part.FileName ?? messageSource.FileName, MediaType = part.MediaType };
            var extra = message.Findings.Concat(part.Findings).ToList();
            var raw = part.Result.Report is null ? input.Span : default;
            items.Add(Item(part.Result, raw, extra, partSource, message.FallbackPolicyDomain, part));
        }

        return items;
    }

    private static PipelineItem Item(TlsRptReadResult read, ReadOnlySpan<byte> payload, IReadOnlyList<Finding> extra, ReportSource source, string? fallback, TlsRptMessageReport? part = null)
    {
        if (read.Findings.Concat(extra).FirstOrDefault(f => f.IsError && RefusalCodes.Contains(f.Code)) is { } refusal)
        {
            return new RefusedItem(source, $"{refusal.Code}: {refusal.Message}", [refusal.Code]);
        }

        // The raw payload kept for audit is what arrived: the bare payload, or the part's bytes as attached (a gzip
        // or zip part as it is, JSON gzipped); an unreadable part keeps the whole message as evidence.
        var raw = part?.Payload is { } attached ? attached : payload;
        var normalized = ReportNormalizer.Normalize(read, raw, extra, source, fallback, out var reason);
        return normalized is null
            ? Unreadable(source, read.Findings.Concat(extra).ToList(), payload, reason)
            : new ReportItem(normalized) { Columns = Storage.StoredColumns.Create(normalized) };
    }

    private static QuarantineItem Unreadable(ReportSource source, IReadOnlyList<Finding> findings, ReadOnlySpan<byte> raw, string? reason = null) =>
        new(source,
            reason ?? ReportNormalizer.Reason(findings) ?? "no TLS-RPT report found",
            [.. findings.Where(f => f.IsError).Select(f => f.Code)],
            raw.ToArray());

    private static PipelineItem Scope(PipelineItem item, IReadOnlySet<string> accepted)
    {
        if (item is not ReportItem r)
        {
            return item;
        }

        var domains = r.Report.Policies.Select(p => p.PolicyDomain).Where(d => d is not null).ToList();
        return domains.Any(d => accepted.Contains(d!))
            ? item
            : new RefusedItem(item.Source, $"no policy-domain of the report ({string.Join(", ", domains)}) is an accepted domain", ["reports.domain-not-accepted"]);
    }

    // A MIME message starts with header fields ("Name: value"); mbox "From " lines are split off by the file reader.
    private static bool LooksLikeMime(ReadOnlySpan<byte> input)
    {
        var end = Math.Min(input.Length, 1024);
        var colon = input[..end].IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        foreach (var b in input[..colon])
        {
            if (b is <= 32 or >= 127)
            {
                return false;
            }
        }

        return true;
    }
}
