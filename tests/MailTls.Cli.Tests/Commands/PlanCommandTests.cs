namespace MailTls.Cli.Tests.Commands;

/// <summary>
/// <c>plan</c> and <c>tlsa guard</c> without a network: usage errors exit 2 before anything is asked, a domain without
/// a stored plan is a usage error, and every change is a subcommand (the end-to-end behaviour is in Lab/LabPlan*Tests).
/// </summary>
public sealed class PlanCommandTests
{
    private static string Db() => Path.Combine(Path.GetTempPath(), "mailtls-plan-cli-" + Guid.NewGuid().ToString("N") + ".db");

    [Fact]
    public async Task Every_change_and_follow_verb_is_a_subcommand()
    {
        var (code, stdout, _) = await CliRun.RunAsync("plan", "--help");
        Assert.Equal(0, code);
        foreach (var verb in new[] { "tlsrpt", "testing", "enforce", "add-mx", "remove-mx", "rotate-key", "rotate-cert", "dane", "rollback", "status", "verify", "apply", "cancel" })
        {
            Assert.Contains("  " + verb + " <DOMAIN>", stdout, StringComparison.Ordinal);
        }

        (code, stdout, _) = await CliRun.RunAsync("tlsa", "--help");
        Assert.Equal(0, code);
        Assert.Contains("guard", stdout, StringComparison.Ordinal);
        (_, stdout, _) = await CliRun.RunAsync("plan", "status", "--help");
        Assert.DoesNotContain("--now", stdout, StringComparison.Ordinal); // the plan clock is for tests and rehearsals
    }

    [Theory]
    [InlineData("plan", "add-mx", "example.com")]                                       // HOST missing
    [InlineData("plan", "rollback", "example.com", "--to", "off")]                      // not testing|none
    [InlineData("plan", "tlsrpt", "not_a_domain!", "--rua", "mailto:a@example.com")]
    [InlineData("plan", "tlsrpt", "example.com", "--rua", "ftp://example.com/x")]
    [InlineData("plan", "testing", "example.com", "--max-age", "99999999999")]
    [InlineData("plan", "enforce", "example.com", "--days", "0")]
    [InlineData("plan", "rotate-key", "example.com", "mx.example.com")]                  // --next-key missing
    [InlineData("plan", "rotate-key", "example.com", "mx.example.com", "--next-key", "/nonexistent/key.pem")]
    [InlineData("plan", "status", "example.com", "--now", "soon")]
    [InlineData("tlsa", "guard", "--host", "mx.example.com")]                           // --cert missing
    [InlineData("tlsa", "guard", "--cert", "/nonexistent/fullchain.pem", "--host", "mx.example.com")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var (code, stdout, stderr) = await CliRun.RunAsync([.. args, "--db", Db()]);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("mailtls:", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("verify")]
    [InlineData("apply")]
    [InlineData("cancel")]
    public async Task Following_a_domain_without_a_plan_is_a_usage_error(string verb)
    {
        var (code, _, stderr) = await CliRun.RunAsync("plan", verb, "example.com", "--db", Db());
        Assert.Equal(2, code);
        Assert.Contains("no plan for example.com", stderr, StringComparison.Ordinal);
    }
}
