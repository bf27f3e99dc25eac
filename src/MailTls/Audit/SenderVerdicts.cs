using MailTls.MtaSts;
using MailTls.Smtp;

namespace MailTls.Audit;

/// <summary>What a sender does with mail for one MX address.</summary>
public enum SenderAction
{
    /// <summary>The mechanism does not apply (no policy, no usable TLSA).</summary>
    NotApplicable,

    Deliver,

    /// <summary>Delivers, but the check fails and a TLS-RPT report is sent (MTA-STS testing).</summary>
    DeliverWithReport,

    /// <summary>Does not deliver (defers, then bounces).</summary>
    Refuse,

    /// <summary>Not known: the address was not probed (--no-smtp, port 25 blocked here).</summary>
    Unknown,
}

/// <summary>The mechanism whose rules decide delivery (RFC 8461 §2: DANE takes precedence where usable TLSA exist).</summary>
public enum GoverningMechanism
{
    Dane,
    MtaSts,
    Opportunistic,
}

/// <summary>DANE status of an MX host as a DANE sender sees it (RFC 7672 §2.2).</summary>
public enum DaneState
{
    /// <summary>Secure proof that no TLSA exist: opportunistic TLS.</summary>
    None,

    /// <summary>Address or TLSA records are not DNSSEC-secure: TLSA ignored.</summary>
    Insecure,

    /// <summary>TLSA lookup failed or was bogus: DANE senders defer.</summary>
    LookupFailed,

    /// <summary>Secure TLSA exist but none is usable: mandatory unauthenticated TLS.</summary>
    AllUnusable,

    /// <summary>Secure usable TLSA: TLS mandatory and authenticated.</summary>
    Usable,
}

/// <summary>The verdict for one address: each kind of sender, which governs, and why.</summary>
public sealed record AddressVerdict(SenderAction MtaSts, SenderAction Dane, SenderAction Opportunistic, GoverningMechanism Governs, SenderAction Verdict, string Reason);

/// <summary>The inputs of <see cref="SenderVerdicts.Decide"/> for one address.</summary>
public sealed record VerdictInput
{
    /// <summary>Probe outcome; null when SMTP was not probed.</summary>
    public SmtpProbeOutcome? Probe { get; init; }

    /// <summary>WebPKI validity of every certificate the address presented (for the MX host name).</summary>
    public bool PkixValid { get; init; }

    /// <summary>The policy mode, or null without a valid policy.</summary>
    public StsMode? StsMode { get; init; }

    public bool CoveredByPolicy { get; init; }

    public DaneState Dane { get; init; }

    /// <summary>Every TLS session (RSA and ECDSA) matched a usable TLSA record.</summary>
    public bool DaneMatched { get; init; }

    /// <summary>DNSSEC validation of the domain or the MX host fails: validating resolvers answer SERVFAIL.</summary>
    public bool Bogus { get; init; }
}

/// <summary>
/// Sender behaviour rules: MTA-STS (RFC 8461 §4.2, §5: enforce refuses MX hosts that are not covered or fail
/// TLS/PKIX; testing delivers and reports), DANE (RFC 7672 §2.2, §3: usable TLSA make authenticated TLS mandatory,
/// all-unusable TLSA make TLS mandatory, a failed TLSA lookup defers), opportunistic TLS (RFC 3207; delivers over TLS or
/// in cleartext). Pure.
/// </summary>
public static class SenderVerdicts
{
    public static AddressVerdict Decide(VerdictInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Bogus)
        {
            return new AddressVerdict(SenderAction.Refuse, SenderAction.Refuse, SenderAction.Refuse, GoverningMechanism.Opportunistic, SenderAction.Refuse,
                "DNSSEC validation fails: validating resolvers answer SERVFAIL, so senders cannot even find the address");
        }

        var stsApplies = input.StsMode is MtaSts.StsMode.Testing or MtaSts.StsMode.Enforce;
        var daneApplies = input.Dane is DaneState.Usable or DaneState.AllUnusable or DaneState.LookupFailed;
        var daneGoverns = input.Dane is DaneState.Usable or DaneState.LookupFailed;
        var governs = daneGoverns ? GoverningMechanism.Dane : stsApplies ? GoverningMechanism.MtaSts : GoverningMechanism.Opportunistic;
        if (input.Probe is null)
        {
            var sts0 = !stsApplies ? SenderAction.NotApplicable : !input.CoveredByPolicy ? (input.StsMode == MtaSts.StsMode.Enforce ? SenderAction.Refuse : SenderAction.DeliverWithReport) : SenderAction.Unknown;
            var dane0 = !daneApplies ? SenderAction.NotApplicable : input.Dane == DaneState.LookupFailed ? SenderAction.Refuse : SenderAction.Unknown;
            var verdict0 = governs switch { GoverningMechanism.Dane => dane0, GoverningMechanism.MtaSts => sts0, _ => SenderAction.Unknown };
            return new AddressVerdict(sts0, dane0, SenderAction.Unknown, governs, verdict0, "the SMTP server was not probed");
        }

