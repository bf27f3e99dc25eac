using MailTls.Dns;
using MailTls.Dns.Update;
using MailTls.Findings;

namespace MailTls.Plan;

/// <summary>The changes <c>mailtls plan</c> choreographs.</summary>
public enum ChangeKind
{
    /// <summary>Turn on TLS-RPT (RFC 8460 §3).</summary>
    TlsRpt = 0,

    /// <summary>MTA-STS in testing mode (RFC 8461 §5).</summary>
    Testing = 1,

    /// <summary>testing → enforce.</summary>
    Enforce = 2,

    AddMx = 3,
    RemoveMx = 4,

    /// <summary>DANE "current + next" key rollover (RFC 7671 §8.1).</summary>
    RotateKey = 5,

    /// <summary>Certificate renewal or replacement on an MX host.</summary>
    RotateCert = 6,

    /// <summary>First TLSA publication (RFC 7672).</summary>
    Dane = 7,

    /// <summary>enforce → testing, or MTA-STS off (RFC 8461 §8.3).</summary>
    Rollback = 8,
}

/// <summary>What a step asks for.</summary>
public enum StepKind
{
    /// <summary>A DNS change (RFC 2136 update of the zone); <c>--apply</c> sends it.</summary>
    Dns = 0,

    /// <summary>A new policy file for the policy host; <c>--apply</c> writes it.</summary>
    Policy = 1,

    /// <summary>Something only the operator can do (deploy a key or certificate, stop a server).</summary>
    Manual = 2,

    /// <summary>Wait until caches have expired: nothing to do, the step completes by itself.</summary>
    Wait = 3,

    /// <summary>A condition of the world that must hold before going on (reports, a clean audit).</summary>
    Verify = 4,
}

