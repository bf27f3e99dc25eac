namespace MailTls.Cli.Tests.Commands;

public sealed class TlsaMatchTests : IDisposable
{
    private readonly TestCertificates certs = new();

    public void Dispose() => certs.Dispose();

    [Fact]
    public async Task Dane_ee_matches_the_leaf_at_depth_0()
    {
        var record = "3 1 1 " + certs.LeafSpkiSha256;
        var (code, json) = await CliRun.JsonAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", record);
        Assert.Equal(0, code);
        Assert.True(json.GetProperty("matched").GetBoolean());
        var m = Assert.Single(json.GetProperty("matches").EnumerateArray());
        Assert.Equal(record, m.GetProperty("record").GetString());
        Assert.Equal(0, m.GetProperty("depth").GetInt32());
    }

    [Fact]
    public async Task Dane_ee_ignores_names_so_another_host_still_matches()
    {
        var (code, _) = await CliRun.JsonAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", "3 1 1 " + certs.LeafSpkiSha256, "--host", "other.example.org");
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Dane_ta_matches_the_issuer_and_checks_the_name()
    {
        var record = "2 1 1 " + certs.CaSpkiSha256;
        var (code, json) = await CliRun.JsonAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", record, "--host", "mail.example.com");
        Assert.Equal(0, code);
        Assert.Equal(1, Assert.Single(json.GetProperty("matches").EnumerateArray()).GetProperty("depth").GetInt32());

        var (wrongName, wrong) = await CliRun.JsonAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", record, "--host", "other.example.org");
        Assert.Equal(1, wrongName);
        Assert.False(wrong.GetProperty("matched").GetBoolean());
        Assert.Equal("name-mismatch", wrong.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_stale_record_does_not_match_and_says_why()
    {
        var stale = "3 1 1 " + new string('0', 64);
        var (code, stdout, _) = await CliRun.RunAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", stale);
        Assert.Equal(1, code);
        Assert.Contains("no match", stdout, StringComparison.Ordinal);
        Assert.Contains("dane.tlsa.mismatch", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dane_ta_without_host_is_a_usage_error()
    {
        var (code, _, stderr) = await CliRun.RunAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", "2 1 1 " + certs.CaSpkiSha256);
        Assert.Equal(2, code);
        Assert.Contains("--host", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_record_is_invalid_input()
    {
        var (code, json) = await CliRun.JsonAsync("tlsa", "match", "--chain", certs.ChainPath, "--record", "3 1 1 zz");
        Assert.Equal(1, code);
        Assert.False(json.GetProperty("matched").GetBoolean());
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "dane.tlsa.syntax");
    }
}
