using System.Text;
using MailTls.Resolver;
using MailTls.Tests.MtaSts;

namespace MailTls.Tests.Resolver;

/// <summary>
/// The <c>socketmap</c> vectors: exact replies of postfix-mta-sts-resolver (tests/refdata*.tsv) for its reference
/// world, through the real request parser, cache rules, policy parser and reply builder.
/// </summary>
public sealed class SocketmapVectorTests
{
    public static TheoryData<string, int> Vectors => StsVectors.OfKind("socketmap");

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Socketmap_vector(string name, int index)
    {
        var v = StsVectors.Get(index);
        var service = ResolverFakes.Service(ResolverFakes.ZoneFor(v.GetProperty("detail").GetString()!));
        var reply = await service.AnswerAsync(Encoding.UTF8.GetBytes(v.GetProperty("input").GetString()!));
        Assert.True(v.GetProperty("expect").GetString() == reply, $"{name}: got '{reply}'");
    }

    [Fact]
    public void The_vectors_are_all_here() => Assert.Equal(18, StsVectors.Count("socketmap"));

    [Theory]
    [InlineData("good.loc", "good.loc")]
    [InlineData("[GOOD.loc]:25", "good.loc")]
    [InlineData(" good.loc. ", "good.loc")]
    [InlineData(".good.loc", null)]
    [InlineData("[1.2.3.4]", null)]
    [InlineData("1.2.3.4", null)]
    [InlineData("[ipv6:2001:db8::1]", null)]
    [InlineData("2001:db8::1", null)]
    [InlineData("", null)]
    public void Key_normalisation(string key, string? domain) => Assert.Equal(domain, SocketmapRequest.NormalizeKey(key));

    [Fact]
    public async Task A_request_without_a_space_is_a_perm_error() =>
        Assert.Equal("PERM malformed request", await ResolverFakes.Service(new ResolverZone()).AnswerAsync("good.loc"u8.ToArray()));

    [Fact]
    public async Task A_dns_failure_with_nothing_cached_is_temp_and_notfound_when_configured_like_the_peer()
    {
        var temp = await ResolverFakes.Service(new ResolverZone()).AnswerAsync("postfix servfail.loc"u8.ToArray());
        Assert.StartsWith("TEMP ", temp, StringComparison.Ordinal);
        Assert.Contains("_mta-sts.servfail.loc", temp, StringComparison.Ordinal);
        var peer = new ResolverService(new ResolverServiceOptions { Dane = DaneMode.Off, TempOnDnsFailure = false }, ResolverFakes.Cache(), null);
        Assert.Equal("NOTFOUND ", await peer.AnswerAsync("postfix servfail.loc"u8.ToArray()));
    }

    [Fact]
    public async Task Tlsrpt_attributes_for_postfix_3_10()
    {
        var service = ResolverFakes.Service(new ResolverZone { TlsRpt = true });
        var reply = await service.AnswerAsync("postfix good.loc"u8.ToArray());
        Assert.Equal(
            "OK secure match=mail.loc servername=hostname policy_type=sts policy_domain=good.loc mx_host_pattern=mail.loc"
            + " { policy_string = version: STSv1 } { policy_string = mode: enforce } { policy_string = mx: mail.loc } { policy_string = max_age: 86400 }",
            reply);
    }

    [Fact]
    public void Wildcard_patterns_lose_the_star_and_are_colon_joined()
    {
        var policy = global::MailTls.MtaSts.StsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmx: mx1.example.com\nmax_age: 600\n").Policy!;
        Assert.Equal("OK secure match=mx1.example.com:.example.net servername=hostname", SocketmapReply.Secure("example.com", policy, new ResolverZone()));
    }

    [Theory]
    [InlineData(DaneMode.Auto, true, "OK dane-only")]
    [InlineData(DaneMode.Auto, false, "OK dane")]
    [InlineData(DaneMode.DaneOnly, false, "OK dane-only")]
    [InlineData(DaneMode.Dane, true, "OK dane")]
    public async Task Dane_takes_precedence_over_an_enforce_policy(DaneMode mode, bool allHosts, string expected)
    {
        var service = new ResolverService(
            new ResolverServiceOptions { Dane = mode },
            ResolverFakes.Cache(),
            (_, _) => Task.FromResult(new DaneCheck(true, allHosts, "secure")));
        Assert.Equal(expected, await service.AnswerAsync("postfix good.loc"u8.ToArray()));
    }

    [Fact]
    public async Task Without_secure_tlsa_the_mta_sts_policy_applies()
    {
        var service = new ResolverService(new ResolverServiceOptions(), ResolverFakes.Cache(), (_, _) => Task.FromResult(new DaneCheck(false, false, "insecure")));
        Assert.Equal("OK secure match=mail.loc servername=hostname", await service.AnswerAsync("postfix good.loc"u8.ToArray()));
    }

    [Fact]
    public async Task Zones_are_chosen_by_the_socketmap_name()
    {
        var service = new ResolverService(
            new ResolverServiceOptions
            {
                Dane = DaneMode.Off,
                Zones = new Dictionary<string, ResolverZone> { ["strict"] = new() { StrictTesting = true, RequireSni = false } },
            },
            ResolverFakes.Cache(),
            null);
        Assert.Equal("NOTFOUND ", await service.AnswerAsync("postfix testing.loc"u8.ToArray()));
        Assert.Equal("OK secure match=mail.loc", await service.AnswerAsync("strict testing.loc"u8.ToArray()));
    }
}