        var probe = input.Probe.Value;
        var reached = probe is SmtpProbeOutcome.TlsEstablished or SmtpProbeOutcome.StartTlsNotOffered or SmtpProbeOutcome.StartTlsRejected or SmtpProbeOutcome.HandshakeFailed;
        var tls = probe == SmtpProbeOutcome.TlsEstablished;
        var opportunistic = reached ? SenderAction.Deliver : SenderAction.Refuse;

        SenderAction sts;
        string stsWhy;
        if (!stsApplies)
        {
            sts = SenderAction.NotApplicable;
            stsWhy = "no MTA-STS policy in force";
        }
        else
        {
            var ok = input.CoveredByPolicy && tls && input.PkixValid;
            stsWhy = !input.CoveredByPolicy ? "the MX host is not covered by the policy"
                : !tls ? (reached ? "no TLS session" : "the server cannot be reached")
                : !input.PkixValid ? "the certificate fails WebPKI validation for the MX host name"
                : "covered by the policy, TLS with a valid certificate";
            sts = ok ? SenderAction.Deliver
                : !reached ? SenderAction.Refuse
                : input.StsMode == MtaSts.StsMode.Enforce ? SenderAction.Refuse : SenderAction.DeliverWithReport;
        }

        SenderAction dane;
        string daneWhy;
        switch (input.Dane)
        {
            case DaneState.Usable:
                dane = tls && input.DaneMatched ? SenderAction.Deliver : SenderAction.Refuse;
                daneWhy = !tls ? "DANE requires TLS, and there is no TLS session" : input.DaneMatched ? "a TLSA record authenticates the server" : "no TLSA record matches the certificate";
                break;
            case DaneState.AllUnusable:
                dane = tls ? SenderAction.Deliver : SenderAction.Refuse;
                daneWhy = tls ? "TLSA records are all unusable: TLS is mandatory but unauthenticated" : "TLSA records make TLS mandatory, and there is no TLS session";
                break;
            case DaneState.LookupFailed:
                dane = SenderAction.Refuse;
                daneWhy = "the TLSA lookup fails, so DANE senders defer";
                break;
            default:
                dane = SenderAction.NotApplicable;
                daneWhy = "no usable DNSSEC-secure TLSA records";
                break;
        }

        var (verdict, reason) = governs switch
        {
            GoverningMechanism.Dane => (dane, "DANE: " + daneWhy),
            GoverningMechanism.MtaSts => (sts, "MTA-STS " + (input.StsMode == MtaSts.StsMode.Enforce ? "enforce" : "testing") + ": " + stsWhy),
            _ => (opportunistic, reached ? (tls ? "opportunistic TLS" : "opportunistic: delivered in cleartext") : "the server cannot be reached"),
        };
        return new AddressVerdict(sts, dane, opportunistic, governs, verdict, reason);
    }

    /// <summary>The worst of several actions (Refuse &gt; Unknown &gt; DeliverWithReport &gt; Deliver &gt; NotApplicable).</summary>
    public static SenderAction Worst(IEnumerable<SenderAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var rank = new Dictionary<SenderAction, int>
        {
            [SenderAction.NotApplicable] = 0,
            [SenderAction.Deliver] = 1,
            [SenderAction.DeliverWithReport] = 2,
            [SenderAction.Unknown] = 3,
            [SenderAction.Refuse] = 4,
        };
        return actions.DefaultIfEmpty(SenderAction.Unknown).MaxBy(a => rank[a]);
    }

    public static string Name(SenderAction a) => a switch
    {
        SenderAction.Deliver => "deliver",
        SenderAction.DeliverWithReport => "deliver-with-report",
        SenderAction.Refuse => "refuse",
        SenderAction.Unknown => "unknown",
        _ => "not-applicable",
    };

    public static string Name(GoverningMechanism g) => g switch
    {
        GoverningMechanism.Dane => "dane",
        GoverningMechanism.MtaSts => "mta-sts",
        _ => "opportunistic",
    };
}
