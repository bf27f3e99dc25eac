using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Findings;

namespace MailTls.Cli.Output;

/// <summary>The JSON shapes of the CLI contract (design §4/§5). Keys here are stable: extend, never rename.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions LineOptions = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One JSON value on one line (JSONL: <c>scan --output</c>).</summary>
    public static string Line(JsonNode node) => node.ToJsonString(LineOptions);

    public static void Write(CliConsole console, JsonNode node)
    {
        console.Out.WriteLine(node.ToJsonString(Options));
    }

    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    /// <summary><c>{"code","severity","subject","message","fix","evidence","why","rule"}</c>.</summary>
    public static JsonObject Finding(Finding f)
    {
        var evidence = new JsonObject();
        foreach (var (k, v) in f.Evidence)
        {
            evidence[k] = v;
        }

        return new JsonObject
        {
            ["code"] = f.Code,
            ["severity"] = SeverityName(f.Severity),
            ["subject"] = f.Subject,
            ["message"] = f.Message,
            ["fix"] = f.Fix,
            ["evidence"] = evidence,
            ["why"] = f.Why,
            ["rule"] = f.Rule,
        };
    }

    public static JsonArray Findings(IEnumerable<Finding> findings) => new([.. findings.Select(f => (JsonNode)Finding(f))]);

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
