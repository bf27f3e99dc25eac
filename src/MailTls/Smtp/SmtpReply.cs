using System.Globalization;
using System.Text;

namespace MailTls.Smtp;

/// <summary>One SMTP reply (RFC 5321 §4.2): the three-digit code and the text of each line.</summary>
public sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public bool IsPositiveCompletion => Code is >= 200 and < 300;

    /// <summary>EHLO keywords (first word of each line after the greeting line), upper-cased (RFC 5321 §4.1.1.1).</summary>
    public IReadOnlyList<string> EhloKeywords =>
        [.. Lines.Skip(1).Select(l => l.Split(' ', 2)[0].ToUpperInvariant()).Where(k => k.Length > 0)];

    public override string ToString() => string.Join(" / ", Lines.Select(l => Code.ToString(CultureInfo.InvariantCulture) + " " + l));
}

/// <summary>Why reading a reply failed.</summary>
public enum SmtpReplyError
{
    None,
    Closed,
    LineTooLong,
    TooManyLines,
    Malformed,
}

/// <summary>
/// Incremental SMTP reply parser (RFC 5321 §4.2): bytes in any chunking, CRLF (or bare LF) line ends, multi-line
/// replies "250-…" until "250 …", the same code on every line, bounded line length and line count. Pure; the prober
/// feeds it what the socket returns.
/// </summary>
public sealed class SmtpReplyParser
{
    private readonly int maxLineBytes;
    private readonly int maxLines;
    private readonly List<byte> line = [];
    private readonly List<string> lines = [];
    private int code = -1;

    public SmtpReplyParser(int maxLineBytes = Limits.SmtpMaxReplyLineBytes, int maxLines = Limits.SmtpMaxReplyLines)
    {
        this.maxLineBytes = maxLineBytes;
        this.maxLines = maxLines;
    }

    public SmtpReplyError Error { get; private set; }

    /// <summary>
    /// Feeds bytes; returns a complete reply once its last line has arrived, with <paramref name="consumed"/> the bytes
    /// used (the rest belongs to the next reply). Returns null when more bytes are needed or on <see cref="Error"/>.
    /// </summary>
    public SmtpReply? Feed(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        while (consumed < data.Length && Error == SmtpReplyError.None)
        {
            var b = data[consumed++];
            if (b != (byte)'\n')
            {
                line.Add(b);
                if (line.Count > maxLineBytes)
                {
                    Error = SmtpReplyError.LineTooLong;
                }

                continue;
            }

            if (line.Count > 0 && line[^1] == (byte)'\r')
            {
                line.RemoveAt(line.Count - 1);
            }

            var text = Encoding.Latin1.GetString([.. line]);
            line.Clear();
            if (text.Length < 3 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1]) || !char.IsAsciiDigit(text[2])
                || (text.Length > 3 && text[3] is not (' ' or '-')))
            {
                Error = SmtpReplyError.Malformed;
                return null;
            }

            var lineCode = int.Parse(text.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture);
            if (code >= 0 && lineCode != code)
            {
                Error = SmtpReplyError.Malformed;
                return null;
            }

            code = lineCode;
            lines.Add(text.Length > 4 ? text[4..] : string.Empty);
            if (lines.Count > maxLines)
            {
                Error = SmtpReplyError.TooManyLines;
                return null;
            }

            if (text.Length == 3 || text[3] == ' ')
            {
                var reply = new SmtpReply(code, [.. lines]);
                lines.Clear();
                code = -1;
                return reply;
            }
        }

        return null;
    }

    /// <summary>Parses a whole recorded conversation (server side) fed in chunks of <paramref name="chunk"/> bytes.</summary>
    public static (IReadOnlyList<SmtpReply> Replies, SmtpReplyError Error) ParseAll(ReadOnlySpan<byte> data, int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var parser = new SmtpReplyParser();
        var replies = new List<SmtpReply>();
        var offset = 0;
        while (offset < data.Length && parser.Error == SmtpReplyError.None)
        {
            var piece = data.Slice(offset, Math.Min(chunk, data.Length - offset));
            var used = 0;
            while (used < piece.Length && parser.Error == SmtpReplyError.None)
            {
                var reply = parser.Feed(piece[used..], out var consumed);
                used += consumed;
                if (reply is not null)
                {
                    replies.Add(reply);
                }
            }

            offset += piece.Length;
        }

        return (replies, parser.Error);
    }
}
