using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Dns;
using MailTls.Dns.Update;
using MailTls.Findings;

namespace MailTls.Plan;

/// <summary>
/// The JSON form of a plan (docs/plan.md): what <c>plan … --json</c> prints under <c>plan</c> and what the store keeps.
/// Keys are snake_case and stable; DNS changes are written in nsupdate syntax (<c>update delete NAME TYPE</c>,
/// <c>update add NAME TTL IN TYPE RDATA</c>), so they can be pasted into nsupdate or knsupdate.
/// </summary>
public static class PlanJson
{
    public static JsonObject Write(ChangePlan plan, IReadOnlyDictionary<int, DateTimeOffset>? earliest = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var args = new JsonObject();
        foreach (var (k, v) in plan.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            args[k] = v;
        }

        return new JsonObject
        {
            ["id"] = plan.Id,
            ["domain"] = plan.Domain,
            ["change"] = PlanNames.Of(plan.Change),
            ["arguments"] = args,
            ["created_at"] = Iso(plan.CreatedAt),
            ["zone"] = plan.Zone,
            ["servers"] = new JsonArray([.. plan.Servers.Select(s => (JsonNode)s)]),
            ["primary"] = plan.Primary,
            ["ttls"] = new JsonArray([.. plan.Ttls.Select(t => (JsonNode)new JsonObject
            {
                ["owner"] = t.Owner,
                ["type"] = DnsRecordTypeText.ToText(t.Type),
                ["ttl"] = t.Ttl,
                ["negative_ttl"] = t.NegativeTtl,
                ["horizon"] = t.Horizon,
            })]),
            ["baseline"] = new JsonObject { ["policy_sha256"] = plan.Baseline.PolicySha256, ["id"] = plan.Baseline.Id },
            ["steps"] = new JsonArray([.. plan.Steps.Select(s => (JsonNode)Step(s, earliest))]),
        };
    }

    public static JsonObject Step(PlanStep step, IReadOnlyDictionary<int, DateTimeOffset>? earliest = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        var o = new JsonObject
        {
            ["number"] = step.Number,
            ["kind"] = PlanNames.Of(step.Kind),
            ["title"] = step.Title,
            ["detail"] = step.Detail,
        };
        if (step.Dns is { } dns)
        {
            o["dns"] = new JsonObject
            {
                ["zone"] = dns.Zone,
                ["update"] = new JsonArray([.. dns.Updates.Select(u => (JsonNode)("update " + u))]),
            };
        }

        if (step.Policy is { } policy)
        {
            o["policy"] = new JsonObject { ["domain"] = policy.Domain, ["content"] = policy.Content };
        }

        if (step.Wait is { } wait)
        {
            o["wait"] = new JsonObject { ["after_step"] = wait.AfterStep, ["seconds"] = wait.Seconds, ["until_reports"] = wait.UntilReports, ["reason"] = wait.Reason };
        }

        if (earliest is not null && earliest.TryGetValue(step.Number, out var e))
        {
            o["earliest"] = Iso(e);
        }

        o["gate"] = new JsonArray([.. step.Gate.Select(g => (JsonNode)Check(g))]);
        if (step.TooEarly is not null)
        {
            o["too_early"] = step.TooEarly;
        }

        return o;
    }

    public static JsonObject Check(GateCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var o = new JsonObject { ["check"] = PlanNames.Of(check.Kind), ["description"] = check.Description };
        if (check.Effect)
        {
            o["effect"] = true;
        }

        if (check.Owner is not null)
        {
            o["owner"] = check.Owner;
        }

        if (check.Type is { } t)
        {
            o["type"] = DnsRecordTypeText.ToText(t);
        }

        if (check.Host is not null)
        {
            o["host"] = check.Host;
        }

        if (check.Value is not null)
        {
            o["value"] = check.Value;
        }

        if (check.Items.Count > 0)
        {
            o["items"] = new JsonArray([.. check.Items.Select(i => (JsonNode)i)]);
        }

        if (check.Step is { } st)
        {
            o["step"] = st;
        }

        if (check.Seconds is { } sec)
        {
            o["seconds"] = sec;
        }

        if (check.UntilReports)
        {
            o["until_reports"] = true;
        }

        if (check.Days is { } d)
        {
            o["days"] = d;
        }

        return o;
    }

