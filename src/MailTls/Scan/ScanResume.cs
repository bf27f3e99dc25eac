using System.Text;
using System.Text.Json;

namespace MailTls.Scan;

/// <summary>What <c>scan --resume</c> found in an existing JSONL output.</summary>
/// <param name="Done">Domains with a complete line (they are skipped).</param>
/// <param name="ValidLength">Bytes of the file up to the end of the last complete line; a crash may leave a partial line after it, which is cut off before appending.</param>
/// <param name="DroppedTail">True when a partial or unreadable last line was found.</param>
public sealed record ScanResumeState(IReadOnlySet<string> Done, long ValidLength, bool DroppedTail);

/// <summary>
/// Reads a scan's JSONL output for <c>--resume</c>: every line that ends in a newline and parses as a JSON object with
/// a <c>domain</c> string counts as done. A last line without its newline (the process was killed mid-write) or one that
/// does not parse is not done, and <see cref="ScanResumeState.ValidLength"/> tells where to cut the file so the next
/// line appended starts clean. A malformed line in the middle is an error (the file is not a scan output).
/// </summary>
public static class ScanResume
{
    public static ScanResumeState Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var done = new HashSet<string>(StringComparer.Ordinal);
        long valid = 0;
        long position = 0;
        var line = new MemoryStream();
        var droppedTail = false;
        var buffer = new byte[64 * 1024];
        int read;
        var pendingError = (string?)null;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                position++;
                if (buffer[i] != (byte)'\n')
                {
                    if (line.Length >= Limits.ScanMaxLineChars)
                    {
                        throw new InvalidDataException($"--resume: a line of the output file is longer than {Limits.ScanMaxLineChars} bytes");
                    }

                    line.WriteByte(buffer[i]);
                    continue;
                }

                if (pendingError is not null)
                {
                    throw new InvalidDataException(pendingError);
                }

                var domain = DomainOf(line.GetBuffer().AsSpan(0, (int)line.Length));
                if (domain is null && line.Length > 0)
                {
                    // Unreadable but terminated: acceptable only as the last line (a crash after a partial write and a newline is not possible, but be lenient there).
                    pendingError = $"--resume: line ending at byte {position} of the output file is not a scan result";
                    droppedTail = true;
                }
                else
                {
                    if (domain is not null)
                    {
                        done.Add(domain);
                    }

                    valid = position;
                }

                line.SetLength(0);
            }
        }

        if (line.Length > 0)
        {
            droppedTail = true;
        }

        return new ScanResumeState(done, valid, droppedTail);
    }

    /// <summary>The <c>domain</c> of one JSONL line, or null when it is not a complete JSON object with one.</summary>
    public static string? DomainOf(ReadOnlySpan<byte> line)
    {
        var trimmed = line.TrimEnd((byte)'\r');
        if (trimmed.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(trimmed);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("domain", out var d) && d.ValueKind == JsonValueKind.String
                ? d.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Convenience for tests: <see cref="Read(Stream)"/> over UTF-8 text.</summary>
    public static ScanResumeState Read(string text) => Read(new MemoryStream(Encoding.UTF8.GetBytes(text)));
}
