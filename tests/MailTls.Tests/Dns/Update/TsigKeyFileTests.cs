using MailTls.Dns.Update;

namespace MailTls.Tests.Dns.Update;

/// <summary>The key forms DNS servers print: BIND tsig-keygen, Knot keymgr -t, and the -y one-liner.</summary>
public sealed class TsigKeyFileTests
{
    private const string Secret = "bWFpbHRscyBUU0lHIHRlc3QgdmVjdG9yIGtleSAzMkI=";

    [Theory]
    [InlineData("key \"lab-update\" {\n\talgorithm hmac-sha256;\n\tsecret \"" + Secret + "\";\n};\n")]
    [InlineData("# knot\nkey:\n  - id: lab-update\n    algorithm: hmac-sha256\n    secret: " + Secret + "\n")]
    [InlineData("hmac-sha256:lab-update:" + Secret + "\n")]
    [InlineData("lab-update:" + Secret)]
    public void Every_form_gives_the_same_key(string text)
    {
        var parsed = TsigKeyFile.Parse(text);
        Assert.Null(parsed.Error);
        Assert.Equal("lab-update", parsed.Key!.Name);
        Assert.Equal(TsigAlgorithm.HmacSha256, parsed.Key.Algorithm);
        Assert.Equal("mailtls TSIG test vector key 32B", System.Text.Encoding.ASCII.GetString(parsed.Key.Secret.Span));
        Assert.DoesNotContain(Secret, parsed.Key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hmac-sha512:k:" + Secret, TsigAlgorithm.HmacSha512)]
    [InlineData("key k { algorithm HMAC-SHA384.; secret \"" + Secret + "\"; };", TsigAlgorithm.HmacSha384)]
    public void Other_hmac_algorithms_are_read(string text, TsigAlgorithm algorithm) =>
        Assert.Equal(algorithm, TsigKeyFile.Parse(text).Key!.Algorithm);

    [Theory]
    [InlineData("hmac-md5:k:" + Secret, "unsupported")]
    [InlineData("hmac-sha256:k:not base64!", "base64")]
    [InlineData("", "not a TSIG key")]
    [InlineData("key \"k\" { algorithm hmac-sha256; };", "not a TSIG key")]
    public void Bad_keys_are_refused_with_a_reason(string text, string reason)
    {
        var parsed = TsigKeyFile.Parse(text);
        Assert.Null(parsed.Key);
        Assert.Contains(reason, parsed.Error, StringComparison.Ordinal);
    }
}
