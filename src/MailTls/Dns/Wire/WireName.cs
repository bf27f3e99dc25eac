using System.Text;

namespace MailTls.Dns.Wire;

/// <summary>
/// Domain names in wire format (RFC 1035 §3.1): length-prefixed labels ending with the root's zero octet.
/// Text form used across this layer: presentation format, lower case, no trailing dot, root as ".",
/// bytes outside printable ASCII and the special characters <c>. \ ( ) ; " @ $</c> escaped as RFC 1035 §5.1 says.
/// </summary>
internal static class WireName
{
    /// <summary>RFC 1035 §2.3.4: a name is at most 255 octets in wire format.</summary>
    public const int MaxWireLength = 255;

    public static readonly byte[] Root = [0];

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> of a whole message. Pointers must point
    /// strictly backwards (so loops are impossible). Returns false on any malformation.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, int offset, out byte[] wire, out int next)
    {
        wire = Root;
        next = -1;
        Span<byte> buffer = stackalloc byte[MaxWireLength];
        var length = 0;
        var position = offset;
        var limit = offset; // pointers must go below the start of the label sequence that contains them
        while (true)
        {
            if (position < 0 || position >= message.Length)
            {
                return false;
            }

            var b = message[position];
            if ((b & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length)
                {
                    return false;
                }

                var target = ((b & 0x3F) << 8) | message[position + 1];
                if (next < 0)
                {
                    next = position + 2;
                }

                if (target >= limit)
                {
                    return false;
                }

                limit = target;
                position = target;
                continue;
            }

            if ((b & 0xC0) != 0)
            {
                return false; // 0x40/0x80: extended label types (RFC 6891 §5) are not used
            }

            if (length + 1 + b > MaxWireLength)
            {
                return false;
            }

            if (b == 0)
            {
                buffer[length++] = 0;
                if (next < 0)
                {
                    next = position + 1;
                }

                wire = buffer[..length].ToArray();
                return true;
            }

            if (position + 1 + b > message.Length)
            {
                return false;
            }

            buffer[length++] = b;
            message.Slice(position + 1, b).CopyTo(buffer[length..]);
            length += b;
            position += 1 + b;
        }
    }

    /// <summary>Parses presentation text (trailing dot optional, RFC 1035 §5.1 escapes) into wire format.</summary>
    public static bool TryFromText(string? text, out byte[] wire)
    {
        wire = Root;
        if (text is null || text.Length == 0 || text.Length > 4 * MaxWireLength)
        {
            return false;
        }

        if (text == ".")
        {
            return true;
        }

        var output = new List<byte>(text.Length + 2);
        var label = new List<byte>(63);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '.')
            {
                if (label.Count == 0 || !Flush(output, label))
                {
                    return false;
                }

                i++;
                if (i == text.Length)
                {
                    break;
                }

                continue;
            }

            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    return false;
                }

                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                    {
                        return false;
                    }

                    var value = ((text[i + 1] - '0') * 100) + ((text[i + 2] - '0') * 10) + (text[i + 3] - '0');
                    if (value > 255)
                    {
                        return false;
                    }

                    label.Add((byte)value);
                    i += 4;
                    continue;
                }

                c = text[i + 1];
                if (c > 0x7E)
                {
                    return false;
                }

                label.Add((byte)c);
                i += 2;
                continue;
            }

            if (c <= 0x20 || c > 0x7E)
            {
                return false;
            }

            label.Add((byte)c);
            i++;
        }

        if (label.Count > 0 && !Flush(output, label))
        {
            return false;
        }

        output.Add(0);
        if (output.Count > MaxWireLength)
        {
            return false;
        }

        wire = [.. output];
        return true;

        static bool Flush(List<byte> output, List<byte> label)
        {
            if (label.Count > 63)
            {
                return false;
            }

            output.Add((byte)label.Count);
            output.AddRange(label);
            label.Clear();
            return true;
        }
    }

    /// <summary>Text form of a wire name (see the class remarks); lower case when <paramref name="lower"/>.</summary>
    public static string ToText(ReadOnlySpan<byte> wire, bool lower = true)
    {
        if (wire.Length <= 1)
        {
            return ".";
        }

        var sb = new StringBuilder(wire.Length + 8);
        var i = 0;
        while (i < wire.Length && wire[i] != 0)
        {
            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            int len = wire[i];
            for (var j = 1; j <= len && i + j < wire.Length; j++)
            {
                var b = wire[i + j];
                if (lower && b is >= (byte)'A' and <= (byte)'Z')
                {
                    b = (byte)(b + 32);
                }

                if (b is (byte)'.' or (byte)'\\' or (byte)'(' or (byte)')' or (byte)';' or (byte)'"' or (byte)'@' or (byte)'$')
                {
                    sb.Append('\\').Append((char)b);
                }
                else if (b is <= 0x20 or > 0x7E)
                {
                    sb.Append('\\').Append(((int)b).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append((char)b);
                }
            }

            i += len + 1;
        }

        return sb.ToString();
    }

    /// <summary>Normalises presentation text to this layer's text form, or null when it is not a valid name.</summary>
    public static string? Normalize(string? text) => TryFromText(text, out var wire) ? ToText(wire) : null;

    /// <summary>ASCII-lowercased copy (RFC 4034 §6.2: canonical names are lower case).</summary>
    public static byte[] ToLower(ReadOnlySpan<byte> wire)
    {
        var copy = wire.ToArray();
        var i = 0;
        while (i < copy.Length && copy[i] != 0)
        {
            int len = copy[i];
            for (var j = i + 1; j <= i + len && j < copy.Length; j++)
            {
                if (copy[j] is >= (byte)'A' and <= (byte)'Z')
                {
                    copy[j] = (byte)(copy[j] + 32);
                }
            }

            i += len + 1;
        }

        return copy;
    }

    /// <summary>The labels of a wire name, left to right, without the root label.</summary>
    public static List<byte[]> Labels(ReadOnlySpan<byte> wire)
    {
        var labels = new List<byte[]>();
        var i = 0;
        while (i < wire.Length && wire[i] != 0)
        {
            int len = wire[i];
            labels.Add(wire.Slice(i + 1, Math.Min(len, wire.Length - i - 1)).ToArray());
            i += len + 1;
        }

        return labels;
    }

    /// <summary>Wire name from labels (left to right).</summary>
    public static byte[] FromLabels(IEnumerable<byte[]> labels)
    {
        var output = new List<byte>();
        foreach (var l in labels)
        {
            output.Add((byte)l.Length);
            output.AddRange(l);
        }

        output.Add(0);
        return [.. output];
    }
}
