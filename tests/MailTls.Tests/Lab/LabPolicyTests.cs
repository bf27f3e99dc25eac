using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Tests.Lab;

/// <summary>
/// The policy parser on the policies the lab's nginx really serves (over HTTPS, fetched with curl trusting the lab
/// CA), cross-checked with postfix-mta-sts-resolver's verdict recorded by the lab self-test: every policy the scenario
/// calls clean is valid for us and for mta-sts-query; every expected <c>sts.policy.*</c> parser code is reported.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabPolicyTests
{
    /// <summary>Codes the policy parser defines (fetch-level codes such as sts.policy.content-type belong to check's fetcher).</summary>
    private static readonly HashSet<string> ParserCodes = [.. typeof(StsFindings).GetFields().Select(f => f.GetValue(null)).OfType<FindingDefinition>().Select(d => d.Code)];

    public static TheoryData<string> PolicyHosts()
    {
        var data = new TheoryData<string>();
        foreach (var p in LabPlan.Root.GetProperty("policy").EnumerateArray())
        {
            var http = p.GetProperty("http");
            var servesBody = !http.TryGetProperty("status", out _) && !http.TryGetProperty("redirect", out _) && !http.TryGetProperty("slow", out _);
            var resolvable = p.GetProperty("signing").GetString() is not ("expired-rrsig" or "ds-mismatch");
            if (servesBody && resolvable && p.GetProperty("cert_ok").GetBoolean())
            {
                data.Add(p.GetProperty("domain").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PolicyHosts))]
    public async Task Served_policy_is_judged_as_the_scenario_says(string domain)
    {
        var (code, _, body, stderr) = await LabProcess.RunAsync("curl", "-sS", "--fail", "--max-time", "20", $"https://mta-sts.{domain}/.well-known/mta-sts.txt");
        Assert.True(code == 0, $"curl failed: {stderr}");

        var result = StsPolicyParser.Parse(body);
        var expected = LabPlan.Expect(LabPlan.Domain(domain))
            .Where(c => c.StartsWith("sts.policy.", StringComparison.Ordinal) && ParserCodes.Contains(c))
            .ToList();
        foreach (var c in expected)
        {
            Assert.Contains(result.Findings, f => f.Code == c);
        }

        var parserErrorExpected = expected.Any(c => FindingCatalog.Find(c)!.Severity == Severity.Error);
        Assert.Equal(!parserErrorExpected, result.IsValid);

        var plan = LabPlan.Domain(domain);
        var peer = plan.TryGetProperty("mta_sts_query", out var q) ? q.GetString() : null;
        if (result.IsValid && !LabPlan.Expect(plan).Any(c => c.StartsWith("sts.", StringComparison.Ordinal)))
        {
            Assert.Equal("VALID", peer);
        }
    }
}
