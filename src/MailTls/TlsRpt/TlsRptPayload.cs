using System.IO.Compression;
using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>What a report payload turned out to be, by its magic bytes (never by its name or label).</summary>
public enum TlsRptPayloadFormat
{
    Unknown = 0,
    Json,
    Gzip,
    Zip,
}

/// <summary>
/// Turns a report payload into JSON bytes (RFC 8460 §5.2): gzip (1F 8B), zip (PK 03 04, first <c>.json</c> or
/// <c>.json.gz</c> entry) or plain JSON, sniffed from the content. Every decompression is bounded by
/// <see cref="Limits.TlsRptMaxDecompressedBytes"/>, so a gzip or zip bomb stops with an error.
/// </summary>
internal static class TlsRptPayload
{
    private const string Subject = "TLS-RPT report";

    public static TlsRptPayloadFormat Sniff(ReadOnlySpan<byte> payload)
    {
        if (payload.Length >= 2 && payload[0] == 0x1F && payload[1] == 0x8B)
        {
            return TlsRptPayloadFormat.Gzip;
        }

        if (payload.Length >= 4 && payload[0] == (byte)'P' && payload[1] == (byte)'K' && payload[2] == 3 && payload[3] == 4)
        {
            return TlsRptPayloadFormat.Zip;
        }

        var rest = StripBom(payload);
        foreach (var b in rest)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            return b == (byte)'{' ? TlsRptPayloadFormat.Json : TlsRptPayloadFormat.Unknown;
        }

        return TlsRptPayloadFormat.Unknown;
    }

    public static ReadOnlySpan<byte> StripBom(ReadOnlySpan<byte> payload) =>
        payload.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? payload[3..] : payload;

    /// <summary>Returns the JSON bytes (BOM not yet stripped), or null with an error finding added.</summary>
    public static byte[]? Decode(ReadOnlySpan<byte> payload, TlsRptPayloadFormat format, List<Finding> findings)
        => Decode(payload, format, findings, out _);

    // truncated: true when gzip output does not match the trailer's ISIZE. GZipStream returns truncated data without
    // an error, so the caller reports a JSON failure as a compression failure instead (multi-member gzip can also differ).
    public static byte[]? Decode(ReadOnlySpan<byte> payload, TlsRptPayloadFormat format, List<Finding> findings, out bool truncated)
    {
        truncated = false;
        switch (format)
        {
            case TlsRptPayloadFormat.Gzip:
                var result = Gunzip(payload.ToArray(), "gzip payload", findings, SizeHint(payload));
                truncated = result is not null && (payload.Length < 18
                    || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(payload[^4..]) != (uint)result.Length);
                return result;
            case TlsRptPayloadFormat.Zip:
                return Unzip(payload.ToArray(), findings);
            default:
                return payload.ToArray();
        }
    }

    // ISIZE, the gzip trailer's length of the input mod 2^32: a hint to size the output once (it may lie, and a
    // multi-member gzip has several), never trusted beyond the decompressed cap.
    // Deflate cannot expand more than ~1032:1, so a larger ISIZE is a lie and is not used to allocate.
    private static int SizeHint(ReadOnlySpan<byte> gzip) =>
        gzip.Length >= 18 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(gzip[^4..]) is var n
            and > 0 and <= Limits.TlsRptMaxDecompressedBytes && n <= (long)gzip.Length * 1032
            ? (int)n
            : 0;

    private static byte[]? Gunzip(byte[] data, string what, List<Finding> findings, int sizeHint = 0)
    {
        try
        {
            using var input = new MemoryStream(data, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            var result = ReadBounded(gzip, Limits.TlsRptMaxDecompressedBytes, sizeHint);
            if (result is null)
            {
                findings.Add(BombFinding(what));
            }

            return result;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            findings.Add(TlsRptFindings.ReportBadCompression.Create(Subject, $"The {what} cannot be decompressed: {e.Message}"));
            return null;
        }
    }

    private static byte[]? Unzip(byte[] data, List<Finding> findings)
    {
        try
        {
            using var input = new MemoryStream(data, writable: false);
            using var zip = new ZipArchive(input, ZipArchiveMode.Read);
            var entry = zip.Entries.FirstOrDefault(e =>
                e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                || e.FullName.EndsWith(".json.gz", StringComparison.OrdinalIgnoreCase));
            if (entry is null)
            {
                findings.Add(TlsRptFindings.ReportZipNoJson.Create(Subject,
                    $"The zip archive has {zip.Entries.Count} entries and none ends in .json or .json.gz."));
                return null;
            }

            byte[]? bytes;
            using (var s = entry.Open())
            {
                bytes = ReadBounded(s, Limits.TlsRptMaxDecompressedBytes);
            }

            if (bytes is null)
            {
                findings.Add(BombFinding($"zip entry {entry.FullName}"));
                return null;
            }

            return Sniff(bytes) == TlsRptPayloadFormat.Gzip ? Gunzip(bytes, $"zip entry {entry.FullName}", findings) : bytes;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            findings.Add(TlsRptFindings.ReportBadCompression.Create(Subject, $"The zip archive cannot be read: {e.Message}"));
            return null;
        }
    }

    private static Finding BombFinding(string what) =>
        TlsRptFindings.ReportDecompressedTooLarge.Create(Subject,
            $"The {what} decompresses to more than {Limits.TlsRptMaxDecompressedBytes} bytes; decompression was stopped.",
            FindingList.Evidence(("limit", Limits.TlsRptMaxDecompressedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>Reads at most <paramref name="max"/> bytes; null when the stream holds more.</summary>
    /// <param name="stream">The stream to read to its end.</param>
    /// <param name="max">The cap.</param>
    /// <param name="sizeHint">The expected length (≤ max), e.g. gzip's ISIZE: read straight into an array of that size; 0 = unknown.</param>
    internal static byte[]? ReadBounded(Stream stream, int max, int sizeHint = 0)
    {
        if (sizeHint > 0)
        {
            var exact = new byte[sizeHint];
            var total = 0;
            int n;
            while (total < sizeHint && (n = stream.Read(exact, total, sizeHint - total)) > 0)
            {
                total += n;
            }

            if (total < sizeHint)
            {
                return exact[..total]; // shorter than announced (truncated): the caller compares with the trailer
            }

            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) == 0)
            {
                return exact;
            }

            // Longer than announced (several gzip members, or a wrong trailer): continue with the bounded copy.
            using var rest = new MemoryStream();
            rest.Write(exact);
            rest.Write(probe);
            var tail = ReadBounded(stream, max - (int)rest.Length);
            if (tail is null)
            {
                return null;
            }

            rest.Write(tail);
            return rest.ToArray();
        }

        // The chunk is pooled: a fresh 80 KB array per report was most of the allocation (and zeroing) of an import.
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (true)
            {
                var n = stream.Read(chunk, 0, chunk.Length);
                if (n == 0)
                {
                    return buffer.ToArray();
                }

                if (buffer.Length + n > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
