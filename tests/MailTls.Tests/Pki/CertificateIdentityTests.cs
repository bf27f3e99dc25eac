using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Pki;

namespace MailTls.Tests.Pki;

public sealed class CertificateIdentityTests
{
    private static X509Certificate2 SelfSigned(string subject, Action<SubjectAlternativeNameBuilder>? san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (san is not null)
        {
            var builder = new SubjectAlternativeNameBuilder();
            san(builder);
            request.CertificateExtensions.Add(builder.Build());
        }

        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    [Fact]
    public void Real_certificate_san_dns_names_in_order_ignoring_other_types()
    {
        using var cert = SelfSigned("CN=ignored.example.com", b =>
        {
            b.AddDnsName("mail.example.com");
            b.AddIpAddress(IPAddress.Parse("192.0.2.1"));
            b.AddEmailAddress("postmaster@example.com");
            b.AddDnsName("*.mx.example.org");
            b.AddUri(new Uri("https://example.com/"));
        });

        Assert.Equal(["mail.example.com", "*.mx.example.org"], CertificateIdentity.GetDnsNames(cert));
        Assert.True(CertificateIdentity.Matches("mail.example.com", cert));
        Assert.True(CertificateIdentity.Matches("MAIL.EXAMPLE.COM.", cert));
        Assert.True(CertificateIdentity.Matches("a.mx.example.org", cert));
        Assert.False(CertificateIdentity.Matches("mx.example.org", cert));
        Assert.False(CertificateIdentity.Matches("a.b.mx.example.org", cert));
        // The subject CN is never used (RFC 8461 §4.2: DNS-ID only).
        Assert.False(CertificateIdentity.Matches("ignored.example.com", cert));
        // An IP SAN is not a DNS-ID.
        Assert.False(CertificateIdentity.Matches("192.0.2.1", cert));
    }

    [Fact]
    public void Certificate_without_san_matches_nothing()
    {
        using var cert = SelfSigned("CN=mail.example.com", null);
        Assert.Empty(CertificateIdentity.GetDnsNames(cert));
        Assert.False(CertificateIdentity.Matches("mail.example.com", cert));
    }

    [Fact]
    public void Idn_san_matches_u_label_and_a_label_hosts()
    {
        using var cert = SelfSigned("CN=x", b => b.AddDnsName("x.xn--aca-6ma.com"));
        Assert.True(CertificateIdentity.Matches("x.\u00f1aca.com", cert));
        Assert.True(CertificateIdentity.Matches("x.xn--aca-6ma.com", cert));
        Assert.False(CertificateIdentity.Matches("x.naca.com", cert));
    }

    [Fact]
    public void Policy_host_wildcard_certificate()
    {
        using var cert = SelfSigned("CN=example.com", b =>
        {
            b.AddDnsName("example.com");
            b.AddDnsName("*.example.com");
        });
        Assert.True(CertificateIdentity.Matches("mta-sts.example.com", cert));
        Assert.True(CertificateIdentity.Matches("example.com", cert));
        Assert.False(CertificateIdentity.Matches("mta-sts.example.net", cert));
    }

    [Theory]
    [InlineData("mail.example.com", "m*.example.com", false)]
    [InlineData("mail.example.com", "*ail.example.com", false)]
    [InlineData("mail.example.com", "mail.*.com", false)]
    [InlineData("mail.example.com", "*", false)]
    [InlineData("mail.example.com", "*.", false)]
    [InlineData("mail.example.com", "*.*.com", false)]
    [InlineData("mail.example.com", "*.com", false)]
    [InlineData("mail.example.com", "*.EXAMPLE.com.", true)]
    [InlineData("mail.example.com", "MAIL.example.COM", true)]
    [InlineData("mail.example.com.", "mail.example.com.", true)]
    [InlineData("", "mail.example.com", false)]
    [InlineData("example.com", "*.example.com", false)]
    public void San_name_rules(string host, string san, bool expected) =>
        Assert.Equal(expected, CertificateIdentity.Matches(host, [san]));

    [Fact]
    public void Empty_san_list_matches_nothing() => Assert.False(CertificateIdentity.Matches("mail.example.com", []));
}
