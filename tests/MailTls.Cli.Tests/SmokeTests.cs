namespace MailTls.Cli.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Runs() => Assert.Equal(0, CliApp.Run([]));
}
