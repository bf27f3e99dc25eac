using System.IO.Compression;
using System.Text;
using MailTls.Findings;
using MailTls.Tests.Shared;
using MailTls.TlsRpt;

namespace MailTls.Tests.TlsRpt;

public sealed class TlsRptReportReaderTests
{
    /// <summary>Golden expectations of every JSON sample (<see cref="TlsRptGolden.Samples"/>, read by hand from each file).</summary>
    public static TheoryData<string, string, string, int, long, long, string[]> Samples
    {
        get
        {
            var data = new TheoryData<string, string, string, int, long, long, string[]>();
            foreach (var s in TlsRptGolden.Samples)
            {
                data.Add(s.File, s.Org, s.ReportId, s.Policies, s.Ok, s.Failed, s.Codes);
            }

            return data;
        }
    }

    internal static byte[] Sample(string name) => File.ReadAllBytes(TestPaths.TestData("TlsRpt", name));

    [Fact]
    public void Every_json_sample_has_a_golden_row()
    {
        var names = Directory.GetFiles(TestPaths.TestData("TlsRpt"), "*.json").Select(f => Path.GetFileName(f)!).Order().ToList();
        var golden = Samples.Select(row => (string)row[0]).Order().ToList();
        Assert.Equal(names, golden);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_parses_with_expected_totals_and_findings(string file, string org, string reportId, int policies, long ok, long failed, string[] codes)
    {
        var result = TlsRptReportReader.Read(Sample(file), file);

        Assert.True(result.IsValid, string.Join("; ", result.Findings.Select(f => f.Message)));
        var report = Assert.IsType<TlsRptReport>(result.Report);
        Assert.Equal(TlsRptPayloadFormat.Json, result.Format);
        Assert.Equal(org, report.OrganizationName);
        Assert.Equal(reportId, report.ReportId);
        Assert.Equal(policies, report.Policies.Count);
        Assert.Equal(ok, report.TotalSuccessfulSessions);
        Assert.Equal(failed, report.TotalFailureSessions);
        Assert.Equal(codes, result.Findings.Select(f => f.Code).ToArray());
        Assert.All(result.Findings, f => Assert.NotNull(FindingCatalog.Find(f.Code)));
        Assert.All(result.Findings, f => Assert.True(f.Evidence.ContainsKey("path")));
        Assert.Equal(Encoding.UTF8.GetString(Sample(file)), result.Json);
    }

    [Fact]
    public void Rfc_example_fields_map_to_the_model()
    {
        var r = TlsRptReportReader.Read(Sample("domainaware+parsedmarc__rfc8460.json")).Report!;
        Assert.Equal("sts-reporting@company-x.example", r.ContactInfo);
        Assert.Equal(new DateTimeOffset(2016, 4, 1, 0, 0, 0, TimeSpan.Zero), r.DateRange!.StartDatetime);
        Assert.Equal(new DateTimeOffset(2016, 4, 1, 23, 59, 59, TimeSpan.Zero), r.DateRange.EndDatetime);
        var p = r.Policies[0];
        Assert.Equal(TlsRptPolicyType.Sts, p.Policy.PolicyType);
        Assert.Equal(["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"], p.Policy.PolicyString);
        Assert.Equal("company-y.example", p.Policy.PolicyDomain);
        Assert.Equal(["*.mail.company-y.example"], p.Policy.MxHost);
        var d = p.FailureDetails!;
        Assert.Equal(3, d.Count);
        Assert.Equal(TlsRptResultType.CertificateExpired, d[0].ResultType);
        Assert.Equal("2001:db8:abcd:0012::1", d[0].SendingMtaIp);
        Assert.Null(d[0].ReceivingIp);
        Assert.Equal(TlsRptResultType.StarttlsNotSupported, d[1].ResultType);
        Assert.Equal("203.0.113.56", d[1].ReceivingIp);
        Assert.Equal(200, d[1].FailedSessionCount);
        Assert.StartsWith("https://reports.company-x.example/", d[1].AdditionalInformation, StringComparison.Ordinal);
        Assert.Equal(TlsRptResultType.ValidationFailure, d[2].ResultType);
        Assert.Equal("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED", d[2].FailureReasonCode);
    }

    [Fact]
    public void Microsoft_tlsa_policy_string_is_unwrapped()
    {
        var r = TlsRptReportReader.Read(Sample("cry-inc+dmarc-report-viewer__microsoft.json")).Report!;
        var tlsa = r.Policies[1].Policy;
        Assert.Equal(TlsRptPolicyType.Tlsa, tlsa.PolicyType);
        Assert.Equal(
            ["3 1 1 6007EEE553E85D8DF007A845D19EC343283D4E416E9A33F9EF3040C8B7C285BC", "3 1 1 837C773D54C2E2BD71871A3FC352BE8214D5646CBAE5E3091401A7274717998B"],
            tlsa.PolicyString);
        Assert.Null(tlsa.MxHost);
        Assert.Null(r.Policies[1].FailureDetails);
    }

    [Fact]
    public void Mx_prefix_is_stripped_and_empty_failure_details_kept_as_empty()
    {
        var r = TlsRptReportReader.Read(Sample("cry-inc+dmarc-report-viewer__no-contact.json"));
        Assert.Equal(["mx.server.com"], r.Report!.Policies[0].Policy.MxHost);
        Assert.Empty(r.Report.Policies[0].FailureDetails!);
        Assert.Null(r.Report.ContactInfo);
        Assert.Equal("policies[0].policy.mx-host[0]", r.Findings.Single(f => f.Code == "tlsrpt.report.mx-host-prefix").Evidence["path"]);
    }

    [Fact]
    public void Unknown_policy_type_is_kept_raw()
    {
        var r = TlsRptReportReader.Read(Sample("stalwartlabs+mail-auth__rpt03.json")).Report!;
        Assert.Equal(TlsRptPolicyType.NoPolicyFound, r.Policies[0].Policy.PolicyType);
        Assert.Equal(TlsRptPolicyType.Unknown, r.Policies[1].Policy.PolicyType);
        Assert.Equal("invalid-policy-type", r.Policies[1].Policy.RawPolicyType);
    }

    private static TlsRptReadResult ReadJson(string json) => TlsRptReportReader.ReadJson(json);

    private const string Frame = """{"organization-name":"o","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"a@b.example","report-id":"r","policies":[POLICY]}""";

    private static string WithPolicy(string policy) => Frame.Replace("POLICY", policy, StringComparison.Ordinal);

    private const string StsPolicy = """{"policy-type":"sts","policy-string":["version: STSv1"],"policy-domain":"d.example","mx-host":["mx.d.example"]}""";

    public static TheoryData<string, string, string> QuirkCases => new()
    {
        // Q1: value-type names used as keys.
        { WithPolicy("""{"policy":{"policy-type":"sts","policy-string":["a"],"policy-domain":"d","mx-host-pattern":["mx.d"]},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}"""),
            "tlsrpt.report.key-spelling", "policies[0].policy.mx-host-pattern" },
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":0,"total-failure-session-count":1},"failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx","failed-session-count":1,"additional-info-uri":"https://x"}]}"""),
            "tlsrpt.report.key-spelling", "policies[0].failure-details[0].additional-info-uri" },
        // Q9: no time zone.
        { Frame.Replace("2024-01-01T00:00:00Z", "2024-01-01T00:00:00", StringComparison.Ordinal).Replace("POLICY", "", StringComparison.Ordinal),
            "tlsrpt.report.date-no-timezone", "date-range.start-datetime" },
        { Frame.Replace("2024-01-01T00:00:00Z", "yesterday", StringComparison.Ordinal).Replace("POLICY", "", StringComparison.Ordinal),
            "tlsrpt.report.date-invalid", "date-range.start-datetime" },
        // Q15: numbers as strings.
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":"12","total-failure-session-count":0}}"""),
            "tlsrpt.report.number-as-string", "policies[0].summary.total-successful-session-count" },
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":-1,"total-failure-session-count":0}}"""),
            "tlsrpt.report.invalid-count", "policies[0].summary.total-successful-session-count" },
        // Q12: unknown result type.
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":0,"total-failure-session-count":1},"failure-details":[{"result-type":"Testing","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx","failed-session-count":1}]}"""),
            "tlsrpt.report.unknown-result-type", "policies[0].failure-details[0].result-type" },
        // IP syntax.
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":0,"total-failure-session-count":1},"failure-details":[{"result-type":"validation-failure","sending-mta-ip":"x.x.x.x","receiving-mx-hostname":"mx","failed-session-count":1}]}"""),
            "tlsrpt.report.invalid-ip", "policies[0].failure-details[0].sending-mta-ip" },
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":0,"total-failure-session-count":1},"failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.1","receiving-ip":"010.1.1.1","receiving-mx-hostname":"mx","failed-session-count":1}]}"""),
            "tlsrpt.report.invalid-ip", "policies[0].failure-details[0].receiving-ip" },
        // Q4: policy-string as one string.
        { WithPolicy("""{"policy":{"policy-type":"tlsa","policy-string":"3 1 1 AA","policy-domain":"d"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}"""),
            "tlsrpt.report.policy-string-not-array", "policies[0].policy.policy-string" },
        // Duplicate keys: first wins.
        { """{"organization-name":"o","organization-name":"p","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-02T00:00:00Z"},"contact-info":"a@b","report-id":"r","policies":[]}""",
            "tlsrpt.report.duplicate-key", "organization-name" },
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":1,"total-failure-session-count":0},"x-extra":{"a":[1,2]}}"""),
            "tlsrpt.report.unknown-field", "policies[0].x-extra" },
        { WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":1,"total-failure-session-count":0},"failure-details":{}}"""),
            "tlsrpt.report.wrong-type", "policies[0].failure-details" },
        { Frame.Replace("POLICY", "", StringComparison.Ordinal), "tlsrpt.report.empty-policies", "policies" },
    };

    [Theory]
    [MemberData(nameof(QuirkCases))]
    public void Quirk_is_tolerated_with_a_warning_at_its_path(string json, string code, string path)
    {
        var result = ReadJson(json);
        Assert.NotNull(result.Report);
        Assert.True(result.IsValid);
        var finding = Assert.Single(result.Findings, f => f.Code == code);
        Assert.Equal(path, finding.Evidence["path"]);
        Assert.NotEqual(Severity.Error, finding.Severity);
    }

    [Fact]
    public void Quirk_values_are_read()
    {
        var mx = ReadJson(WithPolicy("""{"policy":{"policy-type":"sts","policy-string":["a"],"policy-domain":"d","mx-host-pattern":"mx: mx.d"},"summary":{"total-successful-session-count":"7","total-failure-session-count":0}}""")).Report!;
        Assert.Equal(["mx.d"], mx.Policies[0].Policy.MxHost);
        Assert.Equal(7, mx.TotalSuccessfulSessions);

        var info = ReadJson(WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":0,"total-failure-session-count":1},"failure-details":[{"result-type":"Testing","failed-session-count":1,"additional-info-uri":"https://x"}]}""")).Report!;
        Assert.Equal("https://x", info.Policies[0].FailureDetails![0].AdditionalInformation);
        Assert.Equal(TlsRptResultType.Unknown, info.Policies[0].FailureDetails![0].ResultType);
        Assert.Equal("Testing", info.Policies[0].FailureDetails![0].RawResultType);

        var noTz = ReadJson(Frame.Replace("2024-01-01T00:00:00Z", "2024-01-01T00:00:00", StringComparison.Ordinal).Replace("POLICY", "", StringComparison.Ordinal)).Report!;
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), noTz.DateRange!.StartDatetime);

        var dup = ReadJson("""{"organization-name":"first","organization-name":"second","policies":[]}""").Report!;
        Assert.Equal("first", dup.OrganizationName);

        var extra = ReadJson(WithPolicy("{\"policy\":" + StsPolicy + ""","summary":{"total-successful-session-count":1,"total-failure-session-count":0},"x-extra":{"a":[1,2]}}""")).Report!;
        Assert.Equal("""{"a":[1,2]}""", extra.Policies[0].UnknownFields["x-extra"]);
    }

    public static TheoryData<byte[], string> Unusable => new()
    {
        { Encoding.UTF8.GetBytes("<feedback><report_metadata/></feedback>"), "tlsrpt.report.not-json" },
        { Encoding.UTF8.GetBytes("{\"policies\": [}"), "tlsrpt.report.not-json" },
        { [], "tlsrpt.report.not-json" },
        { Encoding.UTF8.GetBytes("[1,2]"), "tlsrpt.report.not-object" },
        { Encoding.UTF8.GetBytes("\"report\""), "tlsrpt.report.not-object" },
        { Encoding.UTF8.GetBytes("{\"organization-name\":\"x\"}"), "tlsrpt.report.missing-policies" },
        { Encoding.UTF8.GetBytes("{\"policies\":{}}"), "tlsrpt.report.missing-policies" },
        { [0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03], "tlsrpt.report.bad-compression" },
        { Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200)), "tlsrpt.report.not-json" },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void Unusable_input_is_an_error(byte[] payload, string code)
    {
        var result = TlsRptReportReader.Read(payload);
        Assert.False(result.IsValid);
        Assert.Null(result.Report);
        var error = Assert.Single(result.Findings, f => f.Severity == Severity.Error);
        Assert.Equal(code, error.Code);
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    internal static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(data);
            }
        }

        return ms.ToArray();
    }

    [Fact]
    public void Gzip_bom_and_whitespace_are_sniffed_not_named()
    {
        var json = Sample("domainaware+parsedmarc__rfc8460.json");
        var plain = TlsRptReportReader.Read(json).Report;

        var gz = TlsRptReportReader.Read(Gzip(json), "report.json");
        Assert.Equal(TlsRptPayloadFormat.Gzip, gz.Format);
        Assert.Equal(plain, gz.Report);

        var bom = TlsRptReportReader.Read([0xEF, 0xBB, 0xBF, (byte)'\n', (byte)' ', .. json], "report.json.gz");
        Assert.Equal(TlsRptPayloadFormat.Json, bom.Format);
        Assert.Equal(plain, bom.Report);
    }

    [Fact]
    public void Zip_input_takes_the_first_json_entry()
    {
        var json = Sample("domainaware+parsedmarc__mail.ru.json");
        var zip = Zip(("readme.txt", "hello"u8.ToArray()), ("mail.ru!example.com!1708560000!1708646400!001.json", json));
        var result = TlsRptReportReader.Read(zip);
        Assert.Equal(TlsRptPayloadFormat.Zip, result.Format);
        Assert.Equal(TlsRptReportReader.Read(json).Report, result.Report);

        var zipGz = TlsRptReportReader.Read(Zip(("r.json.gz", Gzip(json))));
        Assert.Equal(TlsRptReportReader.Read(json).Report, zipGz.Report);

        var none = TlsRptReportReader.Read(Zip(("readme.txt", "hello"u8.ToArray())));
        Assert.Equal("tlsrpt.report.zip-no-json", Assert.Single(none.Findings).Code);
    }

    [Fact]
    public void Gzip_bomb_is_stopped_with_a_clear_error()
    {
        var bomb = Gzip(new byte[50 * 1024 * 1024]);
        Assert.True(bomb.Length < 1024 * 1024);
        var result = TlsRptReportReader.Read(bomb);
        Assert.Null(result.Report);
        Assert.Equal("tlsrpt.report.decompressed-too-large", Assert.Single(result.Findings).Code);

        var zipBomb = TlsRptReportReader.Read(Zip(("bomb.json", new byte[30 * 1024 * 1024])));
        Assert.Equal("tlsrpt.report.decompressed-too-large", Assert.Single(zipBomb.Findings).Code);
    }

    [Fact]
    public void Invalid_utf8_and_lone_surrogates_are_not_json()
    {
        // I-JSON (RFC 7493 §2.1): UTF-8 only, no lone surrogates. System.Text.Json defers both checks to GetString.
        var badUtf8 = TlsRptReportReader.Read([.. "{\"organization-name\":\""u8, 0xA9, .. "\",\"policies\":[]}"u8]);
        Assert.Equal("tlsrpt.report.not-json", Assert.Single(badUtf8.Findings).Code);

        var surrogate = TlsRptReportReader.ReadJson("{\"organization-name\":\"\\uD800\",\"policies\":[]}");
        var finding = Assert.Single(surrogate.Findings);
        Assert.Equal("tlsrpt.report.not-json", finding.Code);
        Assert.Contains("organization-name", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalisation_is_idempotent()
    {
        // Found by the mutation property test: a second read of the written report must not change it again.
        var json = WithPolicy("""{"policy":{"policy-type":"tlsa","policy-string":["[\"[\\\"3 1 1 AA\\\"]\"]"],"policy-domain":"d","mx-host":["mx: mx:x.example"]},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}""");
        var first = ReadJson(json).Report!;
        Assert.Equal(["3 1 1 AA"], first.Policies[0].Policy.PolicyString);
        Assert.Equal(["x.example"], first.Policies[0].Policy.MxHost);
        Assert.Equal(first, ReadJson(TlsRptReportWriter.ToJson(first)).Report);
    }

    [Fact]
    public void Oversized_input_is_refused()
    {
        var result = TlsRptReportReader.Read(new byte[Limits.TlsRptMaxCompressedBytes + 1]);
        Assert.Equal("tlsrpt.report.too-large", Assert.Single(result.Findings).Code);
    }
}
