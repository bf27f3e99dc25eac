namespace MailTls.Cli;

/// <summary>
/// Reads a FILE argument or <c>-</c> (stdin), stopping after <c>cap</c> bytes so no input can exhaust memory.
/// Callers pass a cap one byte above the parser's limit: the parser then reports the oversize input as a
/// finding, with no exception and without reading the rest.
/// </summary>
internal static class InputFiles
{
    public static async Task<byte[]> ReadAsync(string path, int cap, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            await using var stdin = Console.OpenStandardInput();
            return await ReadPrefixAsync(stdin, cap, cancellationToken);
        }

        if (Directory.Exists(path) || !File.Exists(path))
        {
            throw new UsageException($"{path}: no such file");
        }

        await using var file = File.OpenRead(path);
        return await ReadPrefixAsync(file, cap, cancellationToken);
    }

    public static async Task<string> ReadTextAsync(string path, int cap, CancellationToken cancellationToken)
    {
        var bytes = await ReadAsync(path, cap, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    private static async Task<byte[]> ReadPrefixAsync(Stream stream, int cap, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(cap, 1 << 20)];
        var used = 0;
        while (used < cap)
        {
            if (used == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, cap));
            }

            var n = await stream.ReadAsync(buffer.AsMemory(used, buffer.Length - used), cancellationToken);
            if (n == 0)
            {
                break;
            }

            used += n;
        }

        return buffer[..used];
    }
}

/// <summary>A usage problem (exit 2) found after parsing, e.g. a missing input file.</summary>
internal sealed class UsageException(string message) : Exception(message);
