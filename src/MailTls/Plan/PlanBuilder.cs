using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailTls.Dns;
using MailTls.Dns.Update;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Plan;

/// <summary>What the operator asked for.</summary>
public sealed record PlanRequest(ChangeKind Change, string Domain)
{
    /// <summary>The MX host of add-mx, remove-mx, rotate-key and rotate-cert.</summary>
    public string? Host { get; init; }

    public IReadOnlyList<Uri> Rua { get; init; } = [];

    /// <summary>mx patterns of a new testing policy (default: the MX hosts).</summary>
    public IReadOnlyList<string> MxPatterns { get; init; } = [];

    public long? MaxAge { get; init; }

    /// <summary>The report window of the enforce readiness gate.</summary>
    public int Days { get; init; } = Limits.ReadinessDefaultDays;

    public ushort? Preference { get; init; }

    /// <summary>DER SubjectPublicKeyInfo of the next key (rotate-key; optional rollover partner for dane).</summary>
    public ReadOnlyMemory<byte>? NextKeySpki { get; init; }

    /// <summary>The new certificate chain, leaf first (rotate-cert).</summary>
    public IReadOnlyList<X509Certificate2> NextChain { get; init; } = [];

    /// <summary>rollback target: testing or none.</summary>
    public StsMode? RollbackTo { get; init; }

    /// <summary>TTL of records in RRsets that do not exist yet (existing RRsets keep theirs: RFC 2181 §5.2).</summary>
    public uint? Ttl { get; init; }

    /// <summary>dane: the MX hosts to publish TLSA for (default: every MX host in the zone).</summary>
    public IReadOnlyList<string> DaneHosts { get; init; } = [];
}

/// <summary>A plan, or the findings that say why there is none.</summary>
public sealed record PlanBuildResult(ChangePlan? Plan, IReadOnlyList<Finding> Findings)
{
    public bool Success => Plan is not null;
}

