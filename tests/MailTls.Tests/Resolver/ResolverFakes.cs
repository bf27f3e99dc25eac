using System.Text;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.Resolver;

namespace MailTls.Tests.Resolver;

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The world of postfix-mta-sts-resolver's tests/refdata*.tsv, served by fakes of discovery (a TXT answer through
/// <see cref="StsDiscovery.Evaluate"/>) and fetch (an <see cref="StsPolicyFetchResult"/>): only the network is
/// faked, the parsers and the cache rules are the real ones.
/// </summary>
internal static class ResolverFakes
{
    public const string EnforceMailLoc = "version: STSv1\nmode: enforce\nmx: mail.loc\nmax_age: 86400\n";

    private static readonly Dictionary<string, (StsTxtAnswer Txt, Func<StsPolicyFetchResult> Fetch)> World = new(StringComparer.Ordinal)
    {
        ["good.loc"] = (Txt("v=STSv1; id=20180907T090909;"), () => Body("good.loc", EnforceMailLoc)),
        ["valid-none.loc"] = (Txt("v=STSv1; id=1;"), () => Body("valid-none.loc", "version: STSv1\nmode: none\nmax_age: 86400\n")),
        ["testing.loc"] = (Txt("v=STSv1; id=1;"), () => Body("testing.loc", "version: STSv1\nmode: testing\nmx: mail.loc\nmax_age: 86400\n")),
        ["no-record.loc"] = (new StsTxtAnswer(DnsAnswerStatus.NxDomain, []), () => throw new InvalidOperationException("no fetch without a record")),
        ["bad-record1.loc"] = (Txt("v=STSv1; id=;"), () => throw new InvalidOperationException("no fetch for an invalid record")),
        ["bad-policy1.loc"] = (Txt("v=STSv1; id=1;"), () => Body("bad-policy1.loc", "version: STSv1\nmode: enforcing\nmx: mail.loc\nmax_age: 86400\n")),
        ["bad-cert1.loc"] = (Txt("v=STSv1; id=1;"), () => new StsPolicyFetchResult.TlsFailure(StsPolicyFetcher.PolicyUrl("bad-cert1.loc"), StsTlsFailureKind.NameMismatch, "name mismatch", null, [])),
        ["bad-cert2.loc"] = (Txt("v=STSv1; id=1;"), () => new StsPolicyFetchResult.TlsFailure(StsPolicyFetcher.PolicyUrl("bad-cert2.loc"), StsTlsFailureKind.SelfSigned, "self-signed", null, [])),
        ["servfail.loc"] = (new StsTxtAnswer(DnsAnswerStatus.ServFail, []), () => throw new InvalidOperationException("no fetch without a record")),
    };

    public static StsTxtAnswer Txt(string text) => new(DnsAnswerStatus.Answer, [[text]]);

    public static StsPolicyFetchResult Body(string domain, string body) =>
        new StsPolicyFetchResult.Fetched(StsPolicyFetcher.PolicyUrl(domain), Encoding.UTF8.GetBytes(body), "text/plain", null!);

    public static StsPolicyFetchResult Failure(string domain) =>
        new StsPolicyFetchResult.ConnectFailure(StsPolicyFetcher.PolicyUrl(domain), "connection refused");

    public static StsPolicyCache Cache(IStsPolicyStore? store = null, TimeProvider? time = null) =>
        new(store ?? new MemoryStsPolicyStore(),
            (d, _) => Task.FromResult(StsDiscovery.Evaluate(World.TryGetValue(d, out var w) ? w.Txt : new StsTxtAnswer(DnsAnswerStatus.NxDomain, []))),
            (d, _) => Task.FromResult(World[d].Fetch()),
            time);

    /// <summary>The zone postfix-mta-sts-resolver's reference tests use for a vector (by its detail text).</summary>
    public static ResolverZone ZoneFor(string detail) =>
        detail.Contains("strict_testing=true", StringComparison.Ordinal) ? new ResolverZone { StrictTesting = true }
        : detail.Contains("require_sni=false", StringComparison.Ordinal) ? new ResolverZone { RequireSni = false }
        : new ResolverZone();

    public static ResolverService Service(ResolverZone zone, Func<string, CancellationToken, Task<DaneCheck>>? dane = null, TimeProvider? time = null, IStsPolicyStore? store = null) =>
        new(new ResolverServiceOptions { DefaultZone = zone, Dane = dane is null ? DaneMode.Off : DaneMode.Auto }, Cache(store, time), dane, time);
}
