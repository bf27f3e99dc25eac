using System.Globalization;
using System.Text;
using CsCheck;
using MailTls.Reports;
using MailTls.Reports.Storage;
using Microsoft.Data.Sqlite;

namespace MailTls.Tests.Reports;

/// <summary>
/// The daily aggregates (schema v2) must always equal the detail queries: random reports, exact duplicates and
/// new revisions of the same natural key (which supersede and subtract), stored in random group-commit batches.
/// </summary>
public sealed class ReportAggregatePropertyTests
{
    private static readonly string[] ResultTypes = ["certificate-expired", "starttls-not-supported", "validation-failure", "sts-policy-fetch-error"];

    private sealed record Failure(int Type, int Mx, int Count);

    private sealed record Spec(int Sender, int Id, int Day, int Variant, int Ok, bool Tlsa, Failure[] Failures);

    private static readonly Gen<Spec> GenSpec =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 50], Gen.Bool,
            Gen.Select(Gen.Int[0, ResultTypes.Length - 1], Gen.Int[0, 1], Gen.Int[1, 9], (t, m, c) => new Failure(t, m, c)).Array[0, 3],
            (s, i, d, v, ok, tlsa, f) => new Spec(s, i, d, v, ok, tlsa, f));

    private static readonly Gen<(Spec[] Specs, int Batch)> GenRun = Gen.Select(GenSpec.Array[1, 40], Gen.Int[1, 12]);

    [Fact]
    public async Task Aggregated_summary_equals_the_detail_query_on_random_data()
    {
        await GenRun.SampleAsync(async run =>
        {
            var dir = ReportTestData.TempDir();
            try
            {
                await using var store = await ReportDatabase.OpenAsync(Path.Combine(dir, "p.db"));
                await StoreAsync(store, run.Specs, run.Batch);
                await AssertSameAsync(store);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }, iter: 40);
    }

    [Fact]
    public async Task Migration_2_backfills_the_aggregates_of_an_existing_store()
    {
        var dir = ReportTestData.TempDir();
        var path = Path.Combine(dir, "b.db");
        var specs = Enumerable.Range(0, 60).Select(i => new Spec(i % 3, i % 5, i % 4, i % 2, i, i % 2 == 0,
            [.. Enumerable.Range(0, i % 3).Select(k => new Failure((i + k) % ResultTypes.Length, k % 2, k + 1))])).ToArray();
        await using (var store = await ReportDatabase.OpenAsync(path))
        {
            await StoreAsync(store, specs, 7);
        }

        // Turn the store back into a version-1 store that holds data, then migrate again.
        await using (var c = new SqliteConnection($"Data Source={path}"))
        {
            await c.OpenAsync();
            var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TABLE daily_totals; DROP TABLE daily_failures; DELETE FROM schema_migrations WHERE version = 2";
            await cmd.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using (var store = await ReportDatabase.OpenAsync(path))
        {
            Assert.Equal(ReportSchema.Migrations.Select(m => (long)m.Version), await store.SchemaVersionsAsync());
            var summary = await store.SummaryAsync(new SummaryQuery(By: SummaryGrouping.ResultType));
            Assert.True(summary.Reports > 0 && summary.Rows.Count > 0);
            await AssertSameAsync(store);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private static async Task StoreAsync(SqlReportStore store, Spec[] specs, int batch)
    {
        for (var start = 0; start < specs.Length; start += batch)
        {
            var items = specs[start..Math.Min(specs.Length, start + batch)]
                .Select(s => ReportPipeline.DecodePayload(Encoding.UTF8.GetBytes(Json(s)), new ReportSource("test", "p")))
                .ToList();
            Assert.All(items, i => Assert.IsType<ReportItem>(i));
            await store.StoreAsync(items);
        }
    }

    private static async Task AssertSameAsync(SqlReportStore store)
    {
        foreach (var by in new[] { SummaryGrouping.None, SummaryGrouping.ResultType })
        {
            foreach (var since in new DateTimeOffset?[] { null, Start(1), Start(3), Start(9) })
            {
                var query = new SummaryQuery(Since: since, By: by);
                var detail = await store.SummaryFromDetailAsync(query);
                var aggregated = await store.SummaryAsync(query);
                Assert.Equal((detail.Reports, detail.SuccessfulSessions, detail.FailedSessions), (aggregated.Reports, aggregated.SuccessfulSessions, aggregated.FailedSessions));
                Assert.Equal(detail.Rows, aggregated.Rows);
            }
        }
    }

    private static DateTimeOffset Start(int day) => new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day);

    private static string Json(Spec s)
    {
        var inv = CultureInfo.InvariantCulture;
        var start = Start(s.Day).ToString("yyyy-MM-dd", inv);
        var domain = "d" + s.Sender.ToString(inv) + ".example";
        var failed = s.Failures.Sum(f => f.Count);
        var details = string.Join(",", s.Failures.Select(f => string.Create(inv,
            $$"""{"result-type":"{{ResultTypes[f.Type]}}","receiving-mx-hostname":"mx{{f.Mx}}.{{domain}}","failed-session-count":{{f.Count}}}""")));
        var tlsa = s.Tlsa
            ? string.Create(inv, $$$""",{"policy":{"policy-type":"tlsa","policy-string":["3 1 1 0254A4C2B4B1A1D4F3E2C1B0A9F8E7D6C5B4A3928170F6E5D4C3B2A1908F7E6D"],"policy-domain":"{{{domain}}}"},"summary":{"total-successful-session-count":{{{s.Ok + 1}}},"total-failure-session-count":0}}""")
            : string.Empty;
        return string.Create(inv, $$"""
            {"organization-name":"Sender {{s.Sender}} v{{s.Variant}}","date-range":{"start-datetime":"{{start}}T00:00:00Z","end-datetime":"{{start}}T23:59:59Z"},
             "contact-info":"tlsrpt@sender{{s.Sender}}.example","report-id":"r{{s.Id}}",
             "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx0.{{domain}}","max_age: 86400"],"policy-domain":"{{domain}}"},
               "summary":{"total-successful-session-count":{{s.Ok}},"total-failure-session-count":{{failed}}},
               "failure-details":[{{details}}]}{{tlsa}}]}
            """);
    }
}
