using System.Text;
using System.Text.Json;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Pki;

namespace MailTls.Tests.MtaSts;

/// <summary>Every vector of kinds txt, policy, mx-match, cert-match and content-type (TestData/MtaSts/vectors.json).</summary>
public sealed class StsVectorTests
{
    public static TheoryData<string, int> Txt => StsVectors.OfKind("txt");

    public static TheoryData<string, int> Policy => StsVectors.OfKind("policy");

    public static TheoryData<string, int> MxMatch => StsVectors.OfKind("mx-match");

    public static TheoryData<string, int> CertMatch => StsVectors.OfKind("cert-match");

    public static TheoryData<string, int> ContentType => StsVectors.OfKind("content-type");

    [Fact]
    public void Vector_counts_match_SOURCES_md()
    {
        Assert.Equal(62, StsVectors.Count("txt"));
        Assert.Equal(83, StsVectors.Count("policy"));
        Assert.Equal(33, StsVectors.Count("mx-match"));
        Assert.Equal(10, StsVectors.Count("cert-match"));
        Assert.Equal(15, StsVectors.Count("content-type"));
    }

    [Theory]
    [MemberData(nameof(Txt))]
    public void Txt_vector(string name, int index)
    {
        _ = name;
        var v = StsVectors.Get(index);
        var input = v.GetProperty("input");
        var expect = v.GetProperty("expect").GetString();

        if (input.ValueKind == JsonValueKind.String)
        {
            var text = input.GetString()!;
            var parsed = StsRecordParser.Parse(text);
            var selection = StsRecordSelector.Select([[text]]);
            switch (expect)
            {
                case "valid":
                    Assert.True(parsed.IsValid, string.Join("; ", parsed.Findings.Select(f => f.Message)));
                    Assert.Equal(v.GetProperty("expect_id").GetString(), parsed.Record.Id);
                    Assert.False(parsed.Findings.HasErrors());
                    Assert.Equal(StsSelectionOutcome.Selected, selection.Outcome);
                    Assert.Equal(parsed.Record.Id, selection.Record!.Id);
                    break;
                case "invalid":
                    Assert.False(parsed.IsValid);
                    Assert.Null(parsed.Record);
                    Assert.Contains(parsed.Findings, f => f.IsError && f.Code.StartsWith("sts.txt.", StringComparison.Ordinal));
                    Assert.NotEqual(StsSelectionOutcome.Selected, selection.Outcome);
                    Assert.Null(selection.Record);
                    break;
                default:
                    Assert.Fail($"Unexpected expectation {expect} for a single TXT string.");
                    break;
            }

            return;
        }

        if (input.TryGetProperty("servfail", out _))
        {
            Assert.Equal("temperror", expect);
            foreach (var status in new[] { DnsAnswerStatus.ServFail, DnsAnswerStatus.Timeout })
            {
                var result = StsDiscovery.Evaluate(new StsTxtAnswer(status, []));
                var temp = Assert.IsType<StsDiscoveryResult.TempFailure>(result);
                Assert.Equal(status, temp.Status);
                Assert.Contains(temp.Findings, f => f.Code == "sts.txt.dns-temporary");
            }

            return;
        }

        IReadOnlyList<string>[] rrset;
        if (input.TryGetProperty("cname_chain", out _))
        {
            // Following the CNAME chain is the DNS layer's job (a later issue): the resolver hands the discovery
            // step the TXT RRset found at the chain's target. What this core must guarantee is that such a record
            // is evaluated exactly like a record found directly at _mta-sts.<domain>.
            rrset = [[input.GetProperty("target").GetString()!]];
        }
        else
        {
            rrset = input.GetProperty("rrset").EnumerateArray().Select(rr => (IReadOnlyList<string>)StsVectors.Strings(rr)).ToArray();
        }

        var sel = StsRecordSelector.Select(rrset);
        var discovery = StsDiscovery.Evaluate(new StsTxtAnswer(rrset.Length == 0 ? DnsAnswerStatus.NoData : DnsAnswerStatus.Answer, rrset));
        switch (expect)
        {
            case "valid":
                Assert.Equal(StsSelectionOutcome.Selected, sel.Outcome);
                Assert.Equal(v.GetProperty("expect_id").GetString(), sel.Record!.Id);
                var found = Assert.IsType<StsDiscoveryResult.Found>(discovery);
                Assert.Equal(sel.Record.Id, found.Record.Id);
                break;
            case "no-policy":
                Assert.NotEqual(StsSelectionOutcome.Selected, sel.Outcome);
                Assert.Null(sel.Record);
                Assert.Contains(sel.Findings, f => f.IsError || f.Code == "sts.txt.no-record");
                var none = Assert.IsType<StsDiscoveryResult.NoPolicy>(discovery);
                Assert.NotEmpty(none.Findings);
                var expectedReason = sel.Outcome switch
                {
                    StsSelectionOutcome.MultipleRecords => StsNoPolicyReason.MultipleRecords,
                    StsSelectionOutcome.InvalidRecord => StsNoPolicyReason.InvalidRecord,
                    _ => StsNoPolicyReason.NoRecord,
                };
                Assert.Equal(expectedReason, none.Reason);
                break;
            default:
                Assert.Fail($"Unexpected expectation {expect} for an RRset.");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Policy))]
    public void Policy_vector(string name, int index)
    {
        _ = name;
        var v = StsVectors.Get(index);
        var body = StsVectors.PolicyBody(v.GetProperty("input"));
        var expect = v.GetProperty("expect").GetString();

        var fromString = StsPolicyParser.Parse(body);
        var fromBytes = StsPolicyParser.Parse(Encoding.UTF8.GetBytes(body));
        Assert.Equal(fromString.IsValid, fromBytes.IsValid);
        Assert.Equal(fromString.Policy, fromBytes.Policy);
        Assert.Equal(fromString.Findings.Select(f => f.Code), fromBytes.Findings.Select(f => f.Code));
        var r = fromBytes;

        switch (expect)
        {
            case "valid":
            case "warning":
                Assert.True(r.IsValid, string.Join("; ", r.Findings.Select(f => f.Message)));
                Assert.False(r.Findings.HasErrors());
                Assert.Equal("STSv1", r.Policy.Version);
                Assert.Equal(body, r.Policy.RawText);
                if (expect == "warning")
                {
                    Assert.Contains(r.Findings, f => f.Severity == Severity.Warning);
                }

                if (v.TryGetProperty("expect_value", out var ev))
                {
                    Assert.Equal(ev.GetProperty("mode").GetString(), r.Policy.Mode.ToWireName());
                    Assert.Equal(ev.GetProperty("max_age").GetInt64(), r.Policy.MaxAge);
                    Assert.Equal(StsVectors.Strings(ev.GetProperty("mx")), r.Policy.Mx.Select(m => m.Text));
                    var expectedExt = ev.TryGetProperty("extensions", out var ex)
                        ? ex.EnumerateObject().Select(p => new StsExtension(p.Name, p.Value.GetString()!)).ToArray()
                        : [];
                    Assert.Equal(expectedExt, r.Policy.Extensions);
                }

                break;
            case "invalid":
                Assert.False(r.IsValid);
                Assert.Null(r.Policy);
                var errors = r.Findings.Where(f => f.IsError).ToList();
                Assert.NotEmpty(errors);
                foreach (var e in errors)
                {
                    Assert.StartsWith("sts.policy.", e.Code, StringComparison.Ordinal);
                    Assert.False(string.IsNullOrWhiteSpace(e.Rule));
                    // Problems on a line name the line; whole-policy problems name the missing field or the size.
                    Assert.True(
                        e.Evidence.ContainsKey("line") || e.Evidence.ContainsKey("field") || e.Evidence.ContainsKey("bytes"),
                        $"{e.Code}: {e.Message}");
                }

                break;
            default:
                Assert.Fail($"Unexpected expectation {expect}.");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(MxMatch))]
    public void Mx_match_vector(string name, int index)
    {
        _ = name;
        var v = StsVectors.Get(index);
        var input = v.GetProperty("input");
        var patterns = StsVectors.Strings(input.GetProperty("patterns")).Select(MxPattern.Parse).ToArray();
        var host = input.GetProperty("host").GetString()!;
        var expected = v.GetProperty("expect").GetString() switch
        {
            "match" => true,
            "no-match" => false,
            var other => throw new InvalidOperationException(other),
        };

        Assert.Equal(expected, MxPatternMatcher.Matches(patterns, host));
        Assert.Equal(expected, patterns.Any(p => p.Matches(host)));
        Assert.Equal(expected, MxPatternMatcher.FirstMatch(patterns, host) is not null);
        var policy = new StsPolicy("STSv1", StsMode.Enforce, 604800, patterns, []);
        Assert.Equal(expected, policy.Covers(host));
    }

    [Theory]
    [MemberData(nameof(CertMatch))]
    public void Cert_match_vector(string name, int index)
    {
        _ = name;
        var v = StsVectors.Get(index);
        var input = v.GetProperty("input");
        var host = input.GetProperty("host").GetString()!;
        var sans = StsVectors.Strings(input.GetProperty("san_dns"));
        var expected = v.GetProperty("expect").GetString() == "match";

        // subject_cn is deliberately not passed: RFC 8461 §4.2 / RFC 6125 as profiled there use SAN DNS-IDs only.
        Assert.Equal(expected, CertificateIdentity.Matches(host, sans));

        if (input.TryGetProperty("policy_mx", out var policyMx))
        {
            // The policy authorises the MX host, but the certificate must match the host actually dialled.
            var patterns = StsVectors.Strings(policyMx).Select(MxPattern.Parse).ToArray();
            Assert.True(MxPatternMatcher.Matches(patterns, host));
            Assert.True(sans.All(s => MxPatternMatcher.Matches(patterns, s)));
            Assert.False(CertificateIdentity.Matches(host, sans));
        }
    }

    [Theory]
    [MemberData(nameof(ContentType))]
    public void Content_type_vector(string name, int index)
    {
        _ = name;
        var v = StsVectors.Get(index);
        var expected = v.GetProperty("expect").GetString() == "accept";
        Assert.Equal(expected, StsMediaType.IsAcceptable(v.GetProperty("input").GetString()));
    }
}
