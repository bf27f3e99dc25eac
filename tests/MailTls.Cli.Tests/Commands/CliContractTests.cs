namespace MailTls.Cli.Tests.Commands;

/// <summary>The contract every command shares (design §4): help, usage errors exit 2, missing files exit 2.</summary>
public sealed class CliContractTests
{
    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (code, stdout, _) = await CliRun.RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("lint", stdout, StringComparison.Ordinal);
        Assert.Contains("generate", stdout, StringComparison.Ordinal);
        Assert.Contains("tlsa", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("lint")]
    [InlineData("lint", "sts-record")]
    [InlineData("generate", "sts")]
    [InlineData("generate", "sts", "--domain", "example.com", "--mode", "strict")]
    [InlineData("lint", "sts-policy", "a", "b")]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr(params string[] args)
    {
        var (code, stdout, stderr) = await CliRun.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("mailtls:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_input_file_is_a_usage_error()
    {
        var (code, _, stderr) = await CliRun.RunAsync("lint", "sts-policy", "/nonexistent/mta-sts.txt");
        Assert.Equal(2, code);
        Assert.Contains("no such file", stderr, StringComparison.Ordinal);
    }
}
