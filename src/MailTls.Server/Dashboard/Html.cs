using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace MailTls.Server.Dashboard;

/// <summary>
/// Markup that is already safe (built by <see cref="HtmlWriter"/> or a literal of ours). Interpolating it into
/// <see cref="HtmlWriter.Add"/> inserts it as is; anything else is HTML-encoded.
/// </summary>
public readonly record struct SafeHtml(string Value)
{
    public static readonly SafeHtml Empty = new(string.Empty);

    public override string ToString() => Value;
}

/// <summary>
/// Builds an HTML page where every interpolated value is encoded unless it is <see cref="SafeHtml"/>: the literal
/// parts of <c>$"…"</c> are our markup, the holes are data (report fields come from senders on the internet).
/// Numbers are formatted with the invariant culture.
/// </summary>
public sealed class HtmlWriter
{
    private readonly StringBuilder sb = new(16 * 1024);

#pragma warning disable CA1822 // the handler has already written into this writer: Add only completes the call
    public void Add([InterpolatedStringHandlerArgument("")] ref HtmlHandler html)
    {
        _ = html;
    }
#pragma warning restore CA1822

    public void Raw(SafeHtml html) => sb.Append(html.Value);

    public void Text(string? text) => sb.Append(HtmlEncoder.Default.Encode(text ?? string.Empty));

    public SafeHtml ToHtml() => new(sb.ToString());

    public override string ToString() => sb.ToString();

    /// <summary>Encodes one value as the writer would.</summary>
    public static SafeHtml Encode(string? text) => new(HtmlEncoder.Default.Encode(text ?? string.Empty));

    /// <summary>Encodes a fragment built with interpolation (same rules as <see cref="Add"/>).</summary>
    public static SafeHtml Of(ref HtmlHandler html) => html.Writer.ToHtml();

    internal StringBuilder Builder => sb;

    /// <summary>The interpolation handler: literals raw, holes encoded (numbers invariant), <see cref="SafeHtml"/> raw.</summary>
    [InterpolatedStringHandler]
    public ref struct HtmlHandler
    {
        public HtmlHandler(int literalLength, int formattedCount, HtmlWriter writer)
        {
            _ = literalLength;
            _ = formattedCount;
            Writer = writer;
        }

        public HtmlHandler(int literalLength, int formattedCount)
        {
            _ = formattedCount;
            Writer = new HtmlWriter();
            Writer.Builder.EnsureCapacity(literalLength * 2);
        }

        internal HtmlWriter Writer { get; }

        public readonly void AppendLiteral(string value) => Writer.Builder.Append(value);

        public readonly void AppendFormatted(SafeHtml value) => Writer.Builder.Append(value.Value);

        public readonly void AppendFormatted(string? value) => Writer.Text(value);

        public readonly void AppendFormatted<T>(T value) => AppendFormatted(value, null);

        public readonly void AppendFormatted<T>(T value, string? format) => Writer.Text(value switch
        {
            null => string.Empty,
            IFormattable f => f.ToString(format, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        });
    }
}
