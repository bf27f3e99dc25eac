using System.Text.Json;
using MailTls.Findings;

namespace MailTls.TlsRpt;

/// <summary>Maps a parsed JSON document onto the report model, one object at a time, recording deviations.</summary>
internal sealed partial class TlsRptJsonMapper(List<Finding> findings, string subject)
{
    private readonly List<Finding> findings = findings;
    private readonly string subject = subject;

    private static readonly string[] ReportKeys = ["organization-name", "date-range", "contact-info", "report-id", "policies"];
    private static readonly string[] PolicyReportKeys = ["policy", "summary", "failure-details"];
    private static readonly string[] PolicyKeys = ["policy-type", "policy-string", "policy-domain", "mx-host", "mx-host-pattern"];
    private static readonly string[] SummaryKeys = ["total-successful-session-count", "total-failure-session-count"];
    private static readonly string[] DateKeys = ["start-datetime", "end-datetime"];

    private static readonly string[] DetailKeys =
    [
        "result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
        "failed-session-count", "additional-information", "additional-info-uri", "failure-reason-code",
    ];

    public TlsRptReport? ReadReport(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            findings.Add(TlsRptFindings.ReportNotObject.Create(subject, $"The top-level JSON value is {Kind(root)}, not an object.",
                Ev("$")));
            return null;
        }

        var props = Properties(root, "", ReportKeys);
        if (!props.TryGetValue("policies", out var policiesElement) || policiesElement.ValueKind != JsonValueKind.Array)
        {
            var what = props.ContainsKey("policies") ? $"is {Kind(policiesElement)}, not an array" : "is missing";
            findings.Add(TlsRptFindings.ReportMissingPolicies.Create(subject, $"\"policies\" {what}.", Ev("policies")));
            return null;
        }

        var organizationName = RequiredString(props, "organization-name", "");
        var dateRange = ReadDateRange(props);
        string? contactInfo = null;
        if (props.TryGetValue("contact-info", out var ci) && ci.ValueKind == JsonValueKind.String)
        {
            contactInfo = ci.GetString();
        }
        else if (ci.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            findings.Add(TlsRptFindings.ReportMissingContactInfo.Create(subject,
                ci.ValueKind == JsonValueKind.Null ? "\"contact-info\" is null." : "\"contact-info\" is missing.", Ev("contact-info")));
        }
        else
        {
            WrongType("contact-info", ci, "a string");
        }

        var reportId = RequiredString(props, "report-id", "");
        var policies = new List<TlsRptPolicyReport>();
        var index = 0;
        foreach (var element in policiesElement.EnumerateArray())
        {
            var path = $"policies[{index++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                WrongType(path, element, "an object");
                continue;
            }

