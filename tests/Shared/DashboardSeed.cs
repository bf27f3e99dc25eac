using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MailTls.Audit;
using MailTls.Findings;
using MailTls.Reports;
using MailTls.Reports.Storage;

namespace MailTls.Tests.Shared;

/// <summary>
/// A store an operator would recognise, for the dashboard tests and its screenshots: 45 days of generated TLS-RPT
/// reports (relative to a given "now") from three senders about three domains — a healthy enforce domain, a domain in
/// testing whose backup MX got a wrong certificate six days ago (a failure spike), and a DANE domain — plus audits in
/// the <c>check</c> JSON shape (design §4), plus optionally the real-world samples of tests/MailTls.Tests/TestData.
/// Everything is deterministic for a given "now".
/// </summary>
internal static class DashboardSeed
{
    public const string Healthy = "example.com";
    public const string Failing = "example.net";
    public const string Dane = "shop.example";

    public static readonly string[] Domains = [Healthy, Failing, Dane];

    private static readonly (string Org, string Contact)[] Senders =
    [
        ("Google Inc.", "smtp-tls-reporting@google.com"),
        ("Microsoft Corporation", "tlsrpt-noreply@microsoft.com"),
        ("Yahoo", "tlsrpt@yahooinc.com"),
    ];

    /// <summary>Fills the store; returns how many reports were generated (the samples come on top).</summary>
    public static async Task<int> FillAsync(SqlReportStore store, DateTimeOffset now, string? samplesDirectory = null)
    {
        await using var ingestor = new ReportIngestor(store);
        var rng = new Random(20260131);
        var today = NormalizedReport.DayOf(now);
        var count = 0;
        for (var back = 45; back >= 1; back--)
        {
            var day = today - back;
            for (var s = 0; s < Senders.Length; s++)
            {
                if (s == 2 && back % 2 == 1)
                {
                    continue; // Yahoo reports every other day: coverage is not perfect everywhere
                }

                var policies = new List<JsonObject>
                {
                    HealthyPolicy(rng, s, back),
                    FailingPolicy(rng, s, back),
                };
                if (s != 2)
                {
                    policies.Add(DanePolicy(rng, s, back));
                }

                var json = Report(Senders[s].Org, Senders[s].Contact, $"{day}-{s}-{Senders[s].Contact.Split('@')[1]}", day, policies);
                var outcome = Assert.Single(await ingestor.IngestAsync(Gzip(json), ReportSource.Api("seed")));
                Assert.Equal(IngestStatus.Imported, outcome.Status);
                count++;
            }
        }

        if (samplesDirectory is not null)
        {
            await ReportFileImporter.ImportAsync(ingestor, [samplesDirectory]);
        }

        await store.AddAuditAsync(Audit(Healthy, now.AddHours(-3), "enforce", "mx1.example.com\nmx: mx2.example.com", 1209600, [
            new StoredFinding("dane.none", Severity.Info, "example.com", "No MX host publishes TLSA records: DANE senders deliver opportunistically."),
        ]));
        await store.AddAuditAsync(Audit(Failing, now.AddDays(-2), "testing", "mail.example.net\nmx: backup.example.net", 604800, [
            new StoredFinding("smtp.cert.name-mismatch", Severity.Error, "backup.example.net 192.0.2.25",
                "The certificate of backup.example.net (CN=mail.other-host.example) does not name backup.example.net."),
        ]));
        await store.AddAuditAsync(Audit(Failing, now.AddHours(-1), "testing", "mail.example.net\nmx: backup.example.net", 604800, [
            new StoredFinding("smtp.cert.name-mismatch", Severity.Error, "backup.example.net 192.0.2.25",
                "The certificate of backup.example.net (CN=mail.other-host.example) does not name backup.example.net: MTA-STS senders in enforce mode would not deliver there."),
            new StoredFinding("sts.policy.max-age-short", Severity.Warning, "mta-sts.example.net",
                "max_age is 604800 seconds (7 days); weeks are recommended once the policy is stable."),
        ]));
        return count;
    }

    // Healthy: enforce, both MX hosts fine, a handful of STARTTLS failures on two days.
    private static JsonObject HealthyPolicy(Random rng, int sender, int back)
    {
        var ok = sender switch { 0 => rng.Next(1200, 1700), 1 => rng.Next(300, 520), _ => rng.Next(40, 90) };
        var failures = new List<JsonObject>();
        if (sender == 0 && back is 17 or 9)
        {
            failures.Add(Failure("starttls-not-supported", "209.85.220.41", "mx2.example.com", "192.0.2.11", 3));
        }

        return Policy("sts", Healthy, ["version: STSv1", "mode: enforce", "mx: mx1.example.com", "mx: mx2.example.com", "max_age: 1209600"],
            ["mx1.example.com", "mx2.example.com"], ok, failures);
    }

