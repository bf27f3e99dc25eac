using System.Text;

namespace MailTls.Resolver;

/// <summary>Outcome of <see cref="Netstring.TryParse"/>.</summary>
public enum NetstringStatus
{
    /// <summary>One netstring was decoded.</summary>
    Complete = 0,

    /// <summary>More bytes are needed (at end of input this is <c>error-incomplete</c>).</summary>
    Incomplete = 1,

    /// <summary>No length digits, or a non-digit before the ':'.</summary>
    BadLength = 2,

    /// <summary>The payload is not followed by ','.</summary>
    BadTerminator = 3,

    /// <summary>The announced length exceeds the request limit.</summary>
    TooLong = 4,
}

/// <summary>
/// Netstrings (<c>&lt;len&gt;:&lt;bytes&gt;,</c>) as Postfix's socketmap protocol uses them (socketmap_table(5)).
/// The decoder accepts leading zeros (as postfix-mta-sts-resolver does) and rejects a length over the limit as soon
/// as the length is known, before any payload is buffered.
/// </summary>
public static class Netstring
{
    /// <summary>
    /// Decodes one netstring at the start of <paramref name="buffer"/>. On <see cref="NetstringStatus.Complete"/>,
    /// <paramref name="payload"/> is the range of the payload in the buffer and <paramref name="consumed"/> the bytes
    /// used including the ','.
    /// </summary>
    public static NetstringStatus TryParse(ReadOnlySpan<byte> buffer, int limit, out Range payload, out int consumed)
    {
        payload = default;
        consumed = 0;
        long length = 0;
        var i = 0;
        for (; i < buffer.Length; i++)
        {
            var b = buffer[i];
            if (b == (byte)':')
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                return NetstringStatus.BadLength;
            }

            length = (length * 10) + (b - '0');
            if (length > limit)
            {
                return NetstringStatus.TooLong;
            }

            if (i >= Limits.NetstringMaxLengthDigits)
            {
                return NetstringStatus.BadLength;
            }
        }

        if (i == buffer.Length)
        {
            return NetstringStatus.Incomplete;
        }

        if (i == 0)
        {
            return NetstringStatus.BadLength;
        }

        var start = i + 1;
        var end = start + (int)length;
        if (buffer.Length <= end)
        {
            return NetstringStatus.Incomplete;
        }

        if (buffer[end] != (byte)',')
        {
            return NetstringStatus.BadTerminator;
        }

        payload = start..end;
        consumed = end + 1;
        return NetstringStatus.Complete;
    }

    /// <summary>Decodes every netstring in <paramref name="input"/> (the whole input must be netstrings).</summary>
    public static NetstringStatus DecodeAll(ReadOnlySpan<byte> input, int limit, out IReadOnlyList<byte[]> payloads)
    {
        var list = new List<byte[]>();
        payloads = list;
        while (input.Length > 0)
        {
            var status = TryParse(input, limit, out var range, out var consumed);
            if (status != NetstringStatus.Complete)
            {
                return status;
            }

            list.Add(input[range].ToArray());
            input = input[consumed..];
        }

        return NetstringStatus.Complete;
    }

    /// <summary>Encodes <paramref name="text"/> (UTF-8) as one netstring.</summary>
    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = Encoding.UTF8.GetBytes(text);
        var prefix = Encoding.ASCII.GetBytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
        var result = new byte[prefix.Length + body.Length + 1];
        prefix.CopyTo(result, 0);
        body.CopyTo(result, prefix.Length);
        result[^1] = (byte)',';
        return result;
    }
}
