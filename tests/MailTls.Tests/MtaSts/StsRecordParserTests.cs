using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Tests.MtaSts;

/// <summary>Golden tests of TXT record parsing, selection and discovery findings.</summary>
public sealed class StsRecordParserTests
{
    [Fact]
    public void Canonical_record_has_no_findings()
    {
        var r = StsRecordParser.Parse("v=STSv1; id=20260101T120000;");
        Assert.True(r.IsValid);
        Assert.Empty(r.Findings);
        Assert.Equal("20260101T120000", r.Record.Id);
        Assert.Empty(r.Record.Extensions);
        Assert.Equal("v=STSv1; id=20260101T120000;", r.Record.Text);
    }

    [Fact]
    public void Whitespace_before_first_delimiter_is_valid_with_an_erratum_warning()
    {
        var r = StsRecordParser.Parse("v=STSv1 ; id=abc");
        Assert.True(r.IsValid);
        var f = Assert.Single(r.Findings);
        Assert.Equal("sts.txt.whitespace-before-delimiter", f.Code);
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("8", f.Evidence["position"]);
        Assert.Contains("erratum 6285", f.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Upper_case_ID_is_missing_id_plus_typo_warning()
    {
        var r = StsRecordParser.Parse("v=STSv1; ID=abc");
        Assert.False(r.IsValid);
        Assert.Equal(["sts.txt.unknown-key-typo", "sts.txt.missing-id"], r.Findings.Select(f => f.Code));
        Assert.Equal("ID", r.Findings[0].Evidence["field"]);
        Assert.Contains("\"ID\"", r.Findings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_id_first_wins_with_warning()
    {
        var r = StsRecordParser.Parse("v=STSv1; id=abc; id=def; x=1; x=2");
        Assert.True(r.IsValid);
        Assert.Equal("abc", r.Record.Id);
        Assert.Equal([new StsExtension("x", "1")], r.Record.Extensions);
        var dups = r.Findings.Where(f => f.Code == "sts.txt.duplicate-field").ToList();
        Assert.Equal(2, dups.Count);
        Assert.Equal(("id", "18"), (dups[0].Evidence["field"], dups[0].Evidence["position"]));
    }

    [Theory]
    [InlineData("v=STSv1; id=test-123", "sts.txt.bad-id", "17", "'-'")]
    [InlineData("v=STSv1; id=012345678901234567890123456789012", "sts.txt.bad-id", "13", "33 characters")]
    [InlineData("v=STSv1; id=", "sts.txt.bad-id", "13", "empty")]
    [InlineData("v=STSv1; id=policy1; note=caf\u00e9;", "sts.txt.non-ascii", "30", "U+00E9")]
    [InlineData("v=STSv10; id=policy1;", "sts.txt.bad-version", "1", "\"v=STSv10\"")]
    [InlineData("V=STSv1; id=abc", "sts.txt.bad-version", "1", "case-sensitive")]
    [InlineData("id=20180907T090909; v=STSv1;", "sts.txt.bad-version", "1", "MUST be the first")]
    [InlineData("", "sts.txt.bad-version", "1", "empty")]
    [InlineData("v=STSv1; id=a;;", "sts.txt.invalid", "15", "Two ';'")]
    [InlineData("v=STSv1; id=policy1 ", "sts.txt.invalid", "20", "Trailing whitespace")]
    [InlineData("v=STSv1 id=021120211155", "sts.txt.invalid", "9", "Expected ';'")]
    [InlineData("v=STSv1; id=policy1; note=has space;", "sts.txt.invalid", "31", "'s'")]
    [InlineData("v=STSv1; id=a; test==", "sts.txt.bad-extension", "21", "'='")]
    [InlineData("v=STSv1; id=a; x=ab\u0001", "sts.txt.bad-extension", "20", "U+0001")]
    [InlineData("v=STSv1; id=abc; _x=1", "sts.txt.bad-extension", "18", "must start with a letter or digit")]
    [InlineData("v=STSv1; id=a; more=", "sts.txt.bad-extension", "21", "empty")]
    [InlineData("v=STSv1; id=abc; noequals", "sts.txt.invalid", "18", "has no '='")]
    public void Errors_say_what_and_where(string text, string code, string position, string messagePart)
    {
        var r = StsRecordParser.Parse(text);
        Assert.False(r.IsValid);
        var f = Assert.Single(r.Findings, x => x.IsError);
        Assert.Equal(code, f.Code);
        Assert.Equal(position, f.Evidence["position"]);
        Assert.Contains(messagePart, f.Message, StringComparison.Ordinal);
        Assert.StartsWith("RFC 8461", f.Rule, StringComparison.Ordinal);
    }

    /// <summary>
    /// Peer disagreement (B-scan-sts, the lab's bulk class <c>txt-syntax</c>): postfix-mta-sts-resolver's
    /// <c>mta-sts-query</c> only looks for <c>v=STSv1</c> and an <c>id</c>, so it fetches a policy for this record.
    /// RFC 8461 §3.1: the grammar has no empty field between two <c>;</c> and no field without <c>=</c>, and "if the
    /// resulting record is syntactically invalid, senders MUST assume the recipient domain does not have an available
    /// MTA-STS Policy" — so no policy is fetched and the domain counts as without MTA-STS.
    /// </summary>
    [Fact]
    public void Empty_field_and_bare_word_make_the_record_invalid_unlike_mta_sts_query()
    {
        var r = StsRecordParser.Parse("v=STSv1; id=42x1;; bogus");
        Assert.False(r.IsValid);
        Assert.Contains(r.Findings, f => f.IsError && f.Code == "sts.txt.invalid");
        var discovery = StsDiscovery.Evaluate(new StsTxtAnswer(DnsAnswerStatus.Answer, [["v=STSv1; id=42x1;; bogus"]]));
        Assert.Equal(StsNoPolicyReason.InvalidRecord, Assert.IsType<StsDiscoveryResult.NoPolicy>(discovery).Reason);
    }

    [Theory]
    [InlineData("v=STSv1")]
    [InlineData("v=STSv1;")]
    [InlineData("v=STSv1; ext=1")]
    public void Missing_id(string text)
    {
        var r = StsRecordParser.Parse(text);
        Assert.False(r.IsValid);
        Assert.Equal("sts.txt.missing-id", Assert.Single(r.Findings).Code);
    }

    [Fact]
    public void Overlong_record_is_rejected_before_parsing()
    {
        var r = StsRecordParser.Parse("v=STSv1; id=a; x=" + new string('a', Limits.TxtRecordMaxChars));
        Assert.Equal(["sts.txt.too-long"], r.Findings.Select(f => f.Code));
    }

    [Theory]
    [InlineData("v=STSv1;", true)]
    [InlineData("v=STSv1 \t;", true)]
    [InlineData("v=STSv1", false)]
    [InlineData("v=STSv10;", false)]
    [InlineData("V=STSv1;", false)]
    [InlineData(" v=STSv1;", false)]
    public void Candidate_rule(string text, bool expected) => Assert.Equal(expected, StsRecordSelector.IsCandidate(text));

    [Fact]
    public void Selector_warns_about_a_near_miss_record()
    {
        var s = StsRecordSelector.Select([["v=STSv1"], ["v=STSv1; id=a"]]);
        Assert.Equal(StsSelectionOutcome.Selected, s.Outcome);
        var f = Assert.Single(s.Findings);
        Assert.Equal("sts.txt.discarded-record", f.Code);
        Assert.Equal(Severity.Warning, f.Severity);
    }

    [Fact]
    public void Selector_reports_multiple_records_with_each_record()
    {
        var s = StsRecordSelector.Select([["v=STSv1; id=1"], ["v=STSv1; id=2"], ["spf"]]);
        Assert.Equal(StsSelectionOutcome.MultipleRecords, s.Outcome);
        var f = Assert.Single(s.Findings);
        Assert.Equal("sts.txt.multiple-records", f.Code);
        Assert.Equal("v=STSv1; id=1", f.Evidence["record1"]);
        Assert.Equal("v=STSv1; id=2", f.Evidence["record2"]);
        Assert.Equal(2, s.Candidates.Count);
    }

    [Fact]
    public void Selector_reports_an_invalid_candidate_with_the_parse_reason()
    {
        var s = StsRecordSelector.Select([["v=STSv1; id=bad-id"]]);
        Assert.Equal(StsSelectionOutcome.InvalidRecord, s.Outcome);
        Assert.Contains(s.Findings, f => f.Code == "sts.txt.bad-id");
        Assert.Contains(s.Findings, f => f.Code == "sts.txt.invalid");
    }

    [Fact]
    public void Selector_concatenates_strings_without_spaces()
    {
        var s = StsRecordSelector.Select([["v=STS", "v1; id=", "ab", "c"]]);
        Assert.Equal("abc", s.Record!.Id);
        Assert.Equal("v=STSv1; id=abc", s.Record.Text);
    }

    [Theory]
    [InlineData(DnsAnswerStatus.NxDomain, "NXDOMAIN")]
    [InlineData(DnsAnswerStatus.NoData, "NODATA")]
    public void Absent_answers_are_no_policy(DnsAnswerStatus status, string word)
    {
        var r = Assert.IsType<StsDiscoveryResult.NoPolicy>(StsDiscovery.Evaluate(new StsTxtAnswer(status, [])));
        Assert.Equal(StsNoPolicyReason.NoRecord, r.Reason);
        var f = Assert.Single(r.Findings);
        Assert.Equal("sts.txt.no-record", f.Code);
        Assert.Contains(word, f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Temporary_failures_never_become_no_policy_even_with_records()
    {
        // A resolver that hands over partial data together with SERVFAIL must not make a policy appear or vanish.
        var r = StsDiscovery.Evaluate(new StsTxtAnswer(DnsAnswerStatus.ServFail, [["v=STSv1; id=1"]]));
        Assert.IsType<StsDiscoveryResult.TempFailure>(r);
    }

    [Fact]
    public void Found_carries_warnings()
    {
        var r = Assert.IsType<StsDiscoveryResult.Found>(StsDiscovery.Evaluate(new StsTxtAnswer(DnsAnswerStatus.Answer, [["v=STSv1 ;id=x"]])));
        Assert.Equal("x", r.Record.Id);
        Assert.Equal("sts.txt.whitespace-before-delimiter", Assert.Single(r.Findings).Code);
    }
}
