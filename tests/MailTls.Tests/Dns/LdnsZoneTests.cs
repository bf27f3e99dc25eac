using MailTls.Dns;
using MailTls.Dns.Dnssec;

namespace MailTls.Tests.Dns;

/// <summary>
/// Zones signed offline by a real signer (ldns-signzone; see TestData/Dns/make-zones.sh): a cross-check of our
/// canonical form, key tags, DS digests, NSEC3 hashing and proofs against independent code.
/// root RSASHA256 + NSEC → tld. ECDSAP256 + NSEC3 opt-out (salt, 1 iteration) → signed.tld. Ed25519 + NSEC3,
/// nsec.tld. ECDSAP384 + NSEC; unsigned.tld. is delegated without DS.
/// </summary>
public sealed class LdnsZoneTests
{
    private static readonly DateTimeOffset Inside = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static (DnssecValidator Validator, FixedTime Clock) Create()
    {
        var server = new ZoneServer(
        [
            (".", ZoneServer.LoadFile("Dns", "root.signed")),
            ("tld", ZoneServer.LoadFile("Dns", "tld.signed")),
            ("signed.tld", ZoneServer.LoadFile("Dns", "signed.tld.signed")),
            ("nsec.tld", ZoneServer.LoadFile("Dns", "nsec.tld.signed")),
            ("unsigned.tld", ZoneServer.LoadFile("Dns", "unsigned.tld.zone")),
        ]);
        var anchors = TrustAnchors.Load(File.ReadAllText(TestPaths.TestData("Dns", "root-anchor.ds")));
        Assert.True(anchors.Success, string.Join("; ", anchors.Errors));
        var clock = new FixedTime(Inside);
        return (new DnssecValidator(server, anchors.Anchors, clock), clock);
    }

    public static TheoryData<string, DnsRecordType, DnsAnswerStatus, DnssecStatus> Cases => new()
    {
        { "signed.tld", DnsRecordType.MX, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "mail.signed.tld", DnsRecordType.A, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "mail.signed.tld", DnsRecordType.AAAA, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "_25._tcp.mail.signed.tld", DnsRecordType.TLSA, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "alias.signed.tld", DnsRecordType.A, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "host.wild.signed.tld", DnsRecordType.A, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "nope.signed.tld", DnsRecordType.A, DnsAnswerStatus.NxDomain, DnssecStatus.Secure },
        { "signed.tld", DnsRecordType.TXT, DnsAnswerStatus.NoData, DnssecStatus.Secure },
        { "_25._tcp.signed.tld", DnsRecordType.TLSA, DnsAnswerStatus.NxDomain, DnssecStatus.Secure },
        { "host.wild.signed.tld", DnsRecordType.MX, DnsAnswerStatus.NoData, DnssecStatus.Secure },
        { "signed.tld", DnsRecordType.DS, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "nsec.tld", DnsRecordType.MX, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "nope.nsec.tld", DnsRecordType.A, DnsAnswerStatus.NxDomain, DnssecStatus.Secure },
        { "b.nsec.tld", DnsRecordType.TXT, DnsAnswerStatus.NoData, DnssecStatus.Secure },
        { "a.b.nsec.tld", DnsRecordType.TXT, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "x.wild.nsec.tld", DnsRecordType.MX, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "mx.nsec.tld", DnsRecordType.TLSA, DnsAnswerStatus.NoData, DnssecStatus.Secure },
        { "unsigned.tld", DnsRecordType.MX, DnsAnswerStatus.Answer, DnssecStatus.Insecure },
        { "mx.unsigned.tld", DnsRecordType.A, DnsAnswerStatus.Answer, DnssecStatus.Insecure },
        { "unsigned.tld", DnsRecordType.DS, DnsAnswerStatus.NoData, DnssecStatus.Secure },
        { "tld", DnsRecordType.DNSKEY, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { ".", DnsRecordType.SOA, DnsAnswerStatus.Answer, DnssecStatus.Secure },
        { "nope.", DnsRecordType.A, DnsAnswerStatus.NxDomain, DnssecStatus.Secure },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Verdicts_on_ldns_signed_zones(string name, DnsRecordType type, DnsAnswerStatus answer, DnssecStatus status)
    {
        var (validator, _) = Create();
        var result = await validator.ValidateAsync(name, type);

        Assert.Equal(answer, result.Answer.Status);
        Assert.True(status == result.Status, $"{result.Status} {result.Failure}: {result.Message}");
    }

    [Fact]
    public async Task Insecure_delegation_names_the_cut()
    {
        var (validator, _) = Create();
        var result = await validator.ValidateAsync("mx.unsigned.tld", DnsRecordType.A);

        Assert.Equal(DnssecStatus.Insecure, result.Status);
        Assert.Equal("unsigned.tld", result.InsecureCut);
    }

    [Fact]
    public async Task Chain_trace_has_each_zone_with_its_algorithm()
    {
        var (validator, _) = Create();
        var result = await validator.ValidateAsync("_25._tcp.mail.signed.tld", DnsRecordType.TLSA);

        var keySteps = result.Steps.Where(s => s.Kind is DnssecStepKind.TrustAnchor or DnssecStepKind.Dnskey).ToList();
        Assert.Equal([".", "tld", "signed.tld"], keySteps.Select(s => s.Zone));
        Assert.Equal([(byte)8, (byte)13, (byte)15], keySteps.Select(s => s.Keys.First(k => k.MatchedDs).Algorithm));
        Assert.All(keySteps, s => Assert.Contains(s.Signatures, g => g.Outcome == SignatureOutcome.Valid && g.Inception == new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task After_expiry_the_ldns_zones_are_bogus()
    {
        var (validator, clock) = Create();
        clock.Now = new DateTimeOffset(2035, 1, 2, 0, 0, 0, TimeSpan.Zero);

        var result = await validator.ValidateAsync("signed.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.SignatureExpired, result.Failure);
        Assert.Equal(DnssecStepKind.TrustAnchor, result.Steps[^1].Kind);
    }

    [Fact]
    public void Presentation_round_trip_of_every_ldns_record()
    {
        foreach (var file in new[] { "root.signed", "tld.signed", "signed.tld.signed", "nsec.tld.signed" })
        {
            foreach (var record in ZoneServer.LoadFile("Dns", file))
            {
                var again = RecordText.Parse(record.ToString()).Record;
                Assert.NotNull(again);
                Assert.True(record.SameData(again), record.ToString());
            }
        }
    }
}
