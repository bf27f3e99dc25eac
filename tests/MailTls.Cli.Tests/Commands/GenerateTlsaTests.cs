namespace MailTls.Cli.Tests.Commands;

public sealed class GenerateTlsaTests : IDisposable
{
    private readonly TestCertificates certs = new();

    public void Dispose() => certs.Dispose();

    [Fact]
    public async Task Default_is_3_1_1_of_the_leaf_named_after_its_dns_name()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "tlsa", "--cert", certs.ChainPath);
        Assert.Equal(0, code);
        var r = Assert.Single(json.GetProperty("records").EnumerateArray());
        Assert.Equal("_25._tcp.mail.example.com.", r.GetProperty("name").GetString());
        Assert.Equal(3, r.GetProperty("usage").GetInt32());
        Assert.Equal(1, r.GetProperty("selector").GetInt32());
        Assert.Equal(1, r.GetProperty("matching").GetInt32());
        Assert.Equal(certs.LeafSpkiSha256, r.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Usage_2_takes_the_issuer_from_the_chain()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "tlsa", "--cert", certs.ChainPath, "--usage", "DANE-TA");
        Assert.Equal(0, code);
        var r = Assert.Single(json.GetProperty("records").EnumerateArray());
        Assert.Equal(2, r.GetProperty("usage").GetInt32());
        Assert.Equal(certs.CaSpkiSha256, r.GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_private_key_gives_the_same_record_as_its_certificate()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "tlsa", "--key", certs.KeyPath, "--name", "mail.example.com", "--port", "25");
        Assert.Equal(0, code);
        var r = Assert.Single(json.GetProperty("records").EnumerateArray());
        Assert.Equal(certs.LeafSpkiSha256, r.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Text_output_is_a_zone_file_line()
    {
        var (code, stdout, _) = await CliRun.RunAsync("generate", "tlsa", "--cert", certs.ChainPath, "--name", "mx1.example.net", "--port", "465");
        Assert.Equal(0, code);
        Assert.Contains("_465._tcp.mx1.example.net. IN TLSA 3 1 1 " + certs.LeafSpkiSha256, stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cert", "--key")]
    [InlineData("--selector", "0")]
    [InlineData("--usage", "EVIL")]
    public async Task Bad_combinations_are_usage_errors(string option, string value)
    {
        string[] args = option switch
        {
            "--cert" => ["generate", "tlsa", "--cert", certs.ChainPath, "--key", certs.KeyPath],
            "--selector" => ["generate", "tlsa", "--key", certs.KeyPath, "--name", "mail.example.com", "--selector", value],
            _ => ["generate", "tlsa", "--cert", certs.ChainPath, option, value],
        };
        var (code, _, stderr) = await CliRun.RunAsync(args);
        Assert.Equal(2, code);
        Assert.NotEmpty(stderr);
    }

    [Fact]
    public async Task Usage_2_from_a_lone_leaf_explains_that_the_chain_is_needed()
    {
        var leafOnly = CliRun.TempFile(certs.Leaf.ExportCertificatePem(), ".pem");
        var (code, _, stderr) = await CliRun.RunAsync("generate", "tlsa", "--cert", leafOnly, "--usage", "2");
        Assert.Equal(2, code);
        Assert.Contains("fullchain", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_with_an_unreachable_resolver_could_not_complete()
    {
        var (code, _, stderr) = await CliRun.RunAsync("generate", "tlsa", "--host", "mx.example.com", "--resolver", "127.0.0.1:9");
        Assert.Equal(3, code);
        Assert.Contains("lookup", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_and_cert_together_are_a_usage_error()
    {
        var (code, _, _) = await CliRun.RunAsync("generate", "tlsa", "--host", "mx.example.com", "--cert", certs.ChainPath);
        Assert.Equal(2, code);
    }
}
