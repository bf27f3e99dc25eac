using System.Text;
using MailTls.MtaSts;

namespace MailTls.Cli.Tests.Commands;

public sealed class GenerateStsTests
{
    [Fact]
    public async Task Produces_a_record_and_a_policy_that_lint_accepts()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "sts", "--domain", "Example.COM.", "--mx", "mail.example.com", "--mx", "*.backup.example.net", "--mode", "enforce", "--id", "2026A");
        Assert.Equal(0, code);
        Assert.Equal("_mta-sts.example.com", json.GetProperty("txt").GetProperty("name").GetString());
        Assert.Equal("v=STSv1; id=2026A;", json.GetProperty("txt").GetProperty("value").GetString());

        var policy = json.GetProperty("policy").GetString()!;
        var parsed = StsPolicyParser.Parse(Encoding.UTF8.GetBytes(policy));
        Assert.True(parsed.IsValid);
        Assert.Equal(StsMode.Enforce, parsed.Policy!.Mode);
        Assert.Equal(604800, parsed.Policy.MaxAge);
        Assert.Equal(["mail.example.com", "*.backup.example.net"], parsed.Policy.Mx.Select(m => m.Text));
    }

    [Fact]
    public async Task The_default_id_is_a_valid_id()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "sts", "--domain", "example.com", "--mx", "mail.example.com");
        Assert.Equal(0, code);
        var record = StsRecordParser.Parse(json.GetProperty("txt").GetProperty("value").GetString()!);
        Assert.True(record.IsValid);
        Assert.True(StsId.IsValid(record.Record!.Id));
    }

    [Fact]
    public async Task Out_writes_the_policy_file_and_the_zone_line()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mailtls-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, _, _) = await CliRun.RunAsync("generate", "sts", "--domain", "example.com", "--mx", "mail.example.com", "--out", dir, "--crlf", "--id", "x1");
            Assert.Equal(0, code);
            var policy = await File.ReadAllTextAsync(Path.Combine(dir, ".well-known", "mta-sts.txt"));
            Assert.Contains("mode: testing\r\n", policy, StringComparison.Ordinal);
            var zone = await File.ReadAllTextAsync(Path.Combine(dir, "_mta-sts.example.com.txt"));
            Assert.Equal("_mta-sts.example.com. IN TXT \"v=STSv1; id=x1;\"\n", zone);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--mx", "mail.example.com.", "sts.policy.bad-mx")]
    [InlineData("--mx", "m*.example.com", "sts.policy.bad-mx")]
    [InlineData("--id", "not-alnum", "sts.txt.bad-id")]
    [InlineData("--max-age", "99999999999", "sts.policy.bad-max-age")]
    public async Task Invalid_values_exit_1_with_the_finding(string option, string value, string expectedCode)
    {
        string[] args = option == "--mx"
            ? ["generate", "sts", "--domain", "example.com", "--mx", value]
            : ["generate", "sts", "--domain", "example.com", "--mx", "mail.example.com", option, value];
        var (code, json) = await CliRun.JsonAsync(args);
        Assert.Equal(1, code);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == expectedCode);
    }

    [Fact]
    public async Task Short_max_age_is_generated_with_a_warning()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "sts", "--domain", "example.com", "--mx", "mail.example.com", "--max-age", "3600");
        Assert.Equal(0, code);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "sts.policy.max-age-short");
    }

    [Fact]
    public async Task Mode_none_needs_no_mx()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "sts", "--domain", "example.com", "--mode", "none", "--max-age", "86400");
        Assert.Equal(0, code);
        Assert.Contains("mode: none", json.GetProperty("policy").GetString(), StringComparison.Ordinal);
    }
}
