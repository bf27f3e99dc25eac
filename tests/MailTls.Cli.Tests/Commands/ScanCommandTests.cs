namespace MailTls.Cli.Tests.Commands;

/// <summary>Usage errors of <c>mailtls scan</c> (exit 2) that need no network.</summary>
public sealed class ScanCommandTests
{
    [Theory]
    [InlineData("--concurrency", "0")]
    [InlineData("--concurrency", "100000")]
    [InlineData("--timeout", "0")]
    [InlineData("--only", "mta-sts,spf")]
    public async Task Bad_options_are_usage_errors(string option, string value)
    {
        var list = CliRun.TempFile("example.com\n");
        var (code, _, err) = await CliRun.RunAsync("scan", list, option, value, "--output", list + ".jsonl");
        Assert.True(code == 2, err);
        Assert.Contains(option, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_needs_an_output_file()
    {
        var list = CliRun.TempFile("example.com\n");
        var (code, _, err) = await CliRun.RunAsync("scan", list, "--resume");
        Assert.Equal(2, code);
        Assert.Contains("--output", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_summary_needs_an_output_file()
    {
        var list = CliRun.TempFile("example.com\n");
        var (code, _, err) = await CliRun.RunAsync("scan", list, "--json");
        Assert.Equal(2, code);
        Assert.Contains("--output", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_list_is_a_usage_error()
    {
        var (code, _, err) = await CliRun.RunAsync("scan", "/nonexistent/list.txt", "--output", Path.GetTempFileName());
        Assert.Equal(2, code);
        Assert.Contains("no such file", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_refuses_a_file_that_is_not_a_scan_output()
    {
        var list = CliRun.TempFile("example.com\n");
        var output = CliRun.TempFile("{\"domain\":\"a.example\"}\nthis is not json\n{\"domain\":\"b.example\"}\n", ".jsonl");
        var (code, _, err) = await CliRun.RunAsync("scan", list, "--output", output, "--resume");
        Assert.Equal(2, code);
        Assert.Contains("not a scan result", err, StringComparison.Ordinal);
        Assert.Contains("this is not json", File.ReadAllText(output), StringComparison.Ordinal);
    }
}
