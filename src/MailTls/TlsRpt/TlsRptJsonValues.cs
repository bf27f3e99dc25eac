using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>Typed access to JSON values with findings: counts, strings, arrays, IPs, duplicate and unknown keys.</summary>
internal sealed partial class TlsRptJsonMapper
{
    private void CheckIp(string? value, string path)
    {
        if (value is not null && !IsIpAddress(value))
        {
            findings.Add(TlsRptFindings.ReportInvalidIp.Create(subject, $"\"{value}\" is not an IPv4 or IPv6 address.", Ev(path, value)));
        }
    }

    /// <summary>Strict textual IP check: dotted-quad IPv4 without leading zeros, or IPv6 without a zone.</summary>
    internal static bool IsIpAddress(string value)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return !value.Contains('%', StringComparison.Ordinal)
                && IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = value.Split('.');
        return parts.Length == 4 && parts.All(part =>
            part.Length is >= 1 and <= 3
            && part.All(char.IsAsciiDigit)
            && (part.Length == 1 || part[0] != '0')
            && int.Parse(part, CultureInfo.InvariantCulture) <= 255);
    }

    private long Count(JsonProps p, string key, string prefix)
    {
        var path = prefix + key;
        if (!p.TryGetValue(key, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            findings.Add(TlsRptFindings.ReportMissingField.Create(subject, $"\"{key}\" is missing; counted as 0.", Ev(path)));
            return 0;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n) && n >= 0)
        {
            return n;
        }

        if (e.ValueKind == JsonValueKind.String)
        {
            var s = e.GetString()!;
            if (s.Length is >= 1 and <= 18 && s.All(char.IsAsciiDigit))
            {
                findings.Add(TlsRptFindings.ReportNumberAsString.Create(subject, $"\"{key}\" is the string \"{s}\", not a JSON number.", Ev(path, s)));
                return long.Parse(s, CultureInfo.InvariantCulture);
            }
        }

        findings.Add(TlsRptFindings.ReportInvalidCount.Create(subject, $"\"{key}\" is {Raw(e)}, not a non-negative integer; counted as 0.",
            Ev(path, Raw(e))));
        return 0;
    }

    private string? RequiredString(JsonProps p, string key, string prefix)
    {
        if (!p.TryGetValue(key, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            findings.Add(TlsRptFindings.ReportMissingField.Create(subject, $"\"{key}\" is missing.", Ev(prefix + key)));
            return null;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            WrongType(prefix + key, e, "a string");
            return null;
        }

        return e.GetString();
    }

    private string? OptionalString(JsonProps p, string key, string path)
    {
        if (!p.TryGetValue(key, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            WrongType($"{path}.{key}", e, "a string");
            return null;
        }

        return e.GetString();
    }

    private List<string>? StringArray(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            WrongType(path, e, "an array of strings");
            return null;
        }

        var list = new List<string>();
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                list.Add(item.GetString()!);
            }
            else
            {
                WrongType($"{path}[{i}]", item, "a string");
            }

            i++;
        }

        return list;
    }

    /// <summary>
    /// Object properties, first occurrence winning (as RFC 8461 §3.2 for duplicates; I-JSON forbids them), in document
    /// order. <paramref name="keys"/> are the names this object may have: they are matched on the UTF-8 bytes, so only
    /// unknown names are turned into strings.
    /// </summary>
    private JsonProps Properties(JsonElement obj, string path, string[] keys)
    {
        var props = new JsonProps(keys, obj.GetPropertyCount());
        var utf8 = Utf8Keys(keys);
        foreach (var prop in obj.EnumerateObject())
        {
            var known = -1;
            for (var k = 0; k < utf8.Length; k++)
            {
                if (prop.NameEquals(utf8[k]))
                {
                    known = k;
                    break;
                }
            }

            var name = known >= 0 ? keys[known] : prop.Name;
            if (!props.TryAdd(known, name, prop.Value))
            {
                findings.Add(TlsRptFindings.ReportDuplicateKey.Create(subject, $"The key \"{name}\" appears more than once; the first is used.",
                    Ev(Join(path, name))));
            }
        }

        return props;
    }

    private IReadOnlyDictionary<string, string> Unknown(JsonProps p, string[] known, string path)
    {
        Dictionary<string, string>? unknown = null;
        foreach (var (name, value) in p)
        {
            if (known.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            unknown ??= new Dictionary<string, string>(StringComparer.Ordinal);
            unknown[name] = value.GetRawText();
            findings.Add(TlsRptFindings.ReportUnknownField.Create(subject, $"The key \"{name}\" is not defined by RFC 8460; it is kept verbatim.",
                Ev(Join(path, name))));
        }

        return unknown is null ? TlsRptEquality.EmptyFields : unknown.AsReadOnly();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string[], byte[][]> Utf8KeyTables = new(ReferenceEqualityComparer.Instance);

    private static byte[][] Utf8Keys(string[] keys) =>
        Utf8KeyTables.GetOrAdd(keys, static k => [.. k.Select(System.Text.Encoding.UTF8.GetBytes)]);

    /// <summary>The first occurrence of each property of one object, in document order.</summary>
    private sealed class JsonProps(string[] keys, int capacity)
    {
        private readonly (int Known, string Name, JsonElement Value)[] items = new (int, string, JsonElement)[capacity];
        private int count;

        /// <summary>Adds a property; false when an earlier property has the same name.</summary>
        public bool TryAdd(int known, string name, JsonElement value)
        {
            for (var i = 0; i < count; i++)
            {
                if (known >= 0 ? items[i].Known == known : items[i].Known < 0 && string.Equals(items[i].Name, name, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            items[count++] = (known, name, value);
            return true;
        }

        public bool TryGetValue(string key, out JsonElement value)
        {
            var known = Array.IndexOf(keys, key);
            for (var i = 0; i < count; i++)
            {
                if (known >= 0 ? items[i].Known == known : string.Equals(items[i].Name, key, StringComparison.Ordinal))
                {
                    value = items[i].Value;
                    return true;
                }
            }

            value = default;
            return false;
        }

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public IEnumerator<(string Name, JsonElement Value)> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return (items[i].Name, items[i].Value);
            }
        }
    }

    private void WrongType(string path, JsonElement e, string expected) =>
        findings.Add(TlsRptFindings.ReportWrongType.Create(subject, $"\"{path}\" is {Kind(e)}, expected {expected}; ignored.", Ev(path, Raw(e))));

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private static string Raw(JsonElement e) => TlsRptReportReader.Preview(e.GetRawText());

    private static IReadOnlyDictionary<string, string> Ev(string path, string? value = null) =>
        FindingList.Evidence(("path", path), ("value", value));
}