/// <summary>Wire names of the plan enums (CLI arguments, JSON, the store).</summary>
public static class PlanNames
{
    public static string Of(ChangeKind change) => change switch
    {
        ChangeKind.TlsRpt => "tlsrpt",
        ChangeKind.Testing => "testing",
        ChangeKind.Enforce => "enforce",
        ChangeKind.AddMx => "add-mx",
        ChangeKind.RemoveMx => "remove-mx",
        ChangeKind.RotateKey => "rotate-key",
        ChangeKind.RotateCert => "rotate-cert",
        ChangeKind.Dane => "dane",
        ChangeKind.Rollback => "rollback",
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    public static ChangeKind ParseChange(string text) =>
        Enum.GetValues<ChangeKind>().FirstOrDefault(c => Of(c) == text, (ChangeKind)(-1)) is var c && Enum.IsDefined(c)
            ? c : throw new FormatException("unknown change " + text);

    public static string Of(StepKind kind) => kind.ToString().ToLowerInvariant();

    public static StepKind ParseStep(string text) => Enum.Parse<StepKind>(text, ignoreCase: true);

    public static string Of(GateKind kind) => kind switch
    {
        GateKind.RrsetHas => "rrset-has",
        GateKind.RrsetLacks => "rrset-lacks",
        GateKind.StsId => "sts-id",
        GateKind.StsAbsent => "sts-absent",
        GateKind.TlsRpt => "tlsrpt-record",
        GateKind.PolicyServed => "policy-served",
        GateKind.PolicyNotServed => "policy-not-served",
        GateKind.PolicyCoversMx => "policy-covers-mx",
        GateKind.PresentedKey => "presented-key",
        GateKind.PresentedCert => "presented-cert",
        GateKind.TlsaMatches => "tlsa-matches",
        GateKind.MxDelivers => "mx-delivers",
        GateKind.Readiness => "readiness",
        GateKind.ReportsSeen => "reports-seen",
        GateKind.Elapsed => "elapsed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static GateKind ParseGate(string text) =>
        Enum.GetValues<GateKind>().FirstOrDefault(k => Of(k) == text, (GateKind)(-1)) is var k && Enum.IsDefined(k)
            ? k : throw new FormatException("unknown gate check " + text);
}

/// <summary>The kinds of gate check (evaluated by <see cref="GateEvaluator"/>).</summary>
public enum GateKind
{
    /// <summary>Every authoritative server serves each of <see cref="GateCheck.Items"/> at Owner/Type.</summary>
    RrsetHas = 0,

    /// <summary>No authoritative server serves any of <see cref="GateCheck.Items"/> (none listed: the RRset is gone).</summary>
    RrsetLacks = 1,

    /// <summary>Every authoritative server's <c>_mta-sts</c> TXT is one valid record with id <see cref="GateCheck.Value"/> (RFC 8461 §3.1).</summary>
    StsId = 2,

    /// <summary>No authoritative server publishes an <c>_mta-sts</c> record.</summary>
    StsAbsent = 3,

    /// <summary>Every authoritative server's <c>_smtp._tls</c> TXT is one valid record with exactly the rua URIs in Items.</summary>
    TlsRpt = 4,

    /// <summary>The policy host serves a valid policy whose canonical SHA-256 is <see cref="GateCheck.Value"/>.</summary>
    PolicyServed = 5,

    /// <summary>The policy host serves no valid policy.</summary>
    PolicyNotServed = 6,

    /// <summary>Every MX host of the authoritative MX RRset matches a pattern of the served policy (RFC 8461 §4.1).</summary>
    PolicyCoversMx = 7,

    /// <summary>Every address of Host presents, over STARTTLS, a leaf whose SPKI SHA-256 is <see cref="GateCheck.Value"/>.</summary>
    PresentedKey = 8,

    /// <summary>Every address of Host presents the leaf certificate whose SHA-256 is <see cref="GateCheck.Value"/>.</summary>
    PresentedCert = 9,

    /// <summary>Host's TLSA RRset is DNSSEC-secure and authenticates the chain every address presents (RFC 7672).</summary>
    TlsaMatches = 10,

    /// <summary>Senders deliver to Host (or to every MX without Host) without a failure: STARTTLS, certificate, policy, DANE.</summary>
    MxDelivers = 11,

    /// <summary><c>reports readiness</c> over <see cref="GateCheck.Days"/> days says ready for enforce.</summary>
    Readiness = 12,

    /// <summary>TLS-RPT reports about the domain (of policy type Value, if given) arrived after step <see cref="GateCheck.Step"/> was done.</summary>
    ReportsSeen = 13,

    /// <summary>The wait after step <see cref="GateCheck.Step"/> has passed (plan clock).</summary>
    Elapsed = 14,
}

/// <summary>
/// One check of a step's gate. <see cref="Effect"/> marks the checks that observe the step's own change: seeing them
/// hold while an earlier step is unfinished means the steps were done out of order.
/// </summary>
public sealed record GateCheck(GateKind Kind, string Description)
{
    public bool Effect { get; init; }

    public string? Owner { get; init; }

    public DnsRecordType? Type { get; init; }

    public string? Host { get; init; }

    /// <summary>Id, hash, policy type — per kind.</summary>
    public string? Value { get; init; }

    /// <summary>RDATA in presentation form, or rua URIs.</summary>
    public IReadOnlyList<string> Items { get; init; } = [];

    public int? Step { get; init; }

    public long? Seconds { get; init; }

    public bool UntilReports { get; init; }

    public int? Days { get; init; }
}

/// <summary>A DNS change of the zone, as RFC 2136 operations (written in nsupdate syntax in plans).</summary>
public sealed record DnsChange(string Zone, IReadOnlyList<DnsUpdateOperation> Updates);

/// <summary>The policy file content to serve (<see cref="Content"/> null: stop serving the policy).</summary>
public sealed record PolicyChange(string Domain, string? Content);

/// <summary>
/// A wait: the step may complete <see cref="Seconds"/> after step <see cref="AfterStep"/> was done, or — with
/// <see cref="UntilReports"/> — once the first full UTC day of reports after it can have been delivered.
/// </summary>
public sealed record WaitSpec(int AfterStep, long Seconds, bool UntilReports, string Reason);

/// <summary>One numbered step of a plan.</summary>
public sealed record PlanStep(int Number, StepKind Kind, string Title, string Detail)
{
    public DnsChange? Dns { get; init; }

    public PolicyChange? Policy { get; init; }

    public WaitSpec? Wait { get; init; }

    public IReadOnlyList<GateCheck> Gate { get; init; } = [];

    /// <summary>What it means when this step's change is seen before its turn (e.g. "MX published before the policy lists it").</summary>
    public string? TooEarly { get; init; }

    public bool IsAction => Kind is StepKind.Dns or StepKind.Policy or StepKind.Manual;
}

/// <summary>A TTL the plan's times were computed from: the largest any authoritative server serves, or the negative TTL.</summary>
public sealed record RrsetTtl(string Owner, DnsRecordType Type, uint? Ttl, uint NegativeTtl)
{
    /// <summary>How long a resolver may keep answering from its cache what it saw before a change of this RRset.</summary>
    public uint Horizon => Ttl ?? NegativeTtl;

    public string Key => Keyed(Owner, Type);

    public static string Keyed(string owner, DnsRecordType type) => owner.TrimEnd('.').ToLowerInvariant() + " " + DnsRecordTypeText.ToText(type);
}

/// <summary>The policy as it was when the plan was made (for the "content changed but id did not" check).</summary>
public sealed record PolicyBaseline(string? PolicySha256, string? Id);

/// <summary>A change plan: ordered steps with exact records and files, waits and gates.</summary>
public sealed record ChangePlan
{
    /// <summary>Row id once stored (0 before).</summary>
    public long Id { get; init; }

    public required string Domain { get; init; }

    public required ChangeKind Change { get; init; }

    /// <summary>The arguments that shaped the plan (host, rua, mx, max_age, next key…), for display.</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = new Dictionary<string, string>();

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Zone { get; init; }

    /// <summary>The authoritative servers checked (name and address).</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];

    /// <summary>Where dynamic updates go (the SOA MNAME or --primary).</summary>
    public string? Primary { get; init; }

    public IReadOnlyList<RrsetTtl> Ttls { get; init; } = [];

    public PolicyBaseline Baseline { get; init; } = new(null, null);

    public required IReadOnlyList<PlanStep> Steps { get; init; }

    /// <summary>Warnings found while planning (e.g. a new certificate whose key no TLSA record covers).</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];
}

/// <summary>Where a stored plan stands: per step, when it was seen done and when <c>--apply</c> performed it.</summary>
public sealed record StepProgress(int Number, DateTimeOffset? DoneAt, DateTimeOffset? AppliedAt);

/// <summary>The life of a stored plan.</summary>
public enum PlanState
{
    Active = 0,
    Complete = 1,
    Cancelled = 2,
}
