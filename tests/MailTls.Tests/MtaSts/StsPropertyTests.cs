using System.Text;
using CsCheck;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;

namespace MailTls.Tests.MtaSts;

/// <summary>
/// Property tests (CsCheck): random and mutated inputs never make a parser throw, results are self-consistent,
/// and generated valid values round-trip through format and parse. Each parser gets ≥ 100,000 inputs in total.
/// </summary>
public sealed class StsPropertyTests
{
    private const string TxtAlphabet = "v=STSv1;id ID\tabcXYZ0129-_.=:*é\0\r\n\u00a0";
    private const string PolicyAlphabet = "version:STSv1 mode:enforce testing none mx:*.a-b.example max_age:0123456789\t\r\n\0\u007f\u00e9\ufeff_;=";

    private static readonly string[] TxtSamples =
    [
        "v=STSv1; id=20160831085700Z;",
        "v=STSv1;id=a",
        "v=STSv1 ; id=abc; ext=1;",
        "v=STSv1; \t id=x  \t;",
        "v=STSv1; id=abc; x_ext-1.y=val",
        "v=STSv1; id=01234567890123456789012345678901",
    ];

    private static readonly string[] PolicySamples =
    [
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800",
        "version: STSv1\r\nmode: enforce\r\nmx: *.mimecast.com\r\nmax_age: 86400\r\n",
        "version:STSv1\r\nmode:\tenforce\r\nmx:  \t\t *.example.com\nmax_age: 1\nmore:ext e  ns ion",
        "version:STSv1\nmode:none\nmax_age:1",
        "mode: enforce\nmx: a.example\nmax_age: 86400\nversion: STSv1\ncomment: caf\u00e9 au lait\n",
        "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 100\nmax_age: garbage\nnote: a=b; c\n",
    ];

    private static Gen<string> StringOf(string alphabet, int max) =>
        Gen.Char[alphabet].Array[0, max].Select(a => new string(a));

    /// <summary>Unrestricted UTF-16 (including unpaired surrogates and controls).</summary>
    private static readonly Gen<string> AnyString = Gen.Char.Array[0, 80].Select(a => new string(a));

