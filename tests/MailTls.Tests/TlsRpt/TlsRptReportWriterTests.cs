using System.Text;
using System.Text.Json;
using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

public sealed class TlsRptReportWriterTests
{
    public static TheoryData<string> JsonSamples =>
        [.. Directory.GetFiles(TestPaths.TestData("TlsRpt"), "*.json").Select(f => Path.GetFileName(f)!).Order()];

    [Theory]
    [MemberData(nameof(JsonSamples))]
    public void Read_of_write_equals_the_model(string file)
    {
        var report = TlsRptReportReader.Read(TlsRptReportReaderTests.Sample(file)).Report!;
        var json = TlsRptReportWriter.ToJson(report);
        var again = TlsRptReportReader.ReadJson(json);
        Assert.Equal(report, again.Report);
        Assert.Equal(json, TlsRptReportWriter.ToJson(again.Report!));

        var gz = TlsRptReportWriter.ToGzip(report);
        Assert.Equal(0x1F, gz[0]);
        Assert.Equal(0x8B, gz[1]);
        Assert.Equal(report, TlsRptReportReader.Read(gz).Report);
    }

    [Fact]
    public void Written_json_uses_rfc_shapes()
    {
        // The RFC example has mx-host as a string; written back as an array (erratum 6241).
        var report = TlsRptReportReader.Read(TlsRptReportReaderTests.Sample("domainaware+parsedmarc__rfc8460.json")).Report!;
        using var doc = JsonDocument.Parse(TlsRptReportWriter.ToJson(report));
        var policy = doc.RootElement.GetProperty("policies")[0].GetProperty("policy");
        Assert.Equal(JsonValueKind.Array, policy.GetProperty("mx-host").ValueKind);
        Assert.Equal("2016-04-01T00:00:00Z", doc.RootElement.GetProperty("date-range").GetProperty("start-datetime").GetString());

        // Microsoft's JSON-in-a-string TLSA policy is written as one element per RR.
        var ms = TlsRptReportReader.Read(TlsRptReportReaderTests.Sample("cry-inc+dmarc-report-viewer__microsoft.json")).Report!;
        using var msDoc = JsonDocument.Parse(TlsRptReportWriter.ToJson(ms));
        var tlsa = msDoc.RootElement.GetProperty("policies")[1].GetProperty("policy");
        Assert.Equal(2, tlsa.GetProperty("policy-string").GetArrayLength());
        Assert.False(tlsa.TryGetProperty("mx-host", out _));
        Assert.False(msDoc.RootElement.GetProperty("policies")[1].TryGetProperty("failure-details", out _));

        // null contact-info is omitted.
        var nc = TlsRptReportReader.Read(TlsRptReportReaderTests.Sample("cry-inc+dmarc-report-viewer__no-contact.json")).Report!;
        Assert.DoesNotContain("contact-info", TlsRptReportWriter.ToJson(nc), StringComparison.Ordinal);
    }

    [Fact]
    public void Hand_built_report_round_trips_and_reads_without_findings()
    {
        var report = new TlsRptReport
        {
            OrganizationName = "Example Org",
            DateRange = new TlsRptDateRange(new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 2, 23, 59, 59, TimeSpan.Zero)),
            ContactInfo = "tlsrpt@example.org",
            ReportId = "2026-01-02_example.net",
            Policies =
            [
                new TlsRptPolicyReport
                {
                    Policy = new TlsRptPolicy
                    {
                        PolicyType = TlsRptPolicyType.Sts,
                        PolicyString = ["version: STSv1", "mode: enforce", "mx: mx.example.net", "max_age: 604800"],
                        PolicyDomain = "example.net",
                        MxHost = ["mx.example.net"],
                    },
                    Summary = new TlsRptSummary { TotalSuccessfulSessionCount = 10, TotalFailureSessionCount = 2 },
                    FailureDetails =
                    [
                        new TlsRptFailureDetail
                        {
                            ResultType = TlsRptResultType.CertificateNotTrusted,
                            SendingMtaIp = "192.0.2.1",
                            ReceivingMxHostname = "mx.example.net",
                            ReceivingIp = "2001:db8::25",
                            FailedSessionCount = 2,
                            FailureReasonCode = "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
                        },
                    ],
                },
                new TlsRptPolicyReport
                {
                    Policy = new TlsRptPolicy { PolicyType = TlsRptPolicyType.Tlsa, PolicyString = ["3 1 1 AABB"], PolicyDomain = "mx.example.net" },
                    Summary = new TlsRptSummary { TotalSuccessfulSessionCount = 10, TotalFailureSessionCount = 2 },
                },
            ],
        };

        var read = TlsRptReportReader.ReadJson(TlsRptReportWriter.ToJson(report, indented: true));
        Assert.Empty(read.Findings);
        Assert.Equal(report, read.Report);
        Assert.Equal("sts", read.Report!.Policies[0].Policy.RawPolicyType);
        Assert.Equal("certificate-not-trusted", read.Report.Policies[0].FailureDetails![0].RawResultType);
        // Design §4: sts and tlsa policies are both counted, as reported.
        Assert.Equal(20, read.Report.TotalSuccessfulSessions);
        Assert.Equal(4, read.Report.TotalFailureSessions);
    }

    [Fact]
    public void Unknown_fields_survive_a_round_trip()
    {
        var json = """{"organization-name":"o","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-02T00:00:00Z"},"contact-info":"a@b.example","report-id":"r","policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"d","x-p":1},"summary":{"total-successful-session-count":1,"total-failure-session-count":0,"x-s":[true]},"x-pr":null}],"x-top":{"k":"v"}}""";
        var report = TlsRptReportReader.ReadJson(json).Report!;
        var again = TlsRptReportReader.ReadJson(TlsRptReportWriter.ToJson(report)).Report!;
        Assert.Equal(report, again);
        Assert.Equal("""{"k":"v"}""", again.UnknownFields["x-top"]);
        Assert.Equal("null", again.Policies[0].UnknownFields["x-pr"]);
        Assert.Equal("1", again.Policies[0].Policy.UnknownFields["x-p"]);
        Assert.Equal("[true]", again.Policies[0].Summary.UnknownFields["x-s"]);
        Assert.Equal(Encoding.UTF8.GetByteCount(json), Encoding.UTF8.GetByteCount(TlsRptReportWriter.ToJson(report)));
    }

    [Fact]
    public void System_text_json_serialisation_of_the_model_uses_rfc_names()
    {
        // The CLI prints the parsed model with JsonSerializer; the attributes must give the RFC 8460 keys.
        var report = TlsRptReportReader.Read(TlsRptReportReaderTests.Sample("domainaware+parsedmarc__rfc8460.json")).Report!;
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(report));
        var root = doc.RootElement;
        Assert.Equal("Company-X", root.GetProperty("organization-name").GetString());
        var p = root.GetProperty("policies")[0];
        Assert.Equal("sts", p.GetProperty("policy").GetProperty("policy-type").GetString());
        Assert.Equal(5326, p.GetProperty("summary").GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal("certificate-expired", p.GetProperty("failure-details")[0].GetProperty("result-type").GetString());
        Assert.True(root.GetProperty("date-range").TryGetProperty("start-datetime", out _));
    }
}
