using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Server.Dashboard;
using MailTls.Tests.Shared;

namespace MailTls.Cli.Tests.Commands;

/// <summary>
/// The dashboard against the CLI it mirrors: <c>/api/summary</c> prints exactly what <c>reports summary --json</c>
/// prints for the same store and filters (the acceptance point "numbers equal reports summary --json"), and
/// <c>serve hash-password</c> makes a hash the dashboard accepts.
/// </summary>
public sealed class DashboardCommandTests : IAsyncLifetime
{
    private DashboardHarness h = null!;

    public async Task InitializeAsync() => h = await DashboardHarness.StartAsync();

    public async Task DisposeAsync() => await h.DisposeAsync();

    [Theory]
    [InlineData(null, 0, null, null)]
    [InlineData(null, 30, null, null)]
    [InlineData(DashboardSeed.Failing, 30, null, null)]
    [InlineData(DashboardSeed.Failing, 30, null, "result-type")]
    [InlineData(DashboardSeed.Failing, 14, null, "mx")]
    [InlineData(DashboardSeed.Failing, 14, null, "ip")]
    [InlineData(null, 30, null, "sender")]
    [InlineData(DashboardSeed.Healthy, 30, null, "day")]
    [InlineData(null, 0, "tlsa", "result-type")]
    [InlineData(null, 0, null, "policy")]
    public async Task Api_summary_equals_reports_summary_json(string? domain, int days, string? policyType, string? by)
    {
        // A date for --since, so the CLI's clock and the server's fixed one cannot straddle a UTC midnight.
        var since = days == 0 ? null : h.Now.AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var args = new List<string> { "reports", "summary", "--db", h.DbPath };
        var query = new List<string>();
        foreach (var (option, name, value) in new[] { ("--domain", "domain", domain), ("--since", "since", since), ("--policy-type", "policy_type", policyType), ("--by", "by", by) })
        {
            if (value is not null)
            {
                args.AddRange([option, value]);
                query.Add(name + "=" + value);
            }
        }

        var (code, cli) = await CliRun.JsonAsync([.. args]);
        Assert.Equal(0, code);
        using var client = h.Client();
        var api = JsonNode.Parse(await client.GetStringAsync(new Uri("/api/summary" + (query.Count == 0 ? "" : "?" + string.Join("&", query)), UriKind.Relative)));
        var expected = JsonNode.Parse(cli.GetRawText());
        Assert.True(JsonNode.DeepEquals(expected, api), $"CLI {expected!.ToJsonString()}\nAPI {api!.ToJsonString()}");
        Assert.True((long)api!["reports"]! > 0 || domain is null && days == 0, "the filters should select reports");
    }

    [Fact]
    public async Task Hash_password_makes_a_hash_the_dashboard_accepts()
    {
        var file = CliRun.TempFile("a long enough password\n");
        var (code, json) = await CliRun.JsonAsync("serve", "hash-password", "--password-file", file);
        Assert.Equal(0, code);
        var hash = json.GetProperty("password_hash").GetString()!;
        Assert.StartsWith($"pbkdf2-sha256${Limits.DashboardPasswordIterations}$", hash, StringComparison.Ordinal);
        Assert.True(DashboardPassword.Verify("a long enough password", hash));
        Assert.Null(DashboardPassword.Problem(hash));

        var shortFile = CliRun.TempFile("short\n");
        var (shortCode, _, err) = await CliRun.RunAsync("serve", "hash-password", "--password-file", shortFile);
        Assert.Equal(2, shortCode);
        Assert.Contains("at least 8", err, StringComparison.Ordinal);
    }
}
