using System.Globalization;
using System.Text.Json.Nodes;

namespace MailTls.Reports;

/// <summary>
/// The JSON shapes of <c>reports summary --json</c> and <c>reports show --json</c> (design §4), and the parsing of
/// their filter words (<c>--since 30d</c>, <c>--by result-type</c>). One implementation, used by the CLI and by the
/// dashboard's <c>/api/…</c>, so both print the same keys and the same numbers for the same store and filters.
/// </summary>
public static class ReportJson
{
    /// <summary>The words <c>--by</c> takes, in the order the help lists them.</summary>
    public static readonly IReadOnlyList<string> GroupingWords = ["result-type", "sender", "mx", "ip", "day", "policy"];

    /// <summary><c>{"reports","successful_sessions","failed_sessions","rows":[…]}</c>.</summary>
    public static JsonObject Summary(SummaryGrouping by, SummaryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject
        {
            ["reports"] = result.Reports,
            ["successful_sessions"] = result.SuccessfulSessions,
            ["failed_sessions"] = result.FailedSessions,
            ["rows"] = new JsonArray([.. result.Rows.Select(r => (JsonNode)Row(by, r))]),
        };
    }

    /// <summary>One row: the group key under its name, then result_type (mx, ip), reports, successful_sessions (not for failure groupings), failed_sessions.</summary>
    public static JsonObject Row(SummaryGrouping by, SummaryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var o = new JsonObject { [GroupName(by)] = row.Key };
        if (by is SummaryGrouping.Mx or SummaryGrouping.Ip)
        {
            o["result_type"] = row.ResultType;
        }

        o["reports"] = row.Reports;
        if (!IsFailureGrouping(by))
        {
            o["successful_sessions"] = row.SuccessfulSessions;
        }

        o["failed_sessions"] = row.FailedSessions;
        return o;
    }

    /// <summary>True when the rows count failure details only (result-type, mx, ip): they have no successful sessions.</summary>
    public static bool IsFailureGrouping(SummaryGrouping by) => by is SummaryGrouping.ResultType or SummaryGrouping.Mx or SummaryGrouping.Ip;

    /// <summary>The JSON key (and CSV column) of a grouping's key.</summary>
    public static string GroupName(SummaryGrouping by) => by switch
    {
        SummaryGrouping.ResultType => "result_type",
        SummaryGrouping.Sender => "sender",
        SummaryGrouping.Mx => "mx",
        SummaryGrouping.Ip => "ip",
        SummaryGrouping.Day => "day",
        SummaryGrouping.Policy => "policy",
        _ => "key",
    };

    /// <summary>Parses a <c>--by</c> word; null (absent) is <see cref="SummaryGrouping.None"/>.</summary>
    public static bool TryParseGrouping(string? text, out SummaryGrouping by)
    {
        by = text switch
        {
            null or "" => SummaryGrouping.None,
            "result-type" => SummaryGrouping.ResultType,
            "sender" => SummaryGrouping.Sender,
            "mx" => SummaryGrouping.Mx,
            "ip" => SummaryGrouping.Ip,
            "day" => SummaryGrouping.Day,
            "policy" => SummaryGrouping.Policy,
            _ => (SummaryGrouping)(-1),
        };
        return (int)by >= 0;
    }

    /// <summary>Parses <c>--since</c>: <c>Nd</c> (days before <paramref name="now"/>), <c>Nh</c> (hours) or <c>YYYY-MM-DD</c> (UTC midnight).</summary>
    public static bool TryParseSince(string text, DateTimeOffset now, out DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(text);
        since = default;
        if (text.Length > 1 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 100_000)
        {
            switch (text[^1])
            {
                case 'd':
                    since = now.AddDays(-n);
                    return true;
                case 'h':
                    since = now.AddHours(-n);
                    return true;
            }
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            since = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        return false;
    }

    /// <summary>The policy types <c>--policy-type</c> accepts (RFC 8460 §4.3 policy-type values).</summary>
    public static bool IsPolicyType(string? text) => text is null or "sts" or "tlsa" or "no-policy-found";

    /// <summary>One stored report as <c>reports show --json</c> prints it.</summary>
    public static JsonObject Report(StoredReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new JsonObject
        {
            ["report_id"] = r.ReportId,
            ["sender"] = r.Sender,
            ["organization_name"] = r.OrganizationName,
            ["contact_info"] = r.ContactInfo,
            ["start"] = Time(r.Start),
            ["end"] = Time(r.End),
            ["revision"] = r.Revision,
            ["current"] = r.IsCurrent,
            ["content_sha256"] = r.ContentSha256,
            ["source"] = new JsonObject { ["kind"] = r.SourceKind, ["name"] = r.SourceName },
            ["received_at"] = Time(r.ReceivedAt),
            ["successful_sessions"] = r.Policies.Sum(p => p.SuccessfulSessions),
            ["failed_sessions"] = r.Policies.Sum(p => p.FailedSessions),
            ["deviations"] = new JsonArray([.. r.Deviations.Select(d => (JsonNode)new JsonObject { ["code"] = d.Code, ["severity"] = d.Severity, ["message"] = d.Message })]),
            ["policies"] = new JsonArray([.. r.Policies.Select(p => (JsonNode)new JsonObject
            {
                ["policy_type"] = p.PolicyType,
                ["policy_domain"] = p.PolicyDomain,
                ["policy_strings"] = p.PolicyStrings is null ? null : Strings(p.PolicyStrings),
                ["mx_host"] = p.MxHosts is null ? null : Strings(p.MxHosts),
                ["sts"] = p.StsMode is null ? null : new JsonObject { ["mode"] = p.StsMode, ["max_age"] = p.StsMaxAge, ["mx"] = Strings(p.StsMx ?? []) },
                ["tlsa_records"] = p.TlsaRecords is null ? null : Strings(p.TlsaRecords),
                ["successful_sessions"] = p.SuccessfulSessions,
                ["failed_sessions"] = p.FailedSessions,
                ["failure_details"] = new JsonArray([.. p.Failures.Select(f => (JsonNode)new JsonObject
                {
                    ["result_type"] = f.ResultType,
                    ["sending_mta_ip"] = f.SendingMtaIp,
                    ["receiving_mx_hostname"] = f.ReceivingMxHostname,
                    ["receiving_mx_helo"] = f.ReceivingMxHelo,
                    ["receiving_ip"] = f.ReceivingIp,
                    ["failed_session_count"] = f.FailedSessions,
                    ["additional_information"] = f.AdditionalInformation,
                    ["failure_reason_code"] = f.FailureReasonCode,
                })]),
            })]),
        };
    }

    /// <summary>UTC time in the report JSON's format (<c>2026-01-31T00:00:00Z</c>).</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
