using MailTls.Findings;
using MailTls.Watch;

namespace MailTls.Tests.Watch;

public sealed class AlertKindsTests
{
    [Fact]
    public void Kinds_have_unique_ids_and_cataloged_codes()
    {
        Assert.Equal(AlertKinds.All.Count, AlertKinds.All.Select(k => k.Id).Distinct().Count());
        Assert.All(AlertKinds.All.SelectMany(k => k.Findings), f => Assert.Same(f, FindingCatalog.Find(f.Code)));
        Assert.Equal(
            ["policy-changed-without-id-bump", "mx-not-covered", "mx-cert-expiring", "policy-cert-expiring", "tlsa-mismatch",
             "dnssec-bogus", "dnssec-signature-expiring", "policy-unreachable", "tlsrpt-failure-jump"],
            AlertKinds.All.Select(k => k.Id).ToArray());
    }

    [Fact]
    public void Each_code_raises_at_most_one_kind()
    {
        var codes = AlertKinds.All.SelectMany(k => k.Findings.Select(f => f.Code)).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Empty(AlertKinds.ForCode("sts.policy.mode-testing"));
        Assert.Equal("policy-unreachable", Assert.Single(AlertKinds.ForCode("sts.policy.redirect")).Id);
    }

    [Fact]
    public void Docs_list_every_kind_with_its_codes()
    {
        var doc = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "watch.md"));
        foreach (var kind in AlertKinds.All)
        {
            var row = doc.SingleOrDefault(l => l.StartsWith($"| `{kind.Id}` |", StringComparison.Ordinal));
            Assert.True(row is not null, $"docs/watch.md has no row for {kind.Id}");
            var raisedBy = row.Split('|')[2];
            Assert.Equal(kind.Findings.Select(f => $"`{f.Code}`").Order(StringComparer.Ordinal),
                raisedBy.Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        }
    }
}
