using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Findings;

namespace MailTls.Watch;

/// <summary>
/// The JSON of an alert and of a notice (docs/watch.md "Payload"): what the webhook POSTs, what the e-mail
/// attaches and what <c>watch --json</c> prints. Keys are a contract: extend, never rename.
/// </summary>
public static class AlertPayload
{
    /// <summary>The <c>schema</c> value of a notice; a new major version only for incompatible changes.</summary>
    public const string Schema = "mailtls.watch.notice/1";

    public static JsonObject Alert(WatchAlert a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var kind = AlertKinds.Find(a.Kind);
        var definition = a.Codes.Select(FindingCatalog.Find).FirstOrDefault(d => d is not null);
        return new JsonObject
        {
            ["id"] = a.Id,
            ["domain"] = a.Domain,
            ["kind"] = a.Kind,
            ["title"] = kind?.Title ?? a.Kind,
            ["subject"] = a.Subject,
            ["severity"] = a.Severity.ToString().ToLowerInvariant(),
            ["codes"] = new JsonArray([.. a.Codes.Select(c => (JsonNode)c)]),
            ["message"] = a.Message,
            ["why"] = definition?.Why,
            ["fix"] = definition?.Fix,
            ["opened_at"] = Time(a.OpenedAt),
            ["last_seen_at"] = Time(a.LastSeenAt),
            ["resolved_at"] = a.ResolvedAt is { } r ? Time(r) : null,
            ["opened_audit_id"] = a.OpenedAuditId,
            ["resolved_audit_id"] = a.ResolvedAuditId,
        };
    }

    public static JsonObject Notice(WatchNotice n, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new JsonObject
        {
            ["schema"] = Schema,
            ["notice_id"] = n.Id,
            ["event"] = EventName(n.Event),
            ["sink"] = n.Sink,
            ["sent_at"] = Time(sentAt),
            ["alert"] = Alert(n.Alert),
        };
    }

    public static string EventName(NoticeEvent e) => e == NoticeEvent.Opened ? "opened" : "resolved";

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
