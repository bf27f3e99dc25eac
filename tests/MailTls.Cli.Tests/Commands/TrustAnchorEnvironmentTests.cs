using MailTls.Cli.Commands;

namespace MailTls.Cli.Tests.Commands;

[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary><c>$MAILTLS_TRUST_ANCHOR</c> stands in for <c>--trust-anchor</c> (lab/exec sets it to the lab's root key).</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class TrustAnchorEnvironmentTests
{
    private const string Ds = ". 3600 IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";

    [Fact]
    public async Task The_environment_variable_is_used_when_no_option_is_given()
    {
        var file = CliRun.TempFile(Ds.Replace("20326", "11111", StringComparison.Ordinal));
        Environment.SetEnvironmentVariable("MAILTLS_TRUST_ANCHOR", file);
        try
        {
            var anchors = await DnssecCommand.AnchorsAsync(null, CancellationToken.None);
            Assert.Contains("11111", Assert.Single(anchors.Records).ToString(), StringComparison.Ordinal);

            var explicitFile = CliRun.TempFile(Ds);
            var fromOption = await DnssecCommand.AnchorsAsync(explicitFile, CancellationToken.None);
            Assert.Contains("20326", Assert.Single(fromOption.Records).ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MAILTLS_TRUST_ANCHOR", null);
        }

        Assert.Same(Dns.Dnssec.TrustAnchors.BuiltIn, await DnssecCommand.AnchorsAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_file_named_by_the_variable_is_a_usage_error()
    {
        Environment.SetEnvironmentVariable("MAILTLS_TRUST_ANCHOR", "/nonexistent/root.key");
        try
        {
            var (code, _, stderr) = await CliRun.RunAsync("dnssec", "example.com", "--resolver", "127.0.0.1:9");
            Assert.Equal(2, code);
            Assert.Contains("no such file", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MAILTLS_TRUST_ANCHOR", null);
        }
    }
}
