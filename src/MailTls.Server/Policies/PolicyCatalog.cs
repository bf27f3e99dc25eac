using System.Collections.Frozen;
using System.Text;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Serve;
using MailTls.Server.Configuration;

namespace MailTls.Server.Policies;

/// <summary>The response for one policy host, computed once per (re)load: the exact body bytes.</summary>
public sealed class PolicyResponse
{
    internal PolicyResponse(string domain, byte[] body, StsPolicy policy)
    {
        Domain = domain;
        Host = "mta-sts." + domain;
        Body = body;
        Policy = policy;
        ContentLength = body.Length;
    }

    public string Domain { get; }

    public string Host { get; }

    /// <summary>The exact bytes served (canonical form, or the policy file verbatim).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public long ContentLength { get; }

    public StsPolicy Policy { get; }
}

/// <summary>One domain's policy status after a load: served or not, and what the lint found.</summary>
public sealed record DomainPolicyStatus(string Domain, string Source, PolicyResponse? Response, IReadOnlyList<Finding> Findings, IReadOnlyList<string> WatchedFiles);

/// <summary>
/// The served policies, an immutable snapshot swapped as a whole on reload. Lookup is by policy host name
/// (<c>mta-sts.&lt;domain&gt;</c>, case-insensitive). A policy that does not lint clean of errors is not in the
/// lookup: the host answers 404 for it rather than serve something senders discard (RFC 8461 §3.2).
/// </summary>
public sealed class PolicyCatalog
{
    private readonly FrozenDictionary<string, PolicyResponse> byHost;

    private PolicyCatalog(IReadOnlyList<DomainPolicyStatus> domains)
    {
        Domains = domains;
        byHost = domains.Where(d => d.Response is not null)
            .ToFrozenDictionary(d => d.Response!.Host, d => d.Response!, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<DomainPolicyStatus> Domains { get; }

    public bool TryGet(string host, out PolicyResponse response) => byHost.TryGetValue(host, out response!);

    /// <summary>Builds the catalogue from the settings: formats inline policies, reads and lints policy files.</summary>
    public static PolicyCatalog Load(IReadOnlyList<DomainSettings> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        return new PolicyCatalog([.. domains.Select(LoadOne)]);
    }

    private static DomainPolicyStatus LoadOne(DomainSettings d)
    {
        byte[] body;
        string source;
        IReadOnlyList<string> watched = [];
        switch (d.Policy)
        {
            case PolicySource.Inline inline:
                source = "inline";
                body = Encoding.UTF8.GetBytes(StsPolicyFormatter.Format(inline.Mode, inline.MaxAge, inline.Mx, null, d.LineEnding));
                break;
            case PolicySource.File file:
                source = file.Path;
                watched = [file.Path];
                try
                {
                    using var stream = File.OpenRead(file.Path);
                    body = new byte[Math.Min(stream.Length, Limits.StsPolicyMaxBytes + 1)];
                    stream.ReadExactly(body);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return new DomainPolicyStatus(d.Domain, source, null,
                        [ServeFindings.PolicyUnreadable.Create(d.PolicyHost, $"{file.Path}: {e.Message}", FindingList.Evidence(("file", file.Path)))], watched);
                }

                break;
            default:
                throw new InvalidOperationException("unknown policy source");
        }

        var parsed = StsPolicyParser.Parse(body);
        if (!parsed.IsValid)
        {
            var invalid = ServeFindings.PolicyInvalid.Create(d.PolicyHost,
                $"The policy for {d.Domain} ({source}) is invalid and is not served: " +
                string.Join(" ", parsed.Findings.Where(f => f.IsError).Select(f => f.Message)),
                FindingList.Evidence(("source", source)));
            return new DomainPolicyStatus(d.Domain, source, null, [invalid, .. parsed.Findings], watched);
        }

        return new DomainPolicyStatus(d.Domain, source, new PolicyResponse(d.Domain, body, parsed.Policy), parsed.Findings, watched);
    }
}
