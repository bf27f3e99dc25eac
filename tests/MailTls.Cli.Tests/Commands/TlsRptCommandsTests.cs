using MailTls.TlsRpt;

namespace MailTls.Cli.Tests.Commands;

public sealed class TlsRptCommandsTests
{
    [Fact]
    public async Task Generate_tlsrpt_takes_bare_addresses_as_mailto()
    {
        var (code, json) = await CliRun.JsonAsync("generate", "tlsrpt", "--domain", "example.com", "--rua", "tlsrpt@example.com", "--rua", "https://reports.example.com/tlsrpt");
        Assert.Equal(0, code);
        Assert.Equal("_smtp._tls.example.com", json.GetProperty("name").GetString());
        var value = json.GetProperty("value").GetString()!;
        Assert.Equal("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt", value);
        Assert.True(TlsRptRecordParser.Parse(value).IsValid);
    }

    [Fact]
    public async Task Lint_tlsrpt_record_reports_the_rua()
    {
        var (code, json) = await CliRun.JsonAsync("lint", "tlsrpt-record", "v=TLSRPTv1; rua=mailto:a@example.com");
        Assert.Equal(0, code);
        Assert.Equal("mailto:a@example.com", json.GetProperty("parsed").GetProperty("rua")[0].GetString());

        var (bad, _) = await CliRun.JsonAsync("lint", "tlsrpt-record", "v=TLSRPTv1;");
        Assert.Equal(1, bad);
    }

    [Theory]
    [InlineData("cry-inc+dmarc-report-viewer__microsoft.json", 4, 0)]
    [InlineData("domainaware+parsedmarc__mail.ru.json", 0, 1)]
    [InlineData("isseis+tlsrpt-digest__tlsrpt_failure.eml", 4523, 2)]
    public async Task Lint_tlsrpt_report_gives_exact_totals(string sample, long successful, long failed)
    {
        var (code, json) = await CliRun.JsonAsync("lint", "tlsrpt-report", CliRun.TestData("TlsRpt", sample));
        Assert.Equal(0, code);
        Assert.True(json.GetProperty("valid").GetBoolean());
        var parsed = json.GetProperty("parsed");
        var report = parsed.TryGetProperty("reports", out var reports) ? reports[0] : parsed;
        Assert.Equal(successful, report.GetProperty("successful_sessions").GetInt64());
        Assert.Equal(failed, report.GetProperty("failed_sessions").GetInt64());
    }

    [Fact]
    public async Task Lint_tlsrpt_report_rejects_what_is_not_a_report()
    {
        var file = CliRun.TempFile("<feedback>this is a DMARC report</feedback>", ".xml");
        var (code, json) = await CliRun.JsonAsync("lint", "tlsrpt-report", file);
        Assert.Equal(1, code);
        Assert.False(json.GetProperty("valid").GetBoolean());
    }
}
