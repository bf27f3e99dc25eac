namespace MailTls;

/// <summary>
/// Reading the untyped tree YamlDotNet gives for a configuration file (mappings, sequences, scalars): the helpers the
/// hand-written config readers (<c>resolver</c>, <c>watch</c>) share. Errors are collected, not thrown, so a file
/// reports every problem at once.
/// </summary>
internal static class YamlValues
{
    /// <summary>The untyped tree of <paramref name="yaml"/>; false (the syntax error recorded) when it does not parse.</summary>
    public static bool TryLoad(string yaml, List<string> errors, out object? root)
    {
        try
        {
            root = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml);
            return true;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            errors.Add("YAML: " + e.Message);
            root = null;
            return false;
        }
    }

    /// <summary>Records <paramref name="message"/> and returns <paramref name="value"/> (the reader keeps going).</summary>
    public static T Error<T>(List<string> errors, string message, T value)
    {
        errors.Add(message);
        return value;
    }

    /// <summary>A mapping with string keys; anything else is an empty mapping.</summary>
    public static Dictionary<string, object?> Map(object? v) =>
        v is Dictionary<object, object> m ? m.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => (object?)p.Value, StringComparer.Ordinal) : [];

    public static string? Str(object? v) => v?.ToString();

    /// <summary>A sequence of scalars, or one scalar as a one-element list.</summary>
    public static List<string> Strings(object? v) => v switch
    {
        List<object> l => [.. l.Select(x => x.ToString() ?? string.Empty)],
        null => [],
        _ => [v.ToString() ?? string.Empty],
    };
}
