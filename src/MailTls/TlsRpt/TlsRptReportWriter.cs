using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MailTls.TlsRpt;

/// <summary>
/// Writes a report as RFC 8460 §4.4 JSON: the §4.4 key names, <c>mx-host</c> as an array (erratum EID 6241),
/// <c>policy-string</c> as an array of strings, optional fields omitted when null, and unknown fields written back
/// verbatim. <see cref="TlsRptReportReader"/> reads the output back to an equal model.
/// </summary>
public static class TlsRptReportWriter
{
    public static string ToJson(TlsRptReport report, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            WriteOptional(w, "organization-name", report.OrganizationName);
            if (report.DateRange is { } dr)
            {
                w.WriteStartObject("date-range");
                w.WriteString("start-datetime", Rfc3339.Format(dr.StartDatetime));
                w.WriteString("end-datetime", Rfc3339.Format(dr.EndDatetime));
                w.WriteEndObject();
            }

            WriteOptional(w, "contact-info", report.ContactInfo);
            WriteOptional(w, "report-id", report.ReportId);
            w.WriteStartArray("policies");
            foreach (var p in report.Policies)
            {
                WritePolicyReport(w, p);
            }

            w.WriteEndArray();
            WriteUnknown(w, report.UnknownFields);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The report as gzip-compressed JSON, the form RFC 8460 §5.2 says SHOULD be sent.</summary>
    public static byte[] ToGzip(TlsRptReport report)
    {
        var json = Encoding.UTF8.GetBytes(ToJson(report));
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }

    private static void WritePolicyReport(Utf8JsonWriter w, TlsRptPolicyReport p)
    {
        w.WriteStartObject();
        var policy = p.Policy;
        w.WriteStartObject("policy");
        WriteOptional(w, "policy-type", policy.RawPolicyType);
        WriteStrings(w, "policy-string", policy.PolicyString);
        WriteOptional(w, "policy-domain", policy.PolicyDomain);
        WriteStrings(w, "mx-host", policy.MxHost);
        WriteUnknown(w, policy.UnknownFields);
        w.WriteEndObject();

        w.WriteStartObject("summary");
        w.WriteNumber("total-successful-session-count", p.Summary.TotalSuccessfulSessionCount);
        w.WriteNumber("total-failure-session-count", p.Summary.TotalFailureSessionCount);
        WriteUnknown(w, p.Summary.UnknownFields);
        w.WriteEndObject();

        if (p.FailureDetails is { } details)
        {
            w.WriteStartArray("failure-details");
            foreach (var d in details)
            {
                w.WriteStartObject();
                WriteOptional(w, "result-type", d.RawResultType);
                WriteOptional(w, "sending-mta-ip", d.SendingMtaIp);
                WriteOptional(w, "receiving-mx-hostname", d.ReceivingMxHostname);
                WriteOptional(w, "receiving-mx-helo", d.ReceivingMxHelo);
                WriteOptional(w, "receiving-ip", d.ReceivingIp);
                w.WriteNumber("failed-session-count", d.FailedSessionCount);
                WriteOptional(w, "additional-information", d.AdditionalInformation);
                WriteOptional(w, "failure-reason-code", d.FailureReasonCode);
                WriteUnknown(w, d.UnknownFields);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        WriteUnknown(w, p.UnknownFields);
        w.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteUnknown(Utf8JsonWriter w, IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (name, raw) in fields)
        {
            w.WritePropertyName(name);
            w.WriteRawValue(raw);
        }
    }
}
