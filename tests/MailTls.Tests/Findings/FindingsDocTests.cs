using System.Text;
using MailTls.Findings;

namespace MailTls.Tests.Findings;

/// <summary>
/// Keeps docs/findings.md and the code in step: the catalogue section of the document must be exactly what the
/// <see cref="FindingCatalog"/> declares. Run with MAILTLS_UPDATE_GOLDEN=1 to rewrite the section after adding codes.
/// </summary>
public sealed class FindingsDocTests
{
    private const string Begin = "<!-- BEGIN CATALOGUE (generated from the code by FindingsDocTests; edit the code, not this table) -->";
    private const string End = "<!-- END CATALOGUE -->";

    [Fact]
    public void Docs_list_exactly_the_codes_in_the_code()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "docs", "findings.md");
        var doc = File.ReadAllText(path);
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/findings.md must contain the catalogue markers");

        var expected = Render();
        var actual = doc[(start + Begin.Length)..end];
        if (actual != expected && Environment.GetEnvironmentVariable("MAILTLS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, doc[..(start + Begin.Length)] + expected + doc[end..]);
            actual = expected;
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Every_definition_explains_itself()
    {
        Assert.NotEmpty(FindingCatalog.All);
        foreach (var d in FindingCatalog.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Title), d.Code + " has no title");
            Assert.False(string.IsNullOrWhiteSpace(d.Rule), d.Code + " names no rule");
            Assert.False(string.IsNullOrWhiteSpace(d.Why), d.Code + " does not say why it matters");
            Assert.False(string.IsNullOrWhiteSpace(d.Fix), d.Code + " does not say how to fix it");
        }
    }

    private static string Render()
    {
        var sb = new StringBuilder("\n");
        foreach (var group in FindingCatalog.All.OrderBy(d => d.Code, StringComparer.Ordinal).GroupBy(d => d.Code.Split('.')[0]))
        {
            sb.Append("\n### `").Append(group.Key).Append(".*`\n\n");
            sb.Append("| code | severity | rule | what | fix |\n|---|---|---|---|---|\n");
            foreach (var d in group)
            {
                sb.Append("| `").Append(d.Code).Append("` | ")
                  .Append(d.Severity.ToString().ToLowerInvariant()).Append(" | ")
                  .Append(Cell(d.Rule)).Append(" | ")
                  .Append(Cell(d.Title)).Append(" — ").Append(Cell(d.Why)).Append(" | ")
                  .Append(Cell(d.Fix)).Append(" |\n");
            }
        }

        return sb.Append('\n').ToString();
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
