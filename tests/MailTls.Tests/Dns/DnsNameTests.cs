using MailTls.Dns;

namespace MailTls.Tests.Dns;

public sealed class DnsNameTests
{
    [Theory]
    [InlineData("Mail.Example.COM", "mail.example.com")]
    [InlineData("mail.example.com.", "mail.example.com")]
    [InlineData("x.\u00f1aca.com", "x.xn--aca-6ma.com")]
    [InlineData("X.\u00d1ACA.com.", "x.xn--aca-6ma.com")]
    [InlineData("xn--eebajf.xn--9dbq2a", "xn--eebajf.xn--9dbq2a")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("a", "a")]
    public void Normalizes(string input, string expected) => Assert.Equal(expected, DnsName.TryNormalize(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData("a.b..")]
    public void Rejects_empty_labels(string? input) => Assert.Null(DnsName.TryNormalize(input));

    [Fact]
    public void Rejects_overlong_labels_and_names()
    {
        var label63 = new string('a', 63);
        Assert.Equal(label63 + ".com", DnsName.TryNormalize(label63 + ".com"));
        Assert.Null(DnsName.TryNormalize(new string('a', 64) + ".com"));

        var name253 = string.Join('.', Enumerable.Repeat(new string('a', 49), 5)) + ".abc"; // 5*50 + 3
        Assert.Equal(253, name253.Length);
        Assert.Equal(name253, DnsName.TryNormalize(name253 + "."));
        Assert.Null(DnsName.TryNormalize("a" + name253));
    }

    [Fact]
    public void Rejects_unconvertible_idn() => Assert.Null(DnsName.TryNormalize("a_\u00f1.example"));

    [Theory]
    [InlineData("MAIL.example.com", "mail.EXAMPLE.com.", true)]
    [InlineData("x.\u00f1aca.com", "x.xn--aca-6ma.com", true)]
    [InlineData("a.example", "b.example", false)]
    [InlineData("", "", false)]
    [InlineData(null, null, false)]
    public void Equality_after_normalisation(string? a, string? b, bool expected) =>
        Assert.Equal(expected, DnsName.EqualsNormalized(a, b));

    [Theory]
    [InlineData("a", true)]
    [InlineData("mail.example.com", true)]
    [InlineData("MAIL.Example.COM", true)]
    [InlineData("a-b.c-d.e", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("xn--eebajf.xn--9dbq2a", true)]
    [InlineData("", false)]
    [InlineData("-a.b", false)]
    [InlineData("a-.b", false)]
    [InlineData("a.-b", false)]
    [InlineData("a.b-", false)]
    [InlineData("a.b.", false)]
    [InlineData(".a.b", false)]
    [InlineData("a..b", false)]
    [InlineData("a_b.c", false)]
    [InlineData("*.a.b", false)]
    [InlineData("a b.c", false)]
    [InlineData("\u00f1.com", false)]
    public void Ldh_domain_syntax(string name, bool expected) => Assert.Equal(expected, DnsName.IsLdhDomain(name));

    [Fact]
    public void Ldh_label_and_name_lengths()
    {
        Assert.True(DnsName.IsLdhDomain(new string('a', 63) + ".b"));
        Assert.False(DnsName.IsLdhDomain(new string('a', 64) + ".b"));
        Assert.False(DnsName.IsLdhDomain(string.Join('.', Enumerable.Repeat("abc", 64))));
    }
}