    /// <summary>Reads a plan written by <see cref="Write"/>; throws <see cref="FormatException"/> for anything else.</summary>
    public static ChangePlan Read(string json, long id, IReadOnlyList<Finding>? findings = null)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("not a plan document");
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in root["arguments"]?.AsObject() ?? [])
        {
            args[k] = v?.GetValue<string>() ?? string.Empty;
        }

        return new ChangePlan
        {
            Id = id,
            Domain = Str(root, "domain"),
            Change = PlanNames.ParseChange(Str(root, "change")),
            Arguments = args,
            CreatedAt = DateTimeOffset.Parse(Str(root, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            Zone = Str(root, "zone"),
            Servers = [.. (root["servers"]?.AsArray() ?? []).Select(n => n!.GetValue<string>())],
            Primary = root["primary"]?.GetValue<string>(),
            Ttls = [.. (root["ttls"]?.AsArray() ?? []).Select(n => n!.AsObject()).Select(t => new RrsetTtl(
                Str(t, "owner"), ParseType(Str(t, "type")), t["ttl"]?.GetValue<uint>(), t["negative_ttl"]?.GetValue<uint>() ?? 0))],
            Baseline = new PolicyBaseline(root["baseline"]?["policy_sha256"]?.GetValue<string>(), root["baseline"]?["id"]?.GetValue<string>()),
            Steps = [.. (root["steps"]?.AsArray() ?? []).Select(n => ReadStep(n!.AsObject()))],
            Findings = findings ?? [],
        };
    }

    private static PlanStep ReadStep(JsonObject o)
    {
        var step = new PlanStep(o["number"]!.GetValue<int>(), PlanNames.ParseStep(Str(o, "kind")), Str(o, "title"), Str(o, "detail"))
        {
            Gate = [.. (o["gate"]?.AsArray() ?? []).Select(n => ReadCheck(n!.AsObject()))],
            TooEarly = o["too_early"]?.GetValue<string>(),
        };
        if (o["dns"] is JsonObject dns)
        {
            step = step with { Dns = new DnsChange(Str(dns, "zone"), [.. (dns["update"]?.AsArray() ?? []).Select(u => ParseUpdate(u!.GetValue<string>()))]) };
        }

        if (o["policy"] is JsonObject policy)
        {
            step = step with { Policy = new PolicyChange(Str(policy, "domain"), policy["content"]?.GetValue<string>()) };
        }

        if (o["wait"] is JsonObject wait)
        {
            step = step with
            {
                Wait = new WaitSpec(wait["after_step"]!.GetValue<int>(), wait["seconds"]!.GetValue<long>(), wait["until_reports"]?.GetValue<bool>() ?? false, wait["reason"]?.GetValue<string>() ?? string.Empty),
            };
        }

        return step;
    }

    private static GateCheck ReadCheck(JsonObject o) => new(PlanNames.ParseGate(Str(o, "check")), Str(o, "description"))
    {
        Effect = o["effect"]?.GetValue<bool>() ?? false,
        Owner = o["owner"]?.GetValue<string>(),
        Type = o["type"] is { } t ? ParseType(t.GetValue<string>()) : null,
        Host = o["host"]?.GetValue<string>(),
        Value = o["value"]?.GetValue<string>(),
        Items = [.. (o["items"]?.AsArray() ?? []).Select(n => n!.GetValue<string>())],
        Step = o["step"]?.GetValue<int>(),
        Seconds = o["seconds"]?.GetValue<long>(),
        UntilReports = o["until_reports"]?.GetValue<bool>() ?? false,
        Days = o["days"]?.GetValue<int>(),
    };

    /// <summary>Parses one nsupdate line as written by <see cref="Write"/> (<c>update add|delete …</c>).</summary>
    public static DnsUpdateOperation ParseUpdate(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.StartsWith("update ", StringComparison.Ordinal) ? line[7..] : line;
        if (text.StartsWith("add ", StringComparison.Ordinal))
        {
            var r = RecordText.Parse(text[4..]);
            return new DnsUpdateOperation.Add(r.Record ?? throw new FormatException($"bad record in '{line}': {r.Error}"));
        }

        if (text.StartsWith("delete ", StringComparison.Ordinal))
        {
            var parts = text[7..].Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2)
            {
                return new DnsUpdateOperation.DeleteRrset(parts[0].TrimEnd('.'), ParseType(parts[1]));
            }

            if (parts.Length == 3)
            {
                var r = RecordText.Parse($"{parts[0]} 0 IN {parts[1]} {parts[2]}");
                return new DnsUpdateOperation.Delete(r.Record ?? throw new FormatException($"bad record in '{line}': {r.Error}"));
            }
        }

        throw new FormatException("not an update line: " + line);
    }

    private static DnsRecordType ParseType(string text) => DnsRecordTypeText.TryParse(text, out var t) ? t : throw new FormatException("unknown type " + text);

    private static string Str(JsonObject o, string key) => o[key]?.GetValue<string>() ?? throw new FormatException("missing " + key);

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
