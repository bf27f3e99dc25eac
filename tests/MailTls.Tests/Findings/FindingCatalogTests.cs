using MailTls.Findings;

namespace MailTls.Tests.Findings;

public sealed class FindingCatalogTests
{
    [Fact]
    public void Codes_are_unique_dotted_lowercase()
    {
        foreach (var d in FindingCatalog.All)
        {
            Assert.Matches("^[a-z0-9]+(\\.[a-z0-9-]+)+$", d.Code);
        }
    }
}
