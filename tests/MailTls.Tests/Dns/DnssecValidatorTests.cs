using MailTls.Dns;
using MailTls.Dns.Dnssec;

namespace MailTls.Tests.Dns;

public sealed class DnssecValidatorTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public async Task Secure_chain_root_tld_zone_for_each_algorithm(byte algorithm)
    {
        var chain = new TestChain(leafAlgorithm: algorithm);
        var result = await chain.Validator(chain.Build()).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Secure, result.Status);
        Assert.Equal(DnsAnswerStatus.Answer, result.Answer.Status);
        Assert.Equal([".", "tld", "example.tld"], result.Steps.Where(s => s.Kind is DnssecStepKind.TrustAnchor or DnssecStepKind.Dnskey).Select(s => s.Zone));
        var leafKeys = result.Steps.Single(s => s.Kind == DnssecStepKind.Dnskey && s.Zone == "example.tld");
        Assert.Contains(leafKeys.Keys, k => k.KeyTag == chain.Leaf.Ksk.Tag && k.MatchedDs && k.Algorithm == algorithm);
        Assert.Contains(leafKeys.Ds, d => d.KeyTag == chain.Leaf.Ksk.Tag && d.Matched == true);
        var answer = result.Steps.Single(s => s.Kind == DnssecStepKind.Answer);
        Assert.Contains(answer.Signatures, s => s.KeyTag == chain.Leaf.Zsk.Tag && s.Outcome == SignatureOutcome.Valid && s.Expiration == TestZone.Expiration);
        Assert.Equal(TestZone.Expiration, result.EarliestExpiration);
    }

    [Fact]
    public async Task Zone_cache_is_bounded_and_evicted_zones_are_walked_again()
    {
        var chain = new TestChain();
        var server = chain.Build();
        var validator = new DnssecValidator(server, chain.Anchors, chain.Clock, zoneCacheCapacity: 2);

        // ".", "tld" and "example.tld" are three zones: with room for two, every round evicts and walks again.
        for (var round = 0; round < 3; round++)
        {
            var result = await validator.ValidateAsync("example.tld", DnsRecordType.MX);
            Assert.Equal(DnssecStatus.Secure, result.Status);
            Assert.Equal([".", "tld", "example.tld"], result.Steps.Where(s => s.Kind is DnssecStepKind.TrustAnchor or DnssecStepKind.Dnskey).Select(s => s.Zone));
            Assert.True(validator.CachedZones <= 2, $"{validator.CachedZones} zones cached with capacity 2");
        }

        var insecure = await validator.ValidateAsync("insecure.tld", DnsRecordType.MX);
        Assert.Equal(DnssecStatus.Insecure, insecure.Status);
        Assert.True(validator.CachedZones <= 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Ds_digest_types_sha1_sha256_sha384(byte digestType)
    {
        var chain = new TestChain();
        var result = await chain.Validator(chain.Build(leafDs: chain.Leaf.DsLine(digestType))).ValidateAsync("mail.example.tld", DnsRecordType.A);
        Assert.Equal(DnssecStatus.Secure, result.Status);
    }

    [Theory]
    [InlineData(Denial.Nsec)]
    [InlineData(Denial.Nsec3)]
    [InlineData(Denial.Nsec3OptOut)]
    public async Task Insecure_delegation_ends_the_chain_at_the_cut(Denial tldDenial)
    {
        var chain = new TestChain(tldDenial: tldDenial);
        var result = await chain.Validator(chain.Build()).ValidateAsync("insecure.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Insecure, result.Status);
        Assert.Equal("insecure.tld", result.InsecureCut);
        Assert.Equal(DnsAnswerStatus.Answer, result.Answer.Status);
        Assert.Contains(result.Steps, s => s.Kind == DnssecStepKind.Denial && s.Verdict == DnssecStatus.Insecure && s.Owner == "insecure.tld");
        if (tldDenial == Denial.Nsec3OptOut)
        {
            Assert.Contains("opt-out", result.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Denial.Nsec)]
    [InlineData(Denial.Nsec3)]
    public async Task Nxdomain_is_proven(Denial denial)
    {
        var chain = new TestChain(leafDenial: denial);
        var result = await chain.Validator(chain.Build()).ValidateAsync("nope.example.tld", DnsRecordType.A);

        Assert.Equal(DnsAnswerStatus.NxDomain, result.Answer.Status);
        Assert.Equal(DnssecStatus.Secure, result.Status);
        Assert.Contains(result.Steps, s => s.Kind == DnssecStepKind.Denial && s.Verdict == DnssecStatus.Secure);
    }

    [Fact]
    public async Task Nxdomain_under_nsec3_opt_out_span_is_insecure()
    {
        var chain = new TestChain(tldDenial: Denial.Nsec3OptOut);
        var result = await chain.Validator(chain.Build()).ValidateAsync("nope.tld", DnsRecordType.A);
        Assert.Equal(DnsAnswerStatus.NxDomain, result.Answer.Status);

        // The next closer name falls in an opt-out span: an unsigned delegation could exist there (RFC 5155 §6).
        Assert.Equal(DnssecStatus.Insecure, result.Status);
    }

    [Theory]
    [InlineData(Denial.Nsec, "example.tld", DnsRecordType.TXT)]
    [InlineData(Denial.Nsec3, "example.tld", DnsRecordType.TXT)]
    [InlineData(Denial.Nsec, "mail.example.tld", DnsRecordType.TLSA)]
    [InlineData(Denial.Nsec3, "mail.example.tld", DnsRecordType.TLSA)]
    [InlineData(Denial.Nsec, "y.deep.example.tld", DnsRecordType.A)]
    [InlineData(Denial.Nsec3, "y.deep.example.tld", DnsRecordType.A)]
    [InlineData(Denial.Nsec, "foo.wild.example.tld", DnsRecordType.MX)]
    [InlineData(Denial.Nsec3, "foo.wild.example.tld", DnsRecordType.MX)]
    public async Task Nodata_is_proven_including_empty_non_terminals_and_wildcards(Denial denial, string name, DnsRecordType type)
    {
        var chain = new TestChain(leafDenial: denial);
        var result = await chain.Validator(chain.Build()).ValidateAsync(name, type);

        Assert.Equal(DnsAnswerStatus.NoData, result.Answer.Status);
        Assert.Equal(DnssecStatus.Secure, result.Status);
    }

    [Theory]
    [InlineData(Denial.Nsec)]
    [InlineData(Denial.Nsec3)]
    public async Task Wildcard_expansion_is_secure_with_proof(Denial denial)
    {
        var chain = new TestChain(leafDenial: denial);
        var result = await chain.Validator(chain.Build()).ValidateAsync("host.wild.example.tld", DnsRecordType.A);

        Assert.Equal(DnssecStatus.Secure, result.Status);
        Assert.Contains("wildcard", result.Steps.Single(s => s.Kind == DnssecStepKind.Answer).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wildcard_expansion_without_proof_is_bogus()
    {
        var chain = new TestChain();
        var server = chain.Build();
        var validator = chain.Validator(server);
        var answer = await new DnsLookup(server).LookupAsync("host.wild.example.tld", DnsRecordType.A);
        var stripped = new DnsAnswer
        {
            QueryName = answer.QueryName,
            Type = answer.Type,
            Status = answer.Status,
            CanonicalName = answer.CanonicalName,
            Rrset = answer.Rrset,
            Signatures = answer.Signatures,
        };

        var result = await validator.ValidateAsync(stripped);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.MissingDenialProof, result.Failure);
    }

    [Fact]
    public async Task Cname_chain_is_validated_link_by_link()
    {
        var chain = new TestChain();
        var result = await chain.Validator(chain.Build()).ValidateAsync("alias.example.tld", DnsRecordType.A);

        Assert.Equal(DnssecStatus.Secure, result.Status);
        Assert.Equal("mail.example.tld", result.Answer.CanonicalName);
        Assert.Contains(result.Steps, s => s.Kind == DnssecStepKind.Cname && s.Verdict == DnssecStatus.Secure);
    }

    [Fact]
    public async Task Expired_signature_is_bogus()
    {
        var chain = new TestChain();
        var validator = chain.Validator(chain.Build());
        chain.Clock.Now = TestZone.Expiration.AddSeconds(1);

        var result = await validator.ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.SignatureExpired, result.Failure);
        Assert.Contains("expired", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_yet_valid_signature_is_bogus()
    {
        var chain = new TestChain();
        var validator = chain.Validator(chain.Build());
        chain.Clock.Now = TestZone.Inception.AddSeconds(-1);

        var result = await validator.ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.SignatureNotYetValid, result.Failure);
    }

    [Fact]
    public async Task Only_the_leaf_answer_expired_names_the_answer_link()
    {
        var chain = new TestChain();
        chain.Leaf.SigExpiration = (uint)TestZone.Now.AddDays(-1).ToUnixTimeSeconds();
        chain.Leaf.SigInception = (uint)TestZone.Now.AddDays(-30).ToUnixTimeSeconds();
        var result = await chain.Validator(chain.Build()).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.SignatureExpired, result.Failure);
        var failing = result.Steps[^1];
        Assert.Equal("example.tld", failing.Zone);
        Assert.Equal(DnssecStatus.Bogus, failing.Verdict);
        Assert.Contains(result.Steps, s => s.Zone == "tld" && s.Verdict == DnssecStatus.Secure);
    }

    [Fact]
    public async Task Ds_that_matches_no_dnskey_is_bogus()
    {
        var chain = new TestChain();
        var other = new TestZone("example.tld", 13);
        var result = await chain.Validator(chain.Build(leafDs: other.DsLine())).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.NoDsMatchesDnskey, result.Failure);
        Assert.Contains(other.Ksk.Tag.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dnskey_set_signed_only_by_the_zsk_is_bogus()
    {
        var chain = new TestChain();
        var server = chain.Build(mutate: (_, _, leaf) =>
        {
            var keys = leaf.Where(r => r.Name == "example.tld" && r.Type == DnsRecordType.DNSKEY).ToList();
            leaf.RemoveAll(r => TestChain.IsSigOver(r, "example.tld", DnsRecordType.DNSKEY));
            leaf.Add(chain.Leaf.SignRrset(keys, chain.Leaf.Zsk));
        });

        var result = await chain.Validator(server).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.DnskeyNotSignedByKsk, result.Failure);
    }

    [Fact]
    public async Task Missing_rrsig_is_bogus()
    {
        var chain = new TestChain();
        var server = chain.Build(mutate: (_, _, leaf) => leaf.RemoveAll(r => TestChain.IsSigOver(r, "example.tld", DnsRecordType.MX)));

        var result = await chain.Validator(server).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.MissingRrsig, result.Failure);
    }

    [Fact]
    public async Task Tampered_data_is_bogus_signature_invalid()
    {
        var chain = new TestChain();
        var server = chain.Build(mutate: (_, _, leaf) =>
        {
            leaf.RemoveAll(r => r.Name == "mail.example.tld" && r.Type == DnsRecordType.A);
            leaf.Add(TestChain.Rec("mail.example.tld. 3600 IN A 203.0.113.66"));
        });

        var result = await chain.Validator(server).ValidateAsync("mail.example.tld", DnsRecordType.A);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.SignatureInvalid, result.Failure);
    }

    [Fact]
    public async Task Unsupported_ds_algorithm_makes_the_zone_insecure()
    {
        var chain = new TestChain(leafAlgorithm: 253);
        var result = await chain.Validator(chain.Build()).ValidateAsync("example.tld", DnsRecordType.MX);

        // RFC 4035 §5.2: a DS RRset whose algorithms are all unsupported is treated as no DS.
        Assert.Equal(DnssecStatus.Insecure, result.Status);
        Assert.Equal("example.tld", result.InsecureCut);
        Assert.Equal(DnssecFailure.UnsupportedAlgorithm, result.Failure);
    }

    [Fact]
    public async Task Missing_denial_proof_is_bogus()
    {
        var chain = new TestChain();
        var server = chain.Build(mutate: (_, _, leaf) => leaf.RemoveAll(r => r.Type == DnsRecordType.NSEC || TestChain.IsSigOver(r, r.Name, DnsRecordType.NSEC)));

        var result = await chain.Validator(server).ValidateAsync("nope.example.tld", DnsRecordType.A);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.MissingDenialProof, result.Failure);
    }

    [Fact]
    public async Task Nodata_claim_for_an_existing_type_is_bogus()
    {
        var chain = new TestChain();
        var server = chain.Build(mutate: (_, _, leaf) => leaf.RemoveAll(r => r.Name == "mail.example.tld" && r.Type == DnsRecordType.A));

        // The NSEC at mail.example.tld still lists A, so a NODATA answer contradicts it.
        var result = await chain.Validator(server).ValidateAsync("mail.example.tld", DnsRecordType.A);

        Assert.Equal(DnsAnswerStatus.NoData, result.Answer.Status);
        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.BadDenialProof, result.Failure);
    }

    [Fact]
    public async Task Failed_lookup_on_the_chain_is_indeterminate()
    {
        var chain = new TestChain();
        var server = chain.Build();
        server.Failures[("example.tld", DnsRecordType.DNSKEY)] = DnsAnswerStatus.Timeout;

        var result = await chain.Validator(server).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Indeterminate, result.Status);
        Assert.Equal(DnssecFailure.LookupFailed, result.Failure);
    }

    [Fact]
    public async Task Failed_answer_lookup_is_indeterminate_not_absent()
    {
        var chain = new TestChain();
        var server = chain.Build();
        server.Failures[("example.tld", DnsRecordType.MX)] = DnsAnswerStatus.ServFail;

        var result = await chain.Validator(server).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Indeterminate, result.Status);
        Assert.Equal(DnsAnswerStatus.ServFail, result.Answer.Status);
    }

    [Fact]
    public async Task Dnskey_trust_anchor_works_like_a_ds_anchor()
    {
        var chain = new TestChain();
        var server = chain.Build();
        var anchors = TrustAnchors.Load(". 3600 IN DNSKEY 257 3 8 " + Convert.ToBase64String(chain.Root.Ksk.PublicKey)).Anchors!;

        var result = await new DnssecValidator(server, anchors, chain.Clock).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Secure, result.Status);
    }

    [Fact]
    public async Task Wrong_trust_anchor_is_bogus_at_the_root()
    {
        var chain = new TestChain();
        var result = await new DnssecValidator(chain.Build(), TrustAnchors.BuiltIn, chain.Clock).ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.NoDsMatchesDnskey, result.Failure);
        Assert.Equal(DnssecStepKind.TrustAnchor, result.Steps.Single().Kind);
    }

    [Fact]
    public async Task Zone_walk_is_shared_between_lookups()
    {
        var chain = new TestChain();
        var server = chain.Build();
        var validator = chain.Validator(server);
        await validator.ValidateAsync("example.tld", DnsRecordType.MX);
        var before = server.Queries;

        var result = await validator.ValidateAsync("mail.example.tld", DnsRecordType.A);

        Assert.Equal(DnssecStatus.Secure, result.Status);
        Assert.Equal(before + 2, server.Queries); // the A query and the DS probe for mail.example.tld only
    }

    [Fact]
    public async Task Findings_name_the_reason()
    {
        var chain = new TestChain();
        var validator = chain.Validator(chain.Build());
        chain.Clock.Now = TestZone.Expiration.AddDays(1);
        var bogus = await validator.ValidateAsync("example.tld", DnsRecordType.MX);

        var findings = DnssecFindings.For(bogus, chain.Clock.Now);

        Assert.Equal(["dnssec.bogus", "dnssec.signature-expired"], findings.Select(f => f.Code));
    }

    [Fact]
    public async Task Findings_warn_before_signatures_expire()
    {
        var chain = new TestChain();
        var validator = chain.Validator(chain.Build());
        chain.Clock.Now = TestZone.Expiration.AddDays(-1);
        var result = await validator.ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Secure, result.Status);
        Assert.Equal(["dnssec.signature-expiring"], DnssecFindings.For(result, chain.Clock.Now).Select(f => f.Code));
        Assert.Empty(DnssecFindings.For(result, TestZone.Now));
    }

    [Theory]
    [InlineData(Denial.Nsec)]
    [InlineData(Denial.Nsec3)]
    public async Task Wildcard_cname_is_secure_with_its_proof(Denial denial)
    {
        var chain = new TestChain(leafDenial: denial);
        chain.Leaf.Add("*.alias.example.tld. 3600 IN CNAME mail.example.tld.");
        var result = await chain.Validator(chain.Build()).ValidateAsync("www.alias.example.tld", DnsRecordType.A);

        Assert.Equal(DnsAnswerStatus.Answer, result.Answer.Status);
        Assert.Equal("www.alias.example.tld", Assert.Single(result.Answer.CnameChain).Name);
        Assert.Equal(DnssecStatus.Secure, result.Status);
    }

    [Fact]
    public async Task A_cancelled_validation_is_not_remembered()
    {
        var chain = new TestChain();
        var slow = new SlowCountingResolver(chain.Build(), TimeSpan.FromMilliseconds(50));
        var validator = new DnssecValidator(slow, chain.Anchors, chain.Clock);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(10));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validator.ValidateAsync("example.tld", DnsRecordType.MX, cts.Token));
        var result = await validator.ValidateAsync("example.tld", DnsRecordType.MX);

        Assert.Equal(DnssecStatus.Secure, result.Status);
    }

    [Fact]
    public async Task Wildcard_cname_without_its_proof_is_bogus()
    {
        var chain = new TestChain();
        chain.Leaf.Add("*.alias.example.tld. 3600 IN CNAME mail.example.tld.");
        var server = chain.Build();
        var answer = await new DnsLookup(server).LookupAsync("www.alias.example.tld", DnsRecordType.A);
        var stripped = new DnsAnswer
        {
            QueryName = answer.QueryName,
            Type = answer.Type,
            Status = answer.Status,
            CanonicalName = answer.CanonicalName,
            CnameChain = answer.CnameChain,
            CnameSignatures = answer.CnameSignatures,
            Rrset = answer.Rrset,
            Signatures = answer.Signatures,
        };

        var result = await chain.Validator(server).ValidateAsync(stripped);

        Assert.Equal(DnssecStatus.Bogus, result.Status);
        Assert.Equal(DnssecFailure.MissingDenialProof, result.Failure);
    }
}
