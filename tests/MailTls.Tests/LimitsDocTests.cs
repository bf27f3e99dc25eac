using System.Reflection;

namespace MailTls.Tests;

/// <summary>Every limit in <see cref="Limits"/> is documented in docs/limits.md (design §6: limits in one place, documented).</summary>
public sealed class LimitsDocTests
{
    [Fact]
    public void Every_limit_is_documented()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "limits.md"));
        var missing = typeof(Limits).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.Name)
            .Where(name => !doc.Contains("`" + name + "`", StringComparison.Ordinal))
            .ToList();
        Assert.True(missing.Count == 0, "docs/limits.md does not document: " + string.Join(", ", missing));
    }
}