/// <summary>
/// Turns a change request and the current state into ordered steps (pure: no I/O, no clock but the snapshot's).
/// Each step carries the exact records (RFC 2136 operations) or policy file, the wait in front of it computed from the
/// TTLs the authoritative servers serve, and the gate that shows it done. The orderings follow RFC 8461 §3.1, §5.1,
/// §8.3 (policy before MX, id bump with every policy change, mode none before removal) and RFC 7671 §8 (a key's TLSA
/// record at least 2×TTL before the key).
/// </summary>
public static partial class PlanBuilder
{
    public static PlanBuildResult Build(PlanRequest request, PlanSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(snapshot);
        var ctx = new Context(request, snapshot);
        switch (request.Change)
        {
            case ChangeKind.TlsRpt:
                TlsRpt(ctx);
                break;
            case ChangeKind.Testing:
                Testing(ctx);
                break;
            case ChangeKind.Enforce:
                Enforce(ctx);
                break;
            case ChangeKind.Rollback:
                Rollback(ctx);
                break;
            case ChangeKind.AddMx:
                AddMx(ctx);
                break;
            case ChangeKind.RemoveMx:
                RemoveMx(ctx);
                break;
            case ChangeKind.RotateKey:
                RotateKey(ctx);
                break;
            case ChangeKind.RotateCert:
                RotateCert(ctx);
                break;
            case ChangeKind.Dane:
                Dane(ctx);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request));
        }

        if (ctx.Findings.HasErrors() || ctx.Steps.Count == 0)
        {
            if (ctx.Steps.Count == 0 && !ctx.Findings.HasErrors() && !ctx.Findings.Any(f => f.Code == PlanFindings.NothingToDo.Code))
            {
                ctx.Findings.Add(PlanFindings.NothingToDo.Create(snapshot.Domain, "The plan has no step: the domain is already in the requested state."));
            }

            return new PlanBuildResult(null, ctx.Findings);
        }

        var plan = new ChangePlan
        {
            Domain = snapshot.Domain,
            Change = request.Change,
            Arguments = ctx.Arguments,
            CreatedAt = snapshot.Now,
            Zone = snapshot.Zone,
            Servers = snapshot.Servers,
            Primary = snapshot.Primary,
            Ttls = [.. ctx.UsedTtls.Values],
            Baseline = new PolicyBaseline(snapshot.PolicySha256, snapshot.StsRecord?.Id),
            Steps = ctx.Steps,
            Findings = ctx.Findings,
        };
        return new PlanBuildResult(plan, ctx.Findings);
    }

    /// <summary>Mutable state of one build.</summary>
    private sealed class Context(PlanRequest request, PlanSnapshot snapshot)
    {
        public PlanRequest Request { get; } = request;

        public PlanSnapshot S { get; } = snapshot;

        public List<PlanStep> Steps { get; } = [];

        public List<Finding> Findings { get; } = [];

        public Dictionary<string, string> Arguments { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, RrsetTtl> UsedTtls { get; } = new(StringComparer.Ordinal);

        public string Domain => S.Domain;

        public int Add(PlanStep step)
        {
            Steps.Add(step with { Number = Steps.Count + 1 });
            return Steps.Count;
        }

        public void Fail(string message, params (string Key, string? Value)[] evidence) =>
            Findings.Add(PlanFindings.CannotPlan.Create(Domain, message, FindingList.Evidence(evidence)));

        /// <summary>The TTL facts of an RRset, remembered in the plan (they are part of its reasoning).</summary>
        public RrsetTtl Ttl(string owner, DnsRecordType type)
        {
            var t = S.Ttl(owner, type);
            UsedTtls[t.Key] = t;
            return t;
        }

        /// <summary>The TTL of new records: the RRset's own when it exists, else --ttl, else the default.</summary>
        public uint NewRecordTtl(string owner, DnsRecordType type) =>
            S.Ttl(owner, type).Ttl ?? Request.Ttl ?? Limits.PlanDefaultRecordTtl;

        public string Servers => S.Servers.Count == 0 ? "the authoritative servers" : "every authoritative server (" + string.Join(", ", S.Servers) + ")";
    }

    // ---------------------------------------------------------------- shared step makers

    private static string StsOwner(string domain) => "_mta-sts." + domain;

    private static string RptOwner(string domain) => "_smtp._tls." + domain;

    /// <summary>A TXT record in presentation form; strings longer than 255 octets are split (RFC 1035 §3.3.14).</summary>
    internal static DnsRecord Txt(string owner, uint ttl, string text)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i += 255)
        {
            var chunk = text.Substring(i, Math.Min(255, text.Length - i));
            sb.Append(sb.Length > 0 ? " " : string.Empty).Append('"').Append(chunk.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        return Record(owner, ttl, "TXT", sb.ToString());
    }

    internal static DnsRecord Record(string owner, uint ttl, string type, string rdata)
    {
        var line = $"{owner.TrimEnd('.')}. {ttl.ToString(CultureInfo.InvariantCulture)} IN {type} {rdata}";
        var parsed = RecordText.Parse(line);
        return parsed.Record ?? throw new ArgumentException($"not a record: {line} ({parsed.Error})", nameof(rdata));
    }

    /// <summary>A new policy id: the plan clock's time, different from the current one (RFC 8461 §3.1).</summary>
    private static string NewId(Context ctx, int offsetSeconds = 0)
    {
        var id = StsId.NewFromTime(ctx.S.Now.AddSeconds(offsetSeconds));
        var current = ctx.S.StsRecord?.Id;
        for (var n = 1; id == current; n++)
        {
            id = StsId.NewFromTime(ctx.S.Now.AddSeconds(offsetSeconds)) + n.ToString(CultureInfo.InvariantCulture);
        }

        return id;
    }

    /// <summary>The policy text to serve, in canonical form with CRLF (what every fetcher parses; serve's default too).</summary>
    private static (string Text, string Hash, StsPolicy Policy) PolicyText(StsMode mode, long maxAge, IEnumerable<MxPattern> mx, IEnumerable<StsExtension>? extensions)
    {
        var text = StsPolicyFormatter.Format(mode, maxAge, mx, extensions, StsLineEnding.CrLf);
        var policy = StsPolicyParser.Parse(Encoding.UTF8.GetBytes(text)).Policy ?? throw new InvalidOperationException("formatted policy does not parse");
        return (text, Hashes.Policy(policy), policy);
    }

    /// <summary>Step: write a new policy file; gate: the policy host serves exactly it.</summary>
    private static int PolicyStep(Context ctx, string title, string detail, string text, string hash, StsMode mode, bool coverMx, string? tooEarly = null)
    {
        List<GateCheck> gate =
        [
            new(GateKind.PolicyServed, $"https://mta-sts.{ctx.Domain}/.well-known/mta-sts.txt serves the new policy (mode {mode.ToWireName()}, canonical SHA-256 {hash[..16]}…)")
            {
                Effect = true,
                Value = hash,
            },
        ];
        if (coverMx)
        {
            gate.Add(new(GateKind.PolicyCoversMx, "every host of the MX RRset matches an mx pattern of the served policy (RFC 8461 §4.1)"));
        }

        return ctx.Add(new PlanStep(0, StepKind.Policy, title, detail)
        {
            Policy = new PolicyChange(ctx.Domain, text),
            Gate = gate,
            TooEarly = tooEarly,
        });
    }

    /// <summary>Step: publish <c>_mta-sts</c> with a new id (replacing the RRset); gate: every server serves it.</summary>
    private static int IdStep(Context ctx, string id, string why, string? servedHash)
    {
        var owner = StsOwner(ctx.Domain);
        var record = Txt(owner, ctx.NewRecordTtl(owner, DnsRecordType.TXT), StsRecordFormatter.Format(id));
        List<GateCheck> gate =
        [
            new(GateKind.StsId, $"{ctx.Servers} serves exactly one valid _mta-sts.{ctx.Domain} record, with id={id}") { Effect = true, Value = id },
        ];
        if (servedHash is not null)
        {
            gate.Add(new(GateKind.PolicyServed, "the policy host still serves the new policy (the id names it)") { Value = servedHash });
        }

        return ctx.Add(new PlanStep(0, StepKind.Dns, $"Publish the new policy id {id}", why)
        {
            Dns = new DnsChange(ctx.S.Zone, [new DnsUpdateOperation.DeleteRrset(owner, DnsRecordType.TXT), new DnsUpdateOperation.Add(record)]),
            Gate = gate,
            TooEarly = "the new policy id was published before the policy it names was served",
        });
    }

    /// <summary>Step: wait for an RRset's old answers to leave every cache.</summary>
    private static int CacheWait(Context ctx, int after, RrsetTtl ttl, string title, string consequence, int factor = 1)
    {
        var seconds = (long)ttl.Horizon * factor;
        var basis = ttl.Ttl is { } t
            ? $"{(factor > 1 ? factor + "×" : string.Empty)}the TTL of {ttl.Owner} {DnsRecordTypeText.ToText(ttl.Type)} ({t} s, the largest any authoritative server serves)"
            : $"{(factor > 1 ? factor + "×" : string.Empty)}the negative TTL of the zone ({ttl.NegativeTtl} s, min(SOA TTL, SOA MINIMUM), RFC 2308 §5): {ttl.Owner} {DnsRecordTypeText.ToText(ttl.Type)} did not exist, and resolvers cache that too";
        var wait = new WaitSpec(after, seconds, false, basis);
        return ctx.Add(new PlanStep(0, StepKind.Wait, title, consequence + " Wait " + Durations(seconds) + ": " + basis + ".")
        {
            Wait = wait,
            Gate = [new(GateKind.Elapsed, $"{Durations(seconds)} have passed since step {after} was done") { Step = after, Seconds = seconds }],
        });
    }

    /// <summary>A duration as "1 d 5 min", "2 h", "300 s" (exact: the largest units that divide it, then the rest).</summary>
    internal static string Durations(long seconds)
    {
        if (seconds < 60 || seconds % 60 != 0)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + " s";
        }

        var parts = new List<string>();
        foreach (var (unit, name) in new[] { (86400L, "d"), (3600L, "h"), (60L, "min") })
        {
            if (seconds >= unit)
            {
                parts.Add((seconds / unit).ToString(CultureInfo.InvariantCulture) + " " + name);
                seconds %= unit;
            }
        }

        return string.Join(" ", parts);
    }
}
