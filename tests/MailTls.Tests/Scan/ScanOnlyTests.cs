using MailTls.Audit;
using MailTls.Scan;

namespace MailTls.Tests.Scan;

public sealed class ScanOnlyTests
{
    [Fact]
    public void No_value_means_every_part()
    {
        Assert.Equal(AuditParts.All, ScanOnly.Parse(null, out var e1));
        Assert.Null(e1);
        Assert.Equal(AuditParts.All, ScanOnly.Parse([], out _));
    }

    [Theory]
    [InlineData("mta-sts", AuditParts.MtaSts)]
    [InlineData("mta-sts,dane", AuditParts.MtaSts | AuditParts.Dane)]
    [InlineData("TLS-RPT, dnssec", AuditParts.TlsRpt | AuditParts.Dnssec)]
    [InlineData("smtp,caa,smtp", AuditParts.Smtp | AuditParts.Caa)]
    [InlineData("mta-sts,tls-rpt,dane,dnssec,smtp,caa", AuditParts.All)]
    public void Names_map_to_parts(string value, AuditParts expected)
    {
        Assert.Equal(expected, ScanOnly.Parse([value], out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Repeated_options_combine()
    {
        Assert.Equal(AuditParts.MtaSts | AuditParts.Caa, ScanOnly.Parse(["mta-sts", "caa"], out _));
    }

    [Fact]
    public void Unknown_names_are_an_error_naming_the_valid_ones()
    {
        Assert.Equal(AuditParts.None, ScanOnly.Parse(["mta-sts,spf"], out var error));
        Assert.Contains("'spf'", error, StringComparison.Ordinal);
        Assert.Contains("tls-rpt", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_round_trips()
    {
        foreach (var parts in new[] { AuditParts.All, AuditParts.MtaSts | AuditParts.Dane, AuditParts.Smtp })
        {
            Assert.Equal(parts, ScanOnly.Parse([ScanOnly.Format(parts)], out _));
        }
    }
}
