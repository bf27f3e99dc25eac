using System.Collections.Frozen;
using System.Reflection;

namespace MailTls.Findings;

/// <summary>
/// Every <see cref="FindingDefinition"/> declared in this assembly, found once by reflection over the
/// <c>public static readonly</c> fields of public classes, so a new code cannot be forgotten here.
/// </summary>
public static class FindingCatalog
{
    private static readonly Lazy<FrozenDictionary<string, FindingDefinition>> ByCode = new(Load);

    public static IReadOnlyCollection<FindingDefinition> All => ByCode.Value.Values;

    public static FindingDefinition? Find(string code) => ByCode.Value.GetValueOrDefault(code);

    private static FrozenDictionary<string, FindingDefinition> Load()
    {
        var map = new Dictionary<string, FindingDefinition>(StringComparer.Ordinal);
        foreach (var type in typeof(FindingCatalog).Assembly.GetExportedTypes())
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                if (field.FieldType == typeof(FindingDefinition) && field.GetValue(null) is FindingDefinition d)
                {
                    if (!map.TryAdd(d.Code, d))
                    {
                        throw new InvalidOperationException($"Finding code {d.Code} is declared twice.");
                    }
                }
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
