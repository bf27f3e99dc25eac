using MailTls.Dns;

namespace MailTls.Scan;

/// <summary>One line of a scan's domain list, classified.</summary>
public readonly record struct ScanInputLine(int LineNumber, string? Domain, string? Error);

/// <summary>
/// The domain list of <c>mailtls scan</c>: one domain a line; blank lines and comments (<c>#</c> to the end of the
/// line) are ignored; a line holds one name (no inner whitespace); each name is normalised with <see cref="DnsName.TryNormalize"/> (lower case, no trailing dot).
/// Read as a stream, one line at a time, so the list can be longer than memory.
/// </summary>
public static class ScanInput
{
    /// <summary>Classifies one line: null when blank or a comment, else a domain or an error.</summary>
    public static ScanInputLine? ParseLine(string line, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        var text = (hash >= 0 ? line[..hash] : line).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        return !text.Any(char.IsWhiteSpace) && DnsName.TryNormalize(text) is { } name && name.Contains('.', StringComparison.Ordinal)
            ? new ScanInputLine(lineNumber, name, null)
            : new ScanInputLine(lineNumber, null, $"line {lineNumber}: not a domain name: {Shorten(text)}");
    }

    /// <summary>Streams the lines of <paramref name="reader"/> as classified input lines.</summary>
    public static async IAsyncEnumerable<ScanInputLine> ReadAsync(TextReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (line.Length > Limits.ScanMaxLineChars)
            {
                yield return new ScanInputLine(number, null, $"line {number}: longer than {Limits.ScanMaxLineChars} characters");
                continue;
            }

            if (ParseLine(line, number) is { } parsed)
            {
                yield return parsed;
            }
        }
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