    // Failing: testing; since day -6 the backup MX presents a certificate for another name.
    private static JsonObject FailingPolicy(Random rng, int sender, int back)
    {
        var ok = sender switch { 0 => rng.Next(600, 800), 1 => rng.Next(150, 260), _ => rng.Next(20, 45) };
        var failures = new List<JsonObject>();
        if (back <= 6)
        {
            var n = sender switch { 0 => rng.Next(140, 230), 1 => rng.Next(40, 90), _ => rng.Next(5, 15) };
            failures.Add(Failure("certificate-host-mismatch", sender == 0 ? "209.85.220.69" : "40.107.22.52", "backup.example.net", "192.0.2.25", n));
            if (sender == 1 && back <= 3)
            {
                failures.Add(Failure("certificate-host-mismatch", "40.107.22.52", "backup.example.net", "2001:db8::25", rng.Next(10, 25)));
            }
        }

        if (sender == 1 && back is 30 or 21 or 12)
        {
            failures.Add(Failure("validation-failure", "40.107.22.52", "mail.example.net", "192.0.2.24", rng.Next(1, 4)));
        }

        // Yahoo still applies last month's policy (max_age one day): the reported policy differs from the published one.
        var maxAge = sender == 2 ? 86400 : 604800;
        return Policy("sts", Failing, ["version: STSv1", "mode: testing", "mx: mail.example.net", "mx: backup.example.net", $"max_age: {maxAge}"],
            ["mail.example.net", "backup.example.net"], ok, failures);
    }

    // DANE: TLSA policy; one day of tlsa-invalid after a key rollover without a pre-published record.
    private static JsonObject DanePolicy(Random rng, int sender, int back)
    {
        var ok = sender == 0 ? rng.Next(80, 140) : rng.Next(20, 50);
        var failures = new List<JsonObject>();
        if (back == 24)
        {
            failures.Add(Failure("tlsa-invalid", sender == 0 ? "209.85.220.41" : "40.107.22.52", "mx.shop.example", "198.51.100.7", sender == 0 ? 61 : 12));
        }

        return Policy("tlsa", Dane, ["3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"], ["mx.shop.example"], ok, failures);
    }

    private static string Report(string org, string contact, string id, long day, List<JsonObject> policies)
    {
        var start = DateTimeOffset.UnixEpoch.AddDays(day);
        return new JsonObject
        {
            ["organization-name"] = org,
            ["date-range"] = new JsonObject
            {
                ["start-datetime"] = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["end-datetime"] = start.AddDays(1).AddSeconds(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
            ["contact-info"] = contact,
            ["report-id"] = id,
            ["policies"] = new JsonArray([.. policies]),
        }.ToJsonString();
    }

    private static JsonObject Policy(string type, string domain, string[] strings, string[] mx, long ok, List<JsonObject> failures) => new()
    {
        ["policy"] = new JsonObject
        {
            ["policy-type"] = type,
            ["policy-string"] = new JsonArray([.. strings.Select(x => (JsonNode)JsonValue.Create(x))]),
            ["policy-domain"] = domain,
            ["mx-host"] = new JsonArray([.. mx.Select(x => (JsonNode)JsonValue.Create(x))]),
        },
        ["summary"] = new JsonObject
        {
            ["total-successful-session-count"] = ok,
            ["total-failure-session-count"] = failures.Sum(f => (long)f["failed-session-count"]!),
        },
        ["failure-details"] = new JsonArray([.. failures]),
    };

    private static JsonObject Failure(string type, string sendingIp, string mx, string receivingIp, long n) => new()
    {
        ["result-type"] = type,
        ["sending-mta-ip"] = sendingIp,
        ["receiving-mx-hostname"] = mx,
        ["receiving-ip"] = receivingIp,
        ["failed-session-count"] = n,
    };

    private static AuditRecord Audit(string domain, DateTimeOffset at, string mode, string mx, long maxAge, IReadOnlyList<StoredFinding> findings)
    {
        var policyText = $"version: STSv1\nmode: {mode}\nmx: {mx}\nmax_age: {maxAge}\n";
        var check = new JsonObject
        {
            ["domain"] = domain,
            ["checked_at"] = at.ToString("O", CultureInfo.InvariantCulture),
            ["summary"] = findings.Any(f => f.Severity == Severity.Error) ? "errors found" : "ok",
            ["completed"] = true,
            ["findings"] = new JsonArray([.. findings.Select(f => (JsonNode)new JsonObject
            {
                ["code"] = f.Code,
                ["severity"] = f.Severity.ToString().ToLowerInvariant(),
                ["subject"] = f.Subject,
                ["message"] = f.Message,
            })]),
            ["mx"] = new JsonArray(),
            ["mta_sts"] = new JsonObject
            {
                ["discovery"] = "found",
                ["record"] = "v=STSv1; id=20260101T000000",
                ["id"] = "20260101T000000",
                ["policy"] = new JsonObject
                {
                    ["mode"] = mode,
                    ["max_age"] = maxAge,
                    ["mx"] = new JsonArray([.. mx.Split("\nmx: ").Select(x => (JsonNode)JsonValue.Create(x))]),
                    ["text"] = policyText,
                },
            },
            ["tls_rpt"] = new JsonObject { ["status"] = "Found", ["valid"] = true },
            ["dane"] = new JsonObject { ["hosts"] = 2, ["hosts_with_usable_tlsa"] = 0, ["all_matched"] = false },
            ["dnssec"] = new JsonObject { ["status"] = "insecure" },
        };
        var summary = $"{domain}: {findings.Count(f => f.Severity == Severity.Error)} error(s), {findings.Count(f => f.Severity == Severity.Warning)} warning(s)";
        return new AuditRecord(domain, at, true, summary, findings, check.ToJsonString());
    }

    public static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes(text));
        }

        return ms.ToArray();
    }
}
