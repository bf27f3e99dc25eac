using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

public sealed class TlsRptFileNameTests
{
    [Theory]
    [InlineData("google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz", "google.com", "cardinalhealth.ca", 1725321600L, 1725407999L, "001", true)]
    [InlineData("microsoft.com!example.com!1778630400!1778716799!134232617934286362.json.gz", "microsoft.com", "example.com", 1778630400L, 1778716799L, "134232617934286362", true)]
    [InlineData("mail.sender.example!example.com!1013662812!1013749130.json", "mail.sender.example", "example.com", 1013662812L, 1013749130L, null, false)]
    [InlineData("mail.ru!krvtz.net!1674604800!1674691200!001.JSON.GZ", "mail.ru", "krvtz.net", 1674604800L, 1674691200L, "001", true)]
    public void Parses_rfc_names(string text, string sender, string domain, long begin, long end, string? unique, bool gzip)
    {
        Assert.True(TlsRptFileName.TryParse(text, out var f));
        Assert.Equal(new TlsRptFileName(sender, domain, begin, end, unique, gzip), f);
    }

    [Theory]
    [InlineData("")]
    [InlineData("report.json")]
    [InlineData("google.com!example.com!1!2.xml")]
    [InlineData("google.com!example.com!1!2!.json")]
    [InlineData("google.com!example.com!1!2!a-b.json")]
    [InlineData("google.com!example.com!x!2.json")]
    [InlineData("google.com!!1!2.json")]
    [InlineData("google.com!example.com!1!2!3!4.json")]
    [InlineData("google.com!example.com!-1!2.json")]
    [InlineData("google.com!example.com!99999999999999999999!2.json")]
    public void Rejects_other_names(string text)
    {
        Assert.False(TlsRptFileName.TryParse(text, out var f));
        Assert.Null(f);
    }

    [Fact]
    public void Format_round_trips()
    {
        var begin = new DateTimeOffset(2024, 9, 3, 0, 0, 0, TimeSpan.Zero);
        var name = TlsRptFileName.Format("google.com", "cardinalhealth.ca", begin, begin.AddDays(1).AddSeconds(-1), "001");
        Assert.Equal("google.com!cardinalhealth.ca!1725321600!1725407999!001.json.gz", name);
        Assert.True(TlsRptFileName.TryParse(name, out var f));
        Assert.Equal(begin, f!.Begin);
        Assert.Equal("a!b!0!1.json", TlsRptFileName.Format("a", "b", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(1), gzip: false));
        Assert.Throws<ArgumentException>(() => TlsRptFileName.Format("a!b", "c", begin, begin));
        Assert.Throws<ArgumentException>(() => TlsRptFileName.Format("a", "c", begin, begin, "x-y"));
    }
}
