using System.Globalization;
using MailTls.Findings;
using MailTls.Reports;

namespace MailTls.Watch;

/// <summary>The TLS-RPT failure-rate rule of the watch (configuration <c>tlsrpt:</c>).</summary>
public sealed record TlsRptJumpSettings
{
    /// <summary>Recent UTC days compared (today included; reports arrive a day late, so two by default).</summary>
    public int WindowDays { get; init; } = Limits.WatchTlsRptWindowDays;

    /// <summary>UTC days before the window that form the baseline.</summary>
    public int BaselineDays { get; init; } = Limits.WatchTlsRptBaselineDays;

    /// <summary>The window's failure rate must be at least this many times the baseline rate.</summary>
    public double Factor { get; init; } = Limits.WatchTlsRptFactor;

    /// <summary>Sessions the window and the baseline each need before a rate means anything.</summary>
    public long MinSessions { get; init; } = Limits.WatchTlsRptMinSessions;

    /// <summary>The window's failure rate must also reach this (a jump from 0.01 % to 0.05 % is noise).</summary>
    public double MinFailureRate { get; init; } = Limits.WatchTlsRptMinFailureRate;
}

/// <summary>Outcome of the rule for one domain: whether there was enough data, the rates, and the finding when it fired.</summary>
public sealed record TlsRptJumpResult(
    bool Evaluated,
    long WindowSessions,
    long WindowFailures,
    long BaselineSessions,
    long BaselineFailures,
    Finding? Finding)
{
    public double WindowRate => WindowSessions == 0 ? 0 : (double)WindowFailures / WindowSessions;

    public double BaselineRate => BaselineSessions == 0 ? 0 : (double)BaselineFailures / BaselineSessions;
}

/// <summary>
/// Compares the failure rate of the last <see cref="TlsRptJumpSettings.WindowDays"/> UTC days with the
/// <see cref="TlsRptJumpSettings.BaselineDays"/> before them, from the per-day totals of the report store
/// (<see cref="IReportStore.DailyAsync"/>: the sums of total-successful/failure-session-count over every policy).
/// </summary>
public static class TlsRptJump
{
    public static async Task<TlsRptJumpResult> EvaluateAsync(IReportStore store, string domain, DateTimeOffset now, TlsRptJumpSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        var since = now.UtcDateTime.Date.AddDays(-(settings.WindowDays + settings.BaselineDays - 1));
        var points = await store.DailyAsync(new SummaryQuery(Domain: domain, Since: new DateTimeOffset(since, TimeSpan.Zero)), cancellationToken).ConfigureAwait(false);
        return Evaluate(domain, points, now, settings);
    }

    /// <summary>The rule over per-day points (pure).</summary>
    public static TlsRptJumpResult Evaluate(string domain, IReadOnlyList<DailyPoint> points, DateTimeOffset now, TlsRptJumpSettings settings)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(settings);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var windowStart = today.AddDays(-(settings.WindowDays - 1));
        var baselineStart = windowStart.AddDays(-settings.BaselineDays);
        long wOk = 0, wFail = 0, bOk = 0, bFail = 0;
        foreach (var p in points)
        {
            if (p.Date > today || p.Date < baselineStart)
            {
                continue;
            }

            if (p.Date >= windowStart)
            {
                wOk += p.SuccessfulSessions;
                wFail += p.FailedSessions;
            }
            else
            {
                bOk += p.SuccessfulSessions;
                bFail += p.FailedSessions;
            }
        }

        var windowSessions = wOk + wFail;
        var baselineSessions = bOk + bFail;
        var evaluated = windowSessions >= settings.MinSessions && baselineSessions >= settings.MinSessions;
        Finding? finding = null;
        var result = new TlsRptJumpResult(evaluated, windowSessions, wFail, baselineSessions, bFail, null);
        if (evaluated && result.WindowRate >= settings.MinFailureRate && result.WindowRate >= settings.Factor * result.BaselineRate && result.WindowRate > result.BaselineRate)
        {
            var c = CultureInfo.InvariantCulture;
            finding = WatchFindings.TlsRptFailureJump.Create(domain,
                string.Format(c, "TLS-RPT reports for {0} show {1:0.##} % failed sessions over {2:yyyy-MM-dd}..{3:yyyy-MM-dd} ({4} of {5}), against {6:0.##} % over the {7} days before ({8} of {9}); the threshold is {10}× the baseline.",
                    domain, result.WindowRate * 100, windowStart, today, wFail, windowSessions, result.BaselineRate * 100, settings.BaselineDays, bFail, baselineSessions, settings.Factor),
                FindingList.Evidence(
                    ("window_failure_rate", result.WindowRate.ToString("0.####", c)),
                    ("baseline_failure_rate", result.BaselineRate.ToString("0.####", c)),
                    ("window", $"{windowStart:yyyy-MM-dd}..{today:yyyy-MM-dd}"),
                    ("baseline", $"{baselineStart:yyyy-MM-dd}..{windowStart.AddDays(-1):yyyy-MM-dd}")));
        }

        return result with { Finding = finding };
    }
}
