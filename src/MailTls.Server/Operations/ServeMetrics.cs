using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace MailTls.Server.Operations;

/// <summary>
/// Request counters by policy host and status. Hosts that are not configured policy hosts are counted as
/// <c>other</c> so that arbitrary Host headers cannot grow the label set.
/// </summary>
public sealed class ServeMetrics
{
    public const string OtherHost = "other";

    private readonly ConcurrentDictionary<(string Host, int Status), Counter> requests = new();
    private readonly ConcurrentDictionary<(string Tenant, string Outcome), Counter> reports = new();

    public void CountRequest(string host, int status) =>
        Interlocked.Increment(ref requests.GetOrAdd((host, status), static _ => new Counter()).Value);

    public long Requests(string host, int status) => requests.TryGetValue((host, status), out var c) ? Interlocked.Read(ref c.Value) : 0;

    /// <summary>Counts one POST to a tenant path by outcome (imported, duplicate, quarantined, or why it was refused).</summary>
    public void CountReport(string tenant, string outcome) =>
        Interlocked.Increment(ref reports.GetOrAdd((tenant, outcome), static _ => new Counter()).Value);

    public long Reports(string tenant, string outcome) => reports.TryGetValue((tenant, outcome), out var c) ? Interlocked.Read(ref c.Value) : 0;

    internal void WriteReports(StringBuilder sb)
    {
        sb.Append("# HELP mailtls_serve_tlsrpt_reports_total Reports POSTed to the TLS-RPT receiver, by tenant and outcome (imported, duplicate, quarantined, or the refusal).\n");
        sb.Append("# TYPE mailtls_serve_tlsrpt_reports_total counter\n");
        foreach (var ((tenant, outcome), c) in reports.OrderBy(p => p.Key.Tenant, StringComparer.Ordinal).ThenBy(p => p.Key.Outcome, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_tlsrpt_reports_total{{tenant=\"{Escape(tenant)}\",outcome=\"{outcome}\"}} {Interlocked.Read(ref c.Value)}\n");
        }
    }

    internal void WriteRequests(StringBuilder sb)
    {
        sb.Append("# HELP mailtls_serve_requests_total HTTP requests answered, by policy host (\"other\" = not a configured host) and status.\n");
        sb.Append("# TYPE mailtls_serve_requests_total counter\n");
        foreach (var ((host, status), c) in requests.OrderBy(p => p.Key.Host, StringComparer.Ordinal).ThenBy(p => p.Key.Status))
        {
            sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_requests_total{{host=\"{Escape(host)}\",status=\"{status}\"}} {Interlocked.Read(ref c.Value)}\n");
        }
    }

    internal static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Counter
    {
#pragma warning disable CA1051 // a field, so Interlocked can update it in place
        public long Value;
#pragma warning restore CA1051
    }
}
