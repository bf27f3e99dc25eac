using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using MailTls.Findings;

namespace MailTls.MtaSts;

/// <summary>
/// Strict parser for the MTA-STS policy text (RFC 8461 §3.2):
/// <c>sts-policy-record = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]</c>.
/// Any field order; LF or CRLF terminators (erratum 6253), a bare CR is not one; no empty lines, no leading
/// whitespace, at most one final terminator; the first of a duplicated field wins (mx repeats); unknown keys are
/// ignored but must match the extension syntax. The body is capped at <see cref="Limits.StsPolicyMaxBytes"/>
/// before parsing. Every finding about a line carries the line number as evidence <c>line</c>.
/// </summary>
public static class StsPolicyParser
{
    internal const string Subject = "MTA-STS policy";

    /// <summary>Parses the policy body as received (UTF-8 bytes, BOM and all).</summary>
    public static StsPolicyParseResult Parse(ReadOnlySpan<byte> utf8Body)
    {
        var sink = new Sink();
        if (utf8Body.Length > Limits.StsPolicyMaxBytes)
        {
            return TooLarge(sink, utf8Body.Length);
        }

        var hasBom = utf8Body.StartsWith("\uFEFF"u8);
        if (hasBom)
        {
            utf8Body = utf8Body[3..];
        }

        var chars = ArrayPool<char>.Shared.Rent(Math.Max(1, utf8Body.Length));
        try
        {
            var status = Utf8.ToUtf16(utf8Body, chars, out var read, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                var line = 1 + utf8Body[..read].Count((byte)'\n');
                sink.Add(StsFindings.PolicyInvalidUtf8.Create(Subject,
                    $"The body is not valid UTF-8: invalid byte sequence at byte offset {read + (hasBom ? 3 : 0)} (line {line}).",
                    Evidence(line, ("offset", (read + (hasBom ? 3 : 0)).ToString(CultureInfo.InvariantCulture)))));
                return sink.Result(null);
            }

            if (hasBom)
            {
                AddBom(sink);
            }

            return ParseText(new string(chars, 0, written), sink);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Parses a policy body already decoded to text (a leading U+FEFF counts as a BOM).</summary>
    public static StsPolicyParseResult Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var sink = new Sink();
        var byteCount = Encoding.UTF8.GetByteCount(body);
        if (byteCount > Limits.StsPolicyMaxBytes)
        {
            return TooLarge(sink, byteCount);
        }

        for (var i = 0; i < body.Length; i++)
        {
            if (char.IsHighSurrogate(body[i]) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(body[i]))
            {
                var line = 1 + body.AsSpan(0, i).Count('\n');
                sink.Add(StsFindings.PolicyInvalidUtf8.Create(Subject,
                    $"The text contains an unpaired surrogate U+{(int)body[i]:X4} at line {line}, which has no UTF-8 encoding.", Evidence(line)));
                return sink.Result(null);
            }
        }

        if (body.StartsWith('\uFEFF'))
        {
            AddBom(sink);
            body = body[1..];
        }

        return ParseText(body, sink);
    }

    private static StsPolicyParseResult TooLarge(Sink sink, int length)
    {
        sink.Add(StsFindings.PolicyTooLarge.Create(Subject,
            $"The policy body has {length} bytes; more than {Limits.StsPolicyMaxBytes} is not accepted.",
            FindingList.Evidence(("bytes", length.ToString(CultureInfo.InvariantCulture)))));
        return sink.Result(null);
    }

    private static void AddBom(Sink sink) =>
        sink.Add(StsFindings.PolicyBom.Create(Subject,
            "The body starts with a UTF-8 byte order mark (EF BB BF) before the first field on line 1.", Evidence(1)));

    private static StsPolicyParseResult ParseText(string text, Sink sink)
    {
        if (text.Length == 0)
        {
            sink.Add(StsFindings.PolicySyntax.Create(Subject, "The policy body is empty.", Evidence(1)));
        }

        var state = new PolicyBuilder(sink);
        int lfCount = 0, crlfCount = 0, lineNo = 0, start = 0;
        var lines = new List<(int Number, int Start, int End)>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                var crlf = i > start && text[i - 1] == '\r';
                _ = crlf ? crlfCount++ : lfCount++;
                lines.Add((++lineNo, start, crlf ? i - 1 : i));
                start = i + 1;
            }
        }

        // A final terminator is optional: the text after the last one is a line only if it is not empty.
        if (start < text.Length)
        {
            lines.Add((++lineNo, start, text.Length));
        }

        foreach (var (number, s, e) in lines)
        {
            var line = text.AsSpan(s, e - s);
            if (line.IsEmpty)
            {
                var atEnd = e == text.Length - 1 || (e == text.Length - 2 && text[e] == '\r');
                sink.Add(StsFindings.PolicyBlankLine.Create(Subject,
                    atEnd ? $"Line {number} is empty: the policy ends with more than one line break (at most one final line break is allowed)."
                          : $"Line {number} is empty; empty lines are not allowed between fields.",
                    Evidence(number)));
                continue;
            }

            var cr = line.IndexOf('\r');
            if (cr >= 0)
            {
                sink.Add(StsFindings.PolicyBareCr.Create(Subject,
                    $"Line {number} contains a CR not followed by LF at column {cr + 1}; only LF or CRLF end a line, and CR is not allowed inside a field.",
                    Evidence(number, ("column", (cr + 1).ToString(CultureInfo.InvariantCulture)))));
                continue;
            }

            state.AddLine(number, line.ToString());
        }

        if (lfCount > 0 && crlfCount > 0)
        {
            sink.Add(StsFindings.PolicyMixedLineEndings.Create(Subject,
                $"The policy mixes line endings: {crlfCount} CRLF and {lfCount} LF.",
                FindingList.Evidence(("crlf", crlfCount.ToString(CultureInfo.InvariantCulture)), ("lf", lfCount.ToString(CultureInfo.InvariantCulture)))));
        }

        return sink.Result(state.Build(text));
    }

    internal static IReadOnlyDictionary<string, string> Evidence(int line, params (string Key, string? Value)[] more) =>
        FindingList.Evidence([("line", line.ToString(CultureInfo.InvariantCulture)), .. more]);

    /// <summary>Collects findings up to a cap, remembering whether any error was seen.</summary>
    internal sealed class Sink
    {
        private readonly List<Finding> findings = [];
        private int suppressed;

        public bool HasErrors { get; private set; }

        public void Add(Finding finding)
        {
            HasErrors |= finding.IsError;
            if (findings.Count < Limits.StsPolicyMaxFindings)
            {
                findings.Add(finding);
            }
            else
            {
                suppressed++;
            }
        }

        public StsPolicyParseResult Result(StsPolicy? policy)
        {
            if (suppressed > 0)
            {
                findings.Add(StsFindings.PolicyTooManyFindings.Create(Subject,
                    $"{suppressed} further finding(s) were not reported.",
                    FindingList.Evidence(("suppressed", suppressed.ToString(CultureInfo.InvariantCulture)))));
            }

            return new StsPolicyParseResult(HasErrors ? null : policy, findings);
        }
    }
}
