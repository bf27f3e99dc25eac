namespace MailTls.Cli.Tests.Commands;

public sealed class LintMtaStsTests
{
    [Fact]
    public async Task Valid_record_exits_0_and_reports_the_id()
    {
        var (code, json) = await CliRun.JsonAsync("lint", "sts-record", "v=STSv1; id=20260101T000000;");
        Assert.Equal(0, code);
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal("20260101T000000", json.GetProperty("parsed").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Invalid_record_exits_1_with_an_error_finding()
    {
        var (code, json) = await CliRun.JsonAsync("lint", "sts-record", "v=STSv1; id=not-alnum;");
        Assert.Equal(1, code);
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("severity").GetString() == "error");
    }

    [Fact]
    public async Task Fragile_policy_exits_0_with_a_warning()
    {
        var file = CliRun.TempFile("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 3600\n");
        var (code, json) = await CliRun.JsonAsync("lint", "sts-policy", file);
        Assert.Equal(0, code);
        Assert.True(json.GetProperty("valid").GetBoolean());
        var warning = Assert.Single(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("severity").GetString() == "warning");
        Assert.Equal("sts.policy.max-age-short", warning.GetProperty("code").GetString());
        Assert.Equal("enforce", json.GetProperty("parsed").GetProperty("mode").GetString());
        Assert.Equal(3600, json.GetProperty("parsed").GetProperty("max_age").GetInt64());
    }

    [Fact]
    public async Task Invalid_policy_exits_1_and_names_the_line_and_the_rule()
    {
        var file = CliRun.TempFile("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: soon\n");
        var (code, stdout, _) = await CliRun.RunAsync("lint", "sts-policy", file);
        Assert.Equal(1, code);
        Assert.Contains("invalid", stdout, StringComparison.Ordinal);
        Assert.Contains("line 4", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("RFC 8461", stdout, StringComparison.Ordinal);

        var (_, json) = await CliRun.JsonAsync("lint", "sts-policy", file);
        var error = Assert.Single(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("severity").GetString() == "error");
        Assert.Equal("4", error.GetProperty("evidence").GetProperty("line").GetString());
    }

    [Fact]
    public async Task Oversized_policy_is_reported_without_reading_it_all()
    {
        var file = CliRun.TempFile("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\nnote: " + new string('a', 200_000) + "\n");
        var (code, json) = await CliRun.JsonAsync("lint", "sts-policy", file);
        Assert.Equal(1, code);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "sts.policy.too-large");
    }
}
