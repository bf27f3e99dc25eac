using System.Text;
using System.Text.Json;

namespace MailTls.Tests.MtaSts;

/// <summary>
/// Loads TestData/MtaSts/vectors.json. Theories take (display name, index) so that xunit lists every vector as its
/// own test case with a readable name, and the test looks the vector up by index.
/// </summary>
internal static class StsVectors
{
    private static readonly Lazy<JsonElement[]> All = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.TestData("MtaSts", "vectors.json")));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static JsonElement Get(int index) => All.Value[index];

    public static TheoryData<string, int> OfKind(string kind)
    {
        var data = new TheoryData<string, int>();
        var all = All.Value;
        for (var i = 0; i < all.Length; i++)
        {
            if (all[i].GetProperty("kind").GetString() == kind)
            {
                data.Add($"#{i:000} {all[i].GetProperty("expect").GetString()}: {Describe(all[i].GetProperty("input"))}", i);
            }
        }

        return data;
    }

    public static int Count(string kind) => All.Value.Count(v => v.GetProperty("kind").GetString() == kind);

    /// <summary>The policy body of a policy vector (the oversize vector is built from its prefix and padding).</summary>
    public static string PolicyBody(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return input.GetString()!;
        }

        var prefix = input.GetProperty("body_prefix").GetString()!;
        var pad = input.GetProperty("pad_char").GetString()!;
        var count = input.GetProperty("pad_count").GetInt32();
        return prefix + string.Concat(Enumerable.Repeat(pad, count));
    }

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    private static string Describe(JsonElement input)
    {
        var text = input.ValueKind == JsonValueKind.String ? input.GetString()! : input.GetRawText();
        if (input.ValueKind == JsonValueKind.Object && input.TryGetProperty("pad_count", out var pc))
        {
            text = $"body_prefix + {pc.GetInt32()} x pad";
        }

        var sb = new StringBuilder();
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || c == '\uFEFF' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
            if (sb.Length > 90)
            {
                sb.Append('…');
                break;
            }
        }

        return sb.ToString();
    }
}
