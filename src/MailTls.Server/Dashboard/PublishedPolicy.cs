using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Audit;
using MailTls.MtaSts;
using MailTls.Server.Policies;

namespace MailTls.Server.Dashboard;

/// <summary>
/// What a domain publishes, as the dashboard knows it: from the latest stored audit (the <c>check</c> JSON of
/// design §4: <c>mta_sts.discovery</c>, <c>mta_sts.policy.mode</c> / <c>.text</c>) — what senders see — else from the
/// policy this server itself serves for the domain.
/// </summary>
/// <param name="Source"><c>audit</c> or <c>served</c>.</param>
/// <param name="Mode">testing / enforce / none, or null when no policy is published (<see cref="Discovery"/> says why).</param>
/// <param name="Policy">The parsed policy (the MTA-STS policy parser), for readiness and the comparison with reports.</param>
/// <param name="Discovery">The audit's <c>mta_sts.discovery</c> (found, no-record, …); null for a served policy.</param>
/// <param name="At">When the audit ran; null for a served policy.</param>
public sealed record PublishedPolicy(string Source, string? Mode, StsPolicy? Policy, string? Discovery, DateTimeOffset? At)
{
    /// <summary>Reads the audit's check JSON; null when it says nothing about MTA-STS (or is not JSON).</summary>
    public static PublishedPolicy? FromAudit(AuditRecord audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        JsonNode? sts;
        try
        {
            sts = JsonNode.Parse(audit.CheckJson)?["mta_sts"];
        }
        catch (JsonException)
        {
            return null;
        }

        if (sts is not JsonObject o)
        {
            return null;
        }

        var discovery = Text(o["discovery"]);
        var policy = o["policy"] as JsonObject;
        var text = Text(policy?["text"]);
        var parsed = text is null ? null : StsPolicyParser.Parse(text).Policy;
        var mode = Text(policy?["mode"]) ?? parsed?.Mode.ToWireName();
        return new PublishedPolicy("audit", mode, parsed, discovery, audit.AuditedAt);
    }

    /// <summary>The policy this server serves for the domain, if it serves one.</summary>
    public static PublishedPolicy? FromServed(DomainPolicyStatus? served) =>
        served?.Response is { } r ? new PublishedPolicy("served", r.Policy.Mode.ToWireName(), r.Policy, null, null) : null;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
