using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MailTls.Findings;

namespace MailTls.Reports.Storage;

/// <summary>
/// The JSON text columns of the store (policy strings, mx lists, TLSA records, deviations), written with one reused
/// <see cref="Utf8JsonWriter"/>: the same compact form <see cref="JsonSerializer"/> gave (relaxed escaping, the
/// <see cref="StoredDeviation"/> property names), without its per-call reflection and buffers. One instance per batch (not thread-safe).
/// </summary>
internal sealed class StoredJson : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ArrayBufferWriter<byte> buffer = new(1024);
    private readonly Utf8JsonWriter writer;

    public StoredJson() => writer = new Utf8JsonWriter(buffer, Options);

    /// <summary>A JSON array of strings, or null for a missing list.</summary>
    public string? List(IReadOnlyList<string>? list) => list is null ? null : Encoding.UTF8.GetString(ListUtf8(list)!);

    /// <summary>The deviations as <c>[{"Code","Severity","Message"}…]</c> (read back as <see cref="StoredDeviation"/>).</summary>
    public string Deviations(IReadOnlyList<Finding> deviations) => Encoding.UTF8.GetString(DeviationsUtf8(deviations));

    /// <summary><see cref="List"/> as UTF-8 bytes.</summary>
    public byte[]? ListUtf8(IReadOnlyList<string>? list)
    {
        if (list is null)
        {
            return null;
        }

        Reset();
        writer.WriteStartArray();
        foreach (var s in list)
        {
            writer.WriteStringValue(s);
        }

        writer.WriteEndArray();
        return Text();
    }

    /// <summary><see cref="Deviations"/> as UTF-8 bytes.</summary>
    public byte[] DeviationsUtf8(IReadOnlyList<Finding> deviations)
    {
        if (deviations.Count == 0)
        {
            return "[]"u8.ToArray();
        }

        Reset();
        writer.WriteStartArray();
        foreach (var d in deviations)
        {
            writer.WriteStartObject();
            writer.WriteString("Code"u8, d.Code);
            writer.WriteString("Severity"u8, d.Severity switch { Severity.Error => "error"u8, Severity.Warning => "warning"u8, _ => "info"u8 });
            writer.WriteString("Message"u8, d.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        return Text();
    }

    /// <summary>The deviation codes separated by spaces (empty when none).</summary>
    public static string Codes(IReadOnlyList<Finding> deviations) => deviations.Count switch
    {
        0 => string.Empty,
        1 => deviations[0].Code,
        _ => string.Join(' ', deviations.Select(d => d.Code)),
    };

    public void Dispose() => writer.Dispose();

    private void Reset()
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
    }

    private byte[] Text()
    {
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
