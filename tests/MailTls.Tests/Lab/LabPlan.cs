using System.Text.Json;

namespace MailTls.Tests.Lab;

/// <summary>
/// The running lab's plan (<c>/run/mailtls-lab/plan.json</c>, written by <c>lab/up</c>): every scenario domain with its
/// hosts, TLSA records, policy hosts and the expected finding codes. Lab tests read it so they follow the scenario
/// files (data), not a list of their own.
/// </summary>
internal static class LabPlan
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
    {
        var run = Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";
        var path = Path.Combine(run, "plan.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} not found: lab tests need a running lab (lab/up) and run inside it (lab/exec).");
        }

        return JsonDocument.Parse(File.ReadAllText(path));
    });

    public static JsonElement Root => Document.Value.RootElement;

    public static IEnumerable<JsonElement> CheckedDomains =>
        Root.GetProperty("domains").EnumerateArray().Where(d => d.GetProperty("check").GetBoolean());

    public static JsonElement Domain(string name) =>
        Root.GetProperty("domains").EnumerateArray().First(d => d.GetProperty("domain").GetString() == name);

    public static IReadOnlyList<string> Expect(JsonElement domain) =>
        domain.TryGetProperty("expect", out var e) && e.ValueKind == JsonValueKind.Array
            ? [.. e.EnumerateArray().Select(x => x.GetString()!)]
            : [];

    /// <summary>Theory data: the names of checked domains that satisfy <paramref name="filter"/>.</summary>
    public static TheoryData<string> DomainNames(Func<JsonElement, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (var d in CheckedDomains.Where(filter))
        {
            data.Add(d.GetProperty("domain").GetString()!);
        }

        return data;
    }
}
