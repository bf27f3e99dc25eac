using System.Text;
using MailTls.Dns.Update;

namespace MailTls.Plan;

/// <summary>Writes the policy file a policy host serves (<c>mailtls serve</c> reloads it on change).</summary>
public interface IPolicyWriter
{
    /// <summary>Where the policy of <paramref name="domain"/> is written, for messages; null when this writer does not serve it.</summary>
    string? PathFor(string domain);

    Task WriteAsync(string domain, string content, CancellationToken cancellationToken = default);
}

/// <summary>
/// Writes policy files atomically (a temporary file in the same directory, then rename), so the policy host never
/// reads half a policy: <c>serve</c> watches the directory and reloads after its debounce.
/// </summary>
public sealed class PolicyFileWriter(IReadOnlyDictionary<string, string> paths) : IPolicyWriter
{
    public string? PathFor(string domain) => paths.TryGetValue(domain, out var p) ? p : null;

    public async Task WriteAsync(string domain, string content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathFor(domain) ?? throw new InvalidOperationException("no policy file is configured for " + domain);
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + ".mailtls-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllBytesAsync(temp, Encoding.UTF8.GetBytes(content), cancellationToken).ConfigureAwait(false);
        File.Move(temp, full, overwrite: true);
    }
}

/// <summary>What <c>--apply</c> can do for a step, and how it went.</summary>
public sealed record ApplyOutcome(int Step, bool Ok, string Detail);

/// <summary>
/// Performs the steps <c>--apply</c> may perform: DNS steps as one RFC 2136 update (TSIG-signed) to the zone's
/// primary, policy steps by writing the policy file. Manual steps, waits and verifications are never "applied".
/// </summary>
public sealed class PlanApplier(TsigKey? key, IPolicyWriter? policies, DnsUpdateClient? client = null)
{
    private readonly DnsUpdateClient client = client ?? new DnsUpdateClient();

    public static bool CanApply(PlanStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Kind == StepKind.Dns && step.Dns is not null || step.Kind == StepKind.Policy && step.Policy?.Content is not null;
    }

    /// <summary>What is missing to apply <paramref name="step"/> (a key, a policy file), or null when it can be applied.</summary>
    public string? Missing(PlanStep step, ZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(zone);
        return step.Kind switch
        {
            StepKind.Dns when zone.Primary is null => $"no address for the primary of {zone.Zone} ({zone.PrimaryName ?? "no SOA MNAME"}); give --primary ADDR[:PORT]",
            StepKind.Dns when key is null => "DNS steps are applied with a TSIG key: give --tsig-key FILE",
            StepKind.Policy when policies?.PathFor(step.Policy!.Domain) is null => $"no policy file for {step.Policy!.Domain}: give --serve-config FILE (its policy_file) or --policy-file FILE",
            _ => null,
        };
    }

    public async Task<ApplyOutcome> ApplyAsync(PlanStep step, ZoneInfo zone, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(zone);
        if (Missing(step, zone) is { } missing)
        {
            return new ApplyOutcome(step.Number, false, missing);
        }

        if (step.Kind == StepKind.Dns)
        {
            var dns = step.Dns!;
            var result = await client.SendAsync(zone.Primary!, dns.Zone, [], dns.Updates, key, cancellationToken).ConfigureAwait(false);
            return new ApplyOutcome(step.Number, result.Applied, $"UPDATE to {result.Server}: {result.Detail}");
        }

        var policy = step.Policy!;
        try
        {
            await policies!.WriteAsync(policy.Domain, policy.Content!, cancellationToken).ConfigureAwait(false);
            return new ApplyOutcome(step.Number, true, "wrote " + policies.PathFor(policy.Domain));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ApplyOutcome(step.Number, false, $"writing {policies!.PathFor(policy.Domain)} failed: {e.Message}");
        }
    }
}
