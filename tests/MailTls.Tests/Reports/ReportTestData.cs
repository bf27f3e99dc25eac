using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace MailTls.Tests.Reports;

/// <summary>Generated reports for store tests: distinct report-ids, a known session total each.</summary>
internal static class ReportTestData
{
    public static string Json(int i, long ok = 10, long failed = 2, string domain = "example.com", string sender = "google.com") =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        {"organization-name":"Sender {{sender}}","date-range":{"start-datetime":"2026-01-{{(i % 28) + 1:00}}T00:00:00Z","end-datetime":"2026-01-{{(i % 28) + 1:00}}T23:59:59Z"},
         "contact-info":"tlsrpt@{{sender}}","report-id":"gen-{{i}}",
         "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.{{domain}}","max_age: 86400"],"policy-domain":"{{domain}}","mx-host":["mx1.{{domain}}"]},
           "summary":{"total-successful-session-count":{{ok}},"total-failure-session-count":{{failed}}},
           "failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx1.{{domain}}","receiving-ip":"198.51.100.7","failed-session-count":{{failed}}}]}]}
        """);

    public static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes(text));
        }

        return ms.ToArray();
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mailtls-reports-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
