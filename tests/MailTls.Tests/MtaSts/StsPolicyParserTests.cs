using System.Text;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Tests.MtaSts;

/// <summary>Golden tests of the policy parser's findings: code, severity and the line they name.</summary>
public sealed class StsPolicyParserTests
{
    private const string Good = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 1209600\n";

    private static Finding Single(StsPolicyParseResult r, string code) => Assert.Single(r.Findings, f => f.Code == code);

    [Fact]
    public void Good_policy_has_no_findings()
    {
        var r = StsPolicyParser.Parse(Good);
        Assert.True(r.IsValid);
        Assert.Empty(r.Findings);
        Assert.Equal(StsMode.Enforce, r.Policy.Mode);
        Assert.Equal(1209600, r.Policy.MaxAge);
        Assert.True(r.Policy.Covers("MAIL.example.com."));
        Assert.False(r.Policy.Covers("mx.example.com"));
    }

    [Fact]
    public void Max_age_3600_is_valid_with_a_short_warning_on_its_line()
    {
        var r = StsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 3600\n");
        Assert.True(r.IsValid);
        var f = Single(r, "sts.policy.max-age-short");
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("4", f.Evidence["line"]);
        Assert.Contains("3600", f.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(r.Findings, x => x.Code == "sts.policy.max-age-below-week");
    }

    [Theory]
    [InlineData(86399, "sts.policy.max-age-short")]
    [InlineData(86400, "sts.policy.max-age-below-week")]
    [InlineData(604799, "sts.policy.max-age-below-week")]
    [InlineData(604800, null)]
    [InlineData(31557600, null)]
    public void Max_age_thresholds(long maxAge, string? code)
    {
        var r = StsPolicyParser.Parse($"version: STSv1\nmode: testing\nmx: a.example\nmax_age: {maxAge}\n");
        Assert.True(r.IsValid);
        var ageFindings = r.Findings.Where(f => f.Code.StartsWith("sts.policy.max-age", StringComparison.Ordinal)).Select(f => f.Code);
        Assert.Equal(code is null ? [] : [code], ageFindings);
    }

    [Fact]
    public void Mode_none_warns_and_skips_max_age_advice()
    {
        var r = StsPolicyParser.Parse("version: STSv1\nmode: none\nmax_age: 60\n");
        Assert.True(r.IsValid);
        var f = Single(r, "sts.policy.mode-none");
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("2", f.Evidence["line"]);
        Assert.DoesNotContain(r.Findings, x => x.Code.StartsWith("sts.policy.max-age", StringComparison.Ordinal));
    }

    [Fact]
    public void Mode_testing_is_info()
    {
        var r = StsPolicyParser.Parse("mode: testing\nversion: STSv1\nmx: a.example\nmax_age: 1209600");
        Assert.True(r.IsValid);
        Assert.Equal(Severity.Info, Single(r, "sts.policy.mode-testing").Severity);
    }

    [Fact]
    public void Invalid_mx_names_its_line()
    {
        var r = StsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 86400");
        Assert.False(r.IsValid);
        var f = Single(r, "sts.policy.bad-mx");
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal("3", f.Evidence["line"]);
        Assert.StartsWith("Line 3:", f.Message, StringComparison.Ordinal);
        Assert.Contains("trailing", f.Message, StringComparison.Ordinal);
        Assert.Equal("RFC 8461 §3.2 (sts-policy-mx-value = [\"*.\"] Domain, RFC 5321 Domain in A-label form)", f.Rule);
    }

    [Fact]
    public void U_label_mx_suggests_the_a_label()
    {
        var r = StsPolicyParser.Parse("version:STSv1\nmode:none\nmax_age:0\nmx: m\u00f8x.example");
        var f = Single(r, "sts.policy.bad-mx");
        Assert.Equal("4", f.Evidence["line"]);
        Assert.Contains("\"xn--", f.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: STSv1\n\nmode: enforce\nmx: a.example\nmax_age: 86400\n", "sts.policy.blank-line", "2", "empty lines are not allowed")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\n\n", "sts.policy.blank-line", "5", "more than one line break")]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: a.example\r\nmax_age: 86400\r\n\r\n", "sts.policy.blank-line", "5", "more than one line break")]
    [InlineData("version: STSv1\rmode: enforce\rmx: a.example\rmax_age: 86400", "sts.policy.bare-cr", "1", "column 15")]
    [InlineData(" mode: enforce\nversion: STSv1\nmx: a.example\nmax_age: 86400", "sts.policy.syntax", "1", "starts with whitespace")]
    [InlineData("version: STSv1\nmode : enforce\nmx: a.example\nmax_age: 86400", "sts.policy.syntax", "2", "whitespace before ':'")]
    [InlineData("version: STSv1\r\nmode none\r\nmx: a.example\r\nmax_age: 604800\r\n", "sts.policy.syntax", "2", "has no ':'")]
    [InlineData("version: STSv1\n: 8600", "sts.policy.syntax", "2", "empty key")]
    [InlineData("version: stsv1\nmode: none\nmax_age: 86400", "sts.policy.bad-version", "1", "case-sensitive")]
    [InlineData("version: STSv1\nmode: ENFORCE\nmx: a.example\nmax_age: 86400", "sts.policy.bad-mode", "2", "case-sensitive")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 100days\n", "sts.policy.bad-max-age", "4", "'d'")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 60480\u00000\n", "sts.policy.bad-max-age", "4", "U+0000")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 01234567890\n", "sts.policy.bad-max-age", "4", "11 digits")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "sts.policy.bad-max-age", "4", "larger than the maximum")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nx-report: ok\tbad\n", "sts.policy.bad-extension", "5", "tab")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\ncaf\u00e9: ok\n", "sts.policy.bad-extension", "5", "U+00E9")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nmax_age: \n", "sts.policy.bad-extension", "5", "empty")]
    public void Error_findings_name_the_line(string body, string code, string line, string messagePart)
    {
        var r = StsPolicyParser.Parse(body);
        Assert.False(r.IsValid);
        var f = Single(r, code);
        Assert.Equal(Severity.Error, f.Severity);
        Assert.Equal(line, f.Evidence["line"]);
        Assert.Contains(messagePart, f.Message, StringComparison.Ordinal);
        Assert.StartsWith("RFC 8461", f.Rule, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(f.Why));
        Assert.False(string.IsNullOrWhiteSpace(f.Fix));
    }

    [Theory]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400", "sts.policy.missing-mx")]
    [InlineData("version:STSv1\nmax_age:0\nmx:example.com", "sts.policy.missing-mode")]
    [InlineData("version:STSv1\nmode:none", "sts.policy.missing-max-age")]
    [InlineData("mode: none\nmax_age: 0", "sts.policy.missing-version")]
    public void Missing_fields(string body, string code)
    {
        var r = StsPolicyParser.Parse(body);
        Assert.False(r.IsValid);
        Assert.Equal(Severity.Error, Single(r, code).Severity);
    }

    [Fact]
    public void Bad_mode_does_not_also_claim_missing_mx()
    {
        var r = StsPolicyParser.Parse("version:STSv1\nmode:bad\nmax_age:1");
        Assert.Single(r.Findings, f => f.Code == "sts.policy.bad-mode");
        Assert.DoesNotContain(r.Findings, f => f.Code == "sts.policy.missing-mx");
    }

    [Theory]
    [InlineData("nmx", "mx")]
    [InlineData("MX", "mx")]
    [InlineData("Mode", "mode")]
    [InlineData("mdoe", "mode")]
    [InlineData("max-age", "max_age")]
    [InlineData("maxage", "max_age")]
    [InlineData("Version", "version")]
    [InlineData("vesrion", "version")]
    public void Likely_typos_of_known_keys_warn(string key, string suggestion)
    {
        var r = StsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1209600\n{key}: x\n");
        Assert.True(r.IsValid);
        var f = Single(r, "sts.policy.unknown-key-typo");
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("5", f.Evidence["line"]);
        Assert.Equal(suggestion, f.Evidence["suggestion"]);
    }

    [Theory]
    [InlineData("note")]
    [InlineData("comment")]
    [InlineData("x-report")]
    [InlineData("ab")]
    public void Ordinary_extensions_do_not_warn(string key)
    {
        var r = StsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1209600\n{key}: x\n");
        Assert.True(r.IsValid);
        Assert.Empty(r.Findings);
        Assert.Equal([new StsExtension(key, "x")], r.Policy.Extensions);
    }

    [Fact]
    public void Duplicate_field_first_wins_with_a_warning_naming_both_lines()
    {
        var r = StsPolicyParser.Parse("version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 1209600\nmax_age: garbage");
        Assert.True(r.IsValid);
        Assert.Equal(StsMode.Enforce, r.Policy.Mode);
        Assert.Equal(1209600, r.Policy.MaxAge);
        var dups = r.Findings.Where(f => f.Code == "sts.policy.duplicate-field").ToList();
        Assert.Equal(2, dups.Count);
        Assert.Equal(("3", "2"), (dups[0].Evidence["line"], dups[0].Evidence["first_line"]));
        Assert.Equal(("6", "5"), (dups[1].Evidence["line"], dups[1].Evidence["first_line"]));
    }

    [Fact]
    public void Duplicate_extension_keeps_the_first()
    {
        var r = StsPolicyParser.Parse(Good + "x: 1\nx: 2\n");
        Assert.True(r.IsValid);
        Assert.Equal([new StsExtension("x", "1")], r.Policy.Extensions);
        Assert.Single(r.Findings, f => f.Code == "sts.policy.duplicate-field");
    }

    [Theory]
    [InlineData("127.0.0.1", "sts.policy.mx-ip-literal")]
    [InlineData("*.1.2.3.4", "sts.policy.mx-ip-literal")]
    [InlineData("*.com", "sts.policy.broad-wildcard")]
    public void Suspicious_mx_patterns_warn(string mx, string code)
    {
        var r = StsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: {mx}\nmax_age: 1209600\n");
        Assert.True(r.IsValid);
        var f = Single(r, code);
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("3", f.Evidence["line"]);
    }

    [Fact]
    public void Mixed_line_endings_warn()
    {
        var r = StsPolicyParser.Parse("version: STSv1\r\nmode: enforce\nmx: a.example\r\nmax_age: 1209600\n");
        Assert.True(r.IsValid);
        var f = Single(r, "sts.policy.mixed-line-endings");
        Assert.Equal(("2", "2"), (f.Evidence["crlf"], f.Evidence["lf"]));
    }

    [Fact]
    public void Bom_is_an_error_in_bytes_and_in_text()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.ASCII.GetBytes(Good)).ToArray();
        var r = StsPolicyParser.Parse(bytes);
        Assert.False(r.IsValid);
        Assert.Equal("1", Single(r, "sts.policy.bom").Evidence["line"]);
        Assert.Equal(["sts.policy.bom"], r.Findings.Select(f => f.Code));

        var t = StsPolicyParser.Parse("\uFEFF" + Good);
        Assert.False(t.IsValid);
        Assert.Equal(["sts.policy.bom"], t.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Invalid_utf8_names_offset_and_line()
    {
        var bytes = Encoding.ASCII.GetBytes(Good + "note: caf").Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        var r = StsPolicyParser.Parse(bytes);
        Assert.False(r.IsValid);
        var f = Single(r, "sts.policy.invalid-utf8");
        Assert.Equal("5", f.Evidence["line"]);
        Assert.Equal((Good.Length + 9).ToString(System.Globalization.CultureInfo.InvariantCulture), f.Evidence["offset"]);
    }

    [Fact]
    public void Unpaired_surrogate_in_text_is_invalid_utf8()
    {
        var r = StsPolicyParser.Parse(Good + "note: \uD800x\n");
        Assert.False(r.IsValid);
        Assert.Equal("5", Single(r, "sts.policy.invalid-utf8").Evidence["line"]);
    }

    [Fact]
    public void Size_limit_is_64_KiB_inclusive()
    {
        var prefix = Good + "note: ";
        var exact = prefix + new string('a', Limits.StsPolicyMaxBytes - prefix.Length);
        Assert.Equal(Limits.StsPolicyMaxBytes, Encoding.UTF8.GetByteCount(exact));
        Assert.True(StsPolicyParser.Parse(Encoding.UTF8.GetBytes(exact)).IsValid);

        var over = exact + "a";
        var r = StsPolicyParser.Parse(Encoding.UTF8.GetBytes(over));
        Assert.False(r.IsValid);
        Assert.Equal(["sts.policy.too-large"], r.Findings.Select(f => f.Code));
        Assert.Equal(["sts.policy.too-large"], StsPolicyParser.Parse(over).Findings.Select(f => f.Code));
    }

    [Fact]
    public void Findings_are_capped_for_hostile_bodies()
    {
        var body = string.Concat(Enumerable.Repeat("x\n", 30000));
        var r = StsPolicyParser.Parse(body);
        Assert.False(r.IsValid);
        Assert.Equal(Limits.StsPolicyMaxFindings + 1, r.Findings.Count);
        Assert.Equal("sts.policy.too-many-findings", r.Findings[^1].Code);
    }

    [Fact]
    public void Raw_text_is_kept_and_equality_ignores_it()
    {
        var a = StsPolicyParser.Parse(Good);
        var b = StsPolicyParser.Parse(Good.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(Good, a.Policy!.RawText);
        Assert.NotEqual(a.Policy.RawText, b.Policy!.RawText);
        Assert.Equal(a.Policy, b.Policy);
        Assert.Equal(a.Policy.GetHashCode(), b.Policy.GetHashCode());
    }

    [Fact]
    public void Every_sts_code_is_in_the_catalogue_with_rule_why_fix()
    {
        var codes = typeof(StsFindings).GetFields().Select(f => (FindingDefinition)f.GetValue(null)!).ToList();
        Assert.True(codes.Count >= 35);
        foreach (var d in codes)
        {
            Assert.Same(d, FindingCatalog.Find(d.Code));
            Assert.Matches("^sts\\.(txt|policy|mx)\\.[a-z0-9-]+$", d.Code);
            Assert.Contains("RFC 8461", d.Rule, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(d.Why));
            Assert.False(string.IsNullOrWhiteSpace(d.Fix));
        }
    }
}