    /// <summary>Applies 1-8 random edits (insert, delete, replace, duplicate a span) to a valid sample.</summary>
    private static Gen<string> Mutated(string[] samples, string alphabet) =>
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Int[0, int.MaxValue].Array[1, 8])
           .Select(t => Mutate(samples[t.Item1], t.Item2, alphabet));

    private static string Mutate(string s, int[] ops, string alphabet)
    {
        var sb = new StringBuilder(s);
        foreach (var op in ops)
        {
            var pos = (op >> 3) % (sb.Length + 1);
            var c = alphabet[(op >> 17) % alphabet.Length];
            switch (op & 7)
            {
                case 0 or 1:
                    sb.Insert(pos, c);
                    break;
                case 2 or 3 when sb.Length > 0:
                    sb.Remove(Math.Min(pos, sb.Length - 1), 1);
                    break;
                case 4 or 5 when sb.Length > 0:
                    sb[Math.Min(pos, sb.Length - 1)] = c;
                    break;
                case 6 when sb.Length > 0:
                    var len = Math.Min((op >> 11) % 12, sb.Length - Math.Min(pos, sb.Length - 1));
                    sb.Insert(pos, sb.ToString(Math.Min(pos, sb.Length - 1), len));
                    break;
                default:
                    sb.Insert(pos, "\n");
                    break;
            }
        }

        return sb.ToString();
    }

    // ---- TXT record parser: 40k alphabet + 20k arbitrary + 50k mutated ----

    [Fact]
    public void Txt_parser_random_inputs() => Gen.OneOf(StringOf(TxtAlphabet, 60), AnyString).Sample(CheckTxt, iter: 60_000);

    [Fact]
    public void Txt_parser_mutated_inputs()
    {
        int total = 0, valid = 0;
        Mutated(TxtSamples, TxtAlphabet).Sample(text =>
        {
            CheckTxt(text);
            Interlocked.Increment(ref total);
            if (StsRecordParser.Parse(text).IsValid)
            {
                Interlocked.Increment(ref valid);
            }
        }, iter: 50_000);

        // The mutations must exercise both sides of the grammar, or the property says little.
        Assert.True(total >= 50_000, $"{total} inputs");
        Assert.InRange(valid, total / 20, total - (total / 20));
    }

    private static void CheckTxt(string text)
    {
        var r = StsRecordParser.Parse(text);
        Assert.Equal(r.IsValid, !r.Findings.HasErrors());
        Assert.All(r.Findings, f => Assert.StartsWith("sts.txt.", f.Code, StringComparison.Ordinal));
        if (r.IsValid)
        {
            Assert.True(StsId.IsValid(r.Record.Id));
            Assert.True(StsRecordSelector.IsCandidate(text));
            Assert.Equal(text, r.Record.Text);
            // Round trip: the canonical form says the same thing and has no findings.
            var canonical = StsRecordParser.Parse(StsRecordFormatter.Format(r.Record));
            Assert.True(canonical.IsValid);
            // Only the case-typo hint (e.g. an extension named "ID") survives canonical formatting.
            Assert.All(canonical.Findings, f => Assert.Equal("sts.txt.unknown-key-typo", f.Code));
            Assert.Equal(r.Record.Id, canonical.Record.Id);
            Assert.Equal(r.Record.Extensions, canonical.Record.Extensions);
        }
    }

    // ---- TXT RRset selector: 100k RRsets of mutated / valid / junk strings ----

    [Fact]
    public void Txt_selector_random_rrsets()
    {
        var piece = Gen.Frequency(
            (3, Mutated(TxtSamples, TxtAlphabet)),
            (2, Gen.OneOf(TxtSamples.Select(Gen.Const).ToArray())),
            (1, StringOf(TxtAlphabet, 20)));
        var rr = piece.Array[1, 3].Select(a => (IReadOnlyList<string>)a);
        rr.Array[0, 4].Sample(rrset =>
        {
            var s = StsRecordSelector.Select(rrset);
            var candidates = rrset.Select(x => string.Concat(x)).Where(StsRecordSelector.IsCandidate).ToList();
            Assert.Equal(candidates, s.Candidates);
            var expected = candidates.Count switch
            {
                0 => StsSelectionOutcome.NoRecord,
                > 1 => StsSelectionOutcome.MultipleRecords,
                _ => StsRecordParser.Parse(candidates[0]).IsValid ? StsSelectionOutcome.Selected : StsSelectionOutcome.InvalidRecord,
            };
            Assert.Equal(expected, s.Outcome);
            Assert.Equal(expected == StsSelectionOutcome.Selected, s.Record is not null);
            Assert.Equal(expected != StsSelectionOutcome.Selected, s.Findings.Any(f => f.IsError || f.Code == "sts.txt.no-record"));

            var d = StsDiscovery.Evaluate(new StsTxtAnswer(DnsAnswerStatus.Answer, rrset));
            Assert.Equal(expected == StsSelectionOutcome.Selected, d is StsDiscoveryResult.Found);
        }, iter: 100_000);
    }

    // ---- Policy parser: 30k random bytes + 30k alphabet strings + 50k mutated ----

    [Fact]
    public void Policy_parser_random_bytes() =>
        Gen.Byte.Array[0, 120].Sample(bytes =>
        {
            var r = StsPolicyParser.Parse(bytes);
            CheckPolicyResult(r);
        }, iter: 30_000);

    [Fact]
    public void Policy_parser_random_text() =>
        Gen.OneOf(StringOf(PolicyAlphabet, 120), AnyString).Sample(CheckPolicyBoth, iter: 30_000);

    [Fact]
    public void Policy_parser_mutated_inputs()
    {
        int total = 0, valid = 0;
        Mutated(PolicySamples, PolicyAlphabet).Sample(body =>
        {
            CheckPolicyBoth(body);
            Interlocked.Increment(ref total);
            if (StsPolicyParser.Parse(body).IsValid)
            {
                Interlocked.Increment(ref valid);
            }
        }, iter: 50_000);

        Assert.True(total >= 50_000, $"{total} inputs");
        Assert.InRange(valid, total / 20, total - (total / 20));
    }

    private static void CheckPolicyBoth(string body)
    {
        var r = StsPolicyParser.Parse(body);
        CheckPolicyResult(r);
        if (!body.Any(char.IsSurrogate))
        {
            var b = StsPolicyParser.Parse(Encoding.UTF8.GetBytes(body));
            Assert.Equal(r.Findings.Select(f => f.Code), b.Findings.Select(f => f.Code));
            Assert.Equal(r.Policy, b.Policy);
        }
    }

    private static void CheckPolicyResult(StsPolicyParseResult r)
    {
        Assert.Equal(r.IsValid, !r.Findings.HasErrors());
        Assert.All(r.Findings, f => Assert.StartsWith("sts.policy.", f.Code, StringComparison.Ordinal));
        if (r.IsValid)
        {
            var p = r.Policy;
            Assert.Equal("STSv1", p.Version);
            Assert.InRange(p.MaxAge, 0, Limits.StsMaxAgeMax);
            Assert.True(p.Mode == StsMode.None || p.Mx.Count > 0);
            foreach (var lineEnding in new[] { StsLineEnding.Lf, StsLineEnding.CrLf })
            {
                var again = StsPolicyParser.Parse(StsPolicyFormatter.Format(p, lineEnding));
                Assert.True(again.IsValid);
                Assert.Equal(p, again.Policy);
            }
        }
    }

    // ---- Round trip of generated valid policies: parse(format(p)) == p ----

    private static readonly Gen<string> Label =
        Gen.Select(Gen.Char["abcxyzABZ019"], Gen.Char["abcxyzABZ019-"].Array[0, 10], Gen.Char["abcz09"])
           .Select((a, mid, z) => mid.Length == 0 ? a.ToString() : a + new string(mid) + z);

    private static readonly Gen<string> Domain = Label.Array[1, 4].Select(ls => string.Join('.', ls));

    private static readonly Gen<MxPattern> Pattern =
        Gen.Select(Gen.Bool, Domain).Select((w, d) => MxPattern.Parse(w ? "*." + d : d));

    private static readonly Gen<StsExtension> Extension =
        Gen.Select(
            Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], Gen.Char["az09_-."].Array[0, 20]).Select((c, r) => c + new string(r)),
            Gen.Select(Gen.Char["!~az=;:é€"], Gen.Char[" !~az=;:é€ "].Array[0, 20], Gen.Char["!~az09é"]).Select((a, m, z) => a + new string(m) + z))
        .Select((n, v) => new StsExtension(n, v))
        .Where(e => e.Name is not ("version" or "mode" or "mx" or "max_age"));

    private static readonly Gen<StsPolicy> ValidPolicy =
        Gen.Select(Gen.Int[0, 2], Gen.Long[0, Limits.StsMaxAgeMax], Pattern.Array[0, 5], Extension.Array[0, 4])
           .Where((m, _, mx, _) => m == 0 || mx.Length > 0)
           .Select((m, age, mx, ext) => new StsPolicy("STSv1", (StsMode)m, age, mx,
               ext.DistinctBy(e => e.Name, StringComparer.Ordinal).ToArray()));

    [Fact]
    public void Generated_policies_round_trip()
    {
        ValidPolicy.Sample(p =>
        {
            foreach (var lineEnding in new[] { StsLineEnding.Lf, StsLineEnding.CrLf })
            {
                var text = StsPolicyFormatter.Format(p, lineEnding);
                var r = StsPolicyParser.Parse(Encoding.UTF8.GetBytes(text));
                Assert.True(r.IsValid, string.Join("; ", r.Findings.Select(f => f.Message)));
                Assert.Equal(p, r.Policy);
                Assert.Equal(text, r.Policy.RawText);
                Assert.Equal(text, StsPolicyFormatter.Format(r.Policy, lineEnding));
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Generated_records_round_trip()
    {
        var id = Gen.Char["azAZ09"].Array[1, 32].Select(a => new string(a));
        var ext = Gen.Select(
            Gen.Select(Gen.Char["aZ9"], Gen.Char["aZ9_-."].Array[0, 31]).Select((c, r) => c + new string(r)),
            Gen.Char["!:<>~aZ9"].Array[1, 10].Select(a => new string(a)))
            .Select((n, v) => new StsExtension(n, v)).Where(e => e.Name is not ("id" or "v"));
        Gen.Select(id, ext.Array[0, 3]).Sample((i, exts) =>
        {
            var unique = exts.DistinctBy(e => e.Name, StringComparer.Ordinal).ToArray();
            var r = StsRecordParser.Parse(StsRecordFormatter.Format(i, unique));
            Assert.True(r.IsValid);
            Assert.Equal(i, r.Record.Id);
            Assert.Equal(unique, r.Record.Extensions);
            Assert.Empty(r.Findings);
        }, iter: 20_000);
    }

    // ---- MX patterns: 60k random/mutated texts + 50k generated pattern/host pairs ----

    [Fact]
    public void Mx_pattern_parse_random_inputs()
    {
        Gen.OneOf(StringOf("*.-abZ09_é\u0131 \t", 30), Mutated(["*.example.com", "mail.example.com", "xn--eebajf.xn--9dbq2a"], "*.-aZ9é \0"), AnyString)
            .Sample(text =>
            {
                if (MxPattern.TryParse(text, out var p, out var error))
                {
                    Assert.Null(error);
                    Assert.Equal(text, p.Text);
                    Assert.True(DnsName.IsLdhDomain(p.Domain));
                    Assert.Equal(p.IsWildcard, text.StartsWith("*.", StringComparison.Ordinal));
                }
                else
                {
                    Assert.False(string.IsNullOrEmpty(error));
                }

                // Matching arbitrary strings never throws and never matches a non-host.
                var host = text.TrimStart('*', '.');
                if (p is not null && p.Matches(host))
                {
                    Assert.NotNull(DnsName.TryNormalize(host));
                }
            }, iter: 60_000);
    }

    [Fact]
    public void Mx_pattern_matching_properties()
    {
        Gen.Select(Domain, Label, Label).Sample((domain, l1, l2) =>
        {
            var exact = MxPattern.Parse(domain);
            var wild = MxPattern.Parse("*." + domain);
            var one = l1 + "." + domain;
            var two = l2 + "." + l1 + "." + domain;

            Assert.True(exact.Matches(domain));
            Assert.True(exact.Matches(domain.ToUpperInvariant() + "."));
            Assert.False(exact.Matches(one));
            Assert.True(wild.Matches(one));
            Assert.True(wild.Matches(one.ToUpperInvariant() + "."));
            Assert.False(wild.Matches(domain));
            Assert.False(wild.Matches(two));
            Assert.False(wild.Matches("." + domain));
            Assert.False(wild.Matches("x" + domain));
            Assert.True(MxPatternMatcher.Matches([exact, wild], one));
            Assert.False(MxPatternMatcher.Matches([exact, wild], two));
        }, iter: 50_000);
    }
}