            policies.Add(ReadPolicyReport(element, path));
        }

        if (index == 0)
        {
            findings.Add(TlsRptFindings.ReportEmptyPolicies.Create(subject, "\"policies\" is an empty array.", Ev("policies")));
        }

        return new TlsRptReport
        {
            OrganizationName = organizationName,
            DateRange = dateRange,
            ContactInfo = contactInfo,
            ReportId = reportId,
            Policies = policies,
            UnknownFields = Unknown(props, ReportKeys, ""),
        };
    }

    private TlsRptDateRange? ReadDateRange(JsonProps props)
    {
        if (!props.TryGetValue("date-range", out var dr))
        {
            findings.Add(TlsRptFindings.ReportMissingField.Create(subject, "\"date-range\" is missing.", Ev("date-range")));
            return null;
        }

        if (dr.ValueKind != JsonValueKind.Object)
        {
            WrongType("date-range", dr, "an object");
            return null;
        }

        var p = Properties(dr, "date-range", DateKeys);
        Unknown(p, DateKeys, "date-range");
        var start = ReadDate(p, "start-datetime");
        var end = ReadDate(p, "end-datetime");
        if (start is null || end is null)
        {
            return null;
        }

        var s = start.Value.ToUniversalTime();
        var e = end.Value.ToUniversalTime();
        if (e < s)
        {
            findings.Add(TlsRptFindings.ReportDateRangeNotDay.Create(subject, "end-datetime is before start-datetime.", Ev("date-range")));
        }
        else if (s.TimeOfDay != TimeSpan.Zero || (e != s.AddDays(1) && e != s.AddDays(1).AddSeconds(-1)))
        {
            findings.Add(TlsRptFindings.ReportDateRangeNotDay.Create(subject,
                $"The date-range {Rfc3339.Format(s)} – {Rfc3339.Format(e)} is not one UTC day (00:00 to 23:59:59 or to the next 00:00).",
                Ev("date-range")));
        }

        return new TlsRptDateRange(start.Value, end.Value);
    }

    private DateTimeOffset? ReadDate(JsonProps p, string key)
    {
        var path = "date-range." + key;
        var text = RequiredString(p, key, "date-range.");
        if (text is null)
        {
            return null;
        }

        if (!Rfc3339.TryParse(text, out var value, out var hasOffset))
        {
            findings.Add(TlsRptFindings.ReportDateInvalid.Create(subject, $"\"{text}\" is not an RFC 3339 date-time.", Ev(path, text)));
            return null;
        }

        if (!hasOffset)
        {
            findings.Add(TlsRptFindings.ReportDateNoTimeZone.Create(subject, $"\"{text}\" has no time zone; read as UTC.", Ev(path, text)));
        }

        return value;
    }

    private TlsRptPolicyReport ReadPolicyReport(JsonElement element, string path)
    {
        var p = Properties(element, path, PolicyReportKeys);
        var policy = new TlsRptPolicy();
        if (!p.TryGetValue("policy", out var pe))
        {
            findings.Add(TlsRptFindings.ReportMissingField.Create(subject, "\"policy\" is missing.", Ev(path + ".policy")));
        }
        else if (pe.ValueKind != JsonValueKind.Object)
        {
            WrongType(path + ".policy", pe, "an object");
        }
        else
        {
            policy = ReadPolicy(pe, path + ".policy");
        }

        var summary = new TlsRptSummary();
        if (!p.TryGetValue("summary", out var se))
        {
            findings.Add(TlsRptFindings.ReportMissingField.Create(subject, "\"summary\" is missing.", Ev(path + ".summary")));
        }
        else if (se.ValueKind != JsonValueKind.Object)
        {
            WrongType(path + ".summary", se, "an object");
        }
        else
        {
            var sp = Properties(se, path + ".summary", SummaryKeys);
            summary = new TlsRptSummary
            {
                TotalSuccessfulSessionCount = Count(sp, "total-successful-session-count", path + ".summary."),
                TotalFailureSessionCount = Count(sp, "total-failure-session-count", path + ".summary."),
                UnknownFields = Unknown(sp, SummaryKeys, path + ".summary"),
            };
        }

        List<TlsRptFailureDetail>? details = null;
        if (p.TryGetValue("failure-details", out var fe))
        {
            if (fe.ValueKind == JsonValueKind.Array)
            {
                details = [];
                var i = 0;
                foreach (var d in fe.EnumerateArray())
                {
                    var dpath = $"{path}.failure-details[{i++}]";
                    if (d.ValueKind != JsonValueKind.Object)
                    {
                        WrongType(dpath, d, "an object");
                        continue;
                    }

                    details.Add(ReadDetail(d, dpath));
                }

                if (details.Count > 0)
                {
                    var sum = details.Aggregate(0L, (a, d) => a > long.MaxValue - d.FailedSessionCount ? long.MaxValue : a + d.FailedSessionCount);
                    if (sum != summary.TotalFailureSessionCount)
                    {
                        findings.Add(TlsRptFindings.ReportCountsMismatch.Create(subject,
                            $"failure-details add up to {sum} failed sessions, but total-failure-session-count is {summary.TotalFailureSessionCount}.",
                            Ev(path + ".summary.total-failure-session-count")));
                    }
                }
            }
            else if (fe.ValueKind != JsonValueKind.Null)
            {
                WrongType(path + ".failure-details", fe, "an array");
            }
        }

        return new TlsRptPolicyReport
        {
            Policy = policy,
            Summary = summary,
            FailureDetails = details,
            UnknownFields = Unknown(p, PolicyReportKeys, path),
        };
    }

    private TlsRptPolicy ReadPolicy(JsonElement element, string path)
    {
        var p = Properties(element, path, PolicyKeys);
        var rawType = RequiredString(p, "policy-type", path + ".");
        var type = TlsRptWireNames.ParsePolicyType(rawType);
        if (rawType is not null && type == TlsRptPolicyType.Unknown)
        {
            findings.Add(TlsRptFindings.ReportUnknownPolicyType.Create(subject, $"policy-type \"{rawType}\" is not tlsa, sts or no-policy-found.",
                Ev(path + ".policy-type", rawType)));
        }

        var policyString = ReadPolicyString(p, path);
        if (policyString is null && type is TlsRptPolicyType.Sts or TlsRptPolicyType.Tlsa)
        {
            findings.Add(TlsRptFindings.ReportMissingPolicyString.Create(subject, $"The {rawType} policy has no policy-string.",
                Ev(path + ".policy-string")));
        }

        string? domain = null;
        if (!p.TryGetValue("policy-domain", out var de) || de.ValueKind == JsonValueKind.Null)
        {
            findings.Add(TlsRptFindings.ReportMissingPolicyDomain.Create(subject, "The policy has no policy-domain.", Ev(path + ".policy-domain")));
        }
        else if (de.ValueKind != JsonValueKind.String)
        {
            WrongType(path + ".policy-domain", de, "a string");
        }
        else
        {
            domain = de.GetString();
        }

        var mx = ReadMxHost(p, path);
        var consumed = p.ContainsKey("mx-host") ? PolicyKeys[..4] : PolicyKeys;
        return new TlsRptPolicy
        {
            RawPolicyType = rawType,
            PolicyString = policyString,
            PolicyDomain = domain,
            MxHost = mx,
            UnknownFields = Unknown(p, consumed, path),
        };
    }

    private List<string>? ReadPolicyString(JsonProps p, string path)
    {
        var kpath = path + ".policy-string";
        if (!p.TryGetValue("policy-string", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        List<string>? list;
        if (e.ValueKind == JsonValueKind.String)
        {
            findings.Add(TlsRptFindings.ReportPolicyStringNotArray.Create(subject, "policy-string is a string, not an array of strings.", Ev(kpath)));
            list = [e.GetString()!];
        }
        else
        {
            list = StringArray(e, kpath);
            if (list is null)
            {
                return null;
            }
        }

        // Microsoft: ["[\"3 1 1 …\",\"3 1 1 …\"]"] (notes Q3).
        // Unwrap repeatedly (each step is shorter) so that reading the written value again is stable.
        var wasWrapped = false;
        while (list.Count == 1 && list[0].TrimStart().StartsWith('[') && TryUnwrapJsonArray(list[0]) is { } unwrapped)
        {
            list = unwrapped;
            wasWrapped = true;
        }

        if (wasWrapped)
        {
            findings.Add(TlsRptFindings.ReportPolicyStringJson.Create(subject,
                $"policy-string holds one string containing a JSON array of {list.Count} entries; it was unwrapped.", Ev(kpath + "[0]")));
        }

        return list;
    }

    private static List<string>? TryUnwrapJsonArray(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = Limits.JsonMaxDepth });
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var result = new List<string>();
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                result.Add(item.GetString()!);
            }

            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a lone surrogate escape inside the embedded JSON.
            return null;
        }
    }

    private List<string>? ReadMxHost(JsonProps p, string path)
    {
        var key = "mx-host";
        if (!p.TryGetValue(key, out var e))
        {
            if (!p.TryGetValue("mx-host-pattern", out e))
            {
                return null;
            }

            key = "mx-host-pattern";
            findings.Add(TlsRptFindings.ReportKeySpelling.Create(subject, "The key \"mx-host-pattern\" is used instead of \"mx-host\".",
                Ev(path + ".mx-host-pattern")));
        }

        var kpath = $"{path}.{key}";
        List<string>? list;
        if (e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.String)
        {
            findings.Add(TlsRptFindings.ReportMxHostString.Create(subject, "mx-host is a single string; erratum 6241 makes it an array.", Ev(kpath)));
            list = [e.GetString()!];
        }
        else
        {
            list = StringArray(e, kpath);
            if (list is null)
            {
                return null;
            }
        }

        for (var i = 0; i < list.Count; i++)
        {
            var v = list[i];
            if (v.StartsWith("mx:", StringComparison.OrdinalIgnoreCase))
            {
                // Strip every repetition so that reading the written value again is stable.
                var stripped = v;
                while (stripped.StartsWith("mx:", StringComparison.OrdinalIgnoreCase))
                {
                    stripped = stripped[3..].Trim(' ', '\t');
                }

                list[i] = stripped;
                findings.Add(TlsRptFindings.ReportMxHostPrefix.Create(subject, $"mx-host value \"{v}\" keeps the \"mx:\" prefix; it was stripped.",
                    Ev(e.ValueKind == JsonValueKind.Array ? $"{kpath}[{i}]" : kpath, v)));
            }
        }

        return list;
    }

    private TlsRptFailureDetail ReadDetail(JsonElement element, string path)
    {
        var p = Properties(element, path, DetailKeys);
        var rawType = RequiredString(p, "result-type", path + ".");
        if (rawType is not null && TlsRptWireNames.ParseResultType(rawType) == TlsRptResultType.Unknown)
        {
            findings.Add(TlsRptFindings.ReportUnknownResultType.Create(subject, $"result-type \"{rawType}\" is not a registered type.",
                Ev(path + ".result-type", rawType)));
        }

        var sendingIp = OptionalString(p, "sending-mta-ip", path);
        var receivingIp = OptionalString(p, "receiving-ip", path);
        CheckIp(sendingIp, path + ".sending-mta-ip");
        CheckIp(receivingIp, path + ".receiving-ip");
        var mxHostname = OptionalString(p, "receiving-mx-hostname", path);
        var missing = new List<string>();
        if (sendingIp is null)
        {
            missing.Add("sending-mta-ip");
        }

        if (mxHostname is null)
        {
            missing.Add("receiving-mx-hostname");
        }

        if (missing.Count > 0)
        {
            findings.Add(TlsRptFindings.ReportMissingEndpoint.Create(subject,
                $"The {rawType ?? "failure"} detail has no {string.Join(" or ", missing)}.", Ev(path)));
        }

        var info = OptionalString(p, "additional-information", path);
        var consumed = DetailKeys;
        if (p.ContainsKey("additional-information"))
        {
            consumed = [.. DetailKeys.Where(k => k != "additional-info-uri")];
        }
        else if (p.ContainsKey("additional-info-uri"))
        {
            findings.Add(TlsRptFindings.ReportKeySpelling.Create(subject,
                "The key \"additional-info-uri\" is used instead of \"additional-information\".", Ev(path + ".additional-info-uri")));
            info = OptionalString(p, "additional-info-uri", path);
        }

        return new TlsRptFailureDetail
        {
            RawResultType = rawType,
            SendingMtaIp = sendingIp,
            ReceivingMxHostname = mxHostname,
            ReceivingMxHelo = OptionalString(p, "receiving-mx-helo", path),
            ReceivingIp = receivingIp,
            FailedSessionCount = Count(p, "failed-session-count", path + "."),
            AdditionalInformation = info,
            FailureReasonCode = OptionalString(p, "failure-reason-code", path),
            UnknownFields = Unknown(p, consumed, path),
        };
    }
}
