using System.Diagnostics;
using MailTls.Reports.Storage;
using Npgsql;

namespace MailTls.Tests.Shared;

/// <summary>
/// The lab's PostgreSQL for lab tests: started with <c>lab/pg up</c> on first use, and a fresh schema per call so
/// that tests never see each other's rows. Linked into each test project that needs it.
/// </summary>
internal static class LabPostgres
{
    private const string UrlFile = "/run/mailtls-lab/pg-url";

    /// <summary>A store URL whose <c>search_path</c> is a new, empty schema named <paramref name="prefix"/> + 12 hex digits.</summary>
    public static async Task<string> FreshSchemaUrlAsync(string repoRoot, string prefix)
    {
        if (!File.Exists(UrlFile))
        {
            using var p = Process.Start(new ProcessStartInfo(Path.Combine(repoRoot, "lab", "pg"), "up") { UseShellExecute = false })!;
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
        }

        var url = (await File.ReadAllTextAsync(UrlFile)).Trim();
        var schema = prefix + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(ReportDatabase.PostgresConnectionString(url).ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE SCHEMA {schema}", conn);
        await cmd.ExecuteNonQueryAsync();
        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "search_path=" + schema;
    }
}
