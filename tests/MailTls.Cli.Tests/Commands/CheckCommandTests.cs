namespace MailTls.Cli.Tests.Commands;

/// <summary>The <c>check</c> command's contract without a lab: usage errors (exit 2) and an unreachable resolver (exit 3).</summary>
public sealed class CheckCommandTests
{
    [Theory]
    [InlineData("check")]
    [InlineData("check", "not a domain")]
    [InlineData("check", "example.test", "--timeout", "0")]
    [InlineData("check", "example.test", "--caa-issuer", "no-equals")]
    [InlineData("check", "example.test", "--resolver", "not-an-address")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var (code, _, _) = await CliRun.RunAsync(args);
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Unreachable_resolver_means_incomplete_exit_3()
    {
        // UDP port 9 (discard) on loopback: nothing listens, the query is refused at once.
        var (code, json) = await CliRun.JsonAsync("check", "example.test", "--resolver", "127.0.0.1:9", "--no-smtp", "--timeout", "1");
        Assert.Equal(3, code);
        Assert.Equal("example.test", json.GetProperty("domain").GetString());
        Assert.False(json.GetProperty("completed").GetBoolean());
        Assert.True(json.TryGetProperty("checked_at", out _));
        Assert.Equal(System.Text.Json.JsonValueKind.Array, json.GetProperty("mx").ValueKind);
    }

    [Fact]
    public async Task Several_domains_give_an_array()
    {
        var (code, json) = await CliRun.JsonAsync("check", "a.example.test", "b.example.test", "--resolver", "127.0.0.1:9", "--no-smtp", "--timeout", "1");
        Assert.Equal(3, code);
        Assert.Equal(2, json.GetArrayLength());
    }
}
