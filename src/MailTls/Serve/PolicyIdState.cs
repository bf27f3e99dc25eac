using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.MtaSts;

namespace MailTls.Serve;

/// <summary>What the self-check last saw for a domain: the hash of the served policy and the published TXT id.</summary>
public sealed record PolicyIdStateEntry(string PolicyHash, string Id);

/// <summary>
/// The self-check's memory of "policy content ↔ published id" per domain (RFC 8461 §3.1: the id changes whenever
/// the policy changes). The hash is over the policy's canonical LF form, so a change of line endings alone is not
/// a policy change. Stored as JSON <c>{"domains": {"example.com": {"policy_sha256": "…", "id": "…"}}}</c>.
/// </summary>
public sealed class PolicyIdState
{
    private readonly Dictionary<string, PolicyIdStateEntry> entries;

    public PolicyIdState(IReadOnlyDictionary<string, PolicyIdStateEntry>? entries = null) =>
        this.entries = new Dictionary<string, PolicyIdStateEntry>(entries ?? new Dictionary<string, PolicyIdStateEntry>(), StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, PolicyIdStateEntry> Entries => entries;

    public PolicyIdStateEntry? Get(string domain) => entries.GetValueOrDefault(domain);

    public void Set(string domain, PolicyIdStateEntry entry) => entries[domain] = entry;

    /// <summary>SHA-256 (hex) of the policy's canonical LF text.</summary>
    public static string Hash(StsPolicy policy) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(StsPolicyFormatter.Format(policy, StsLineEnding.Lf))));

    /// <summary>Reads a state file; a missing file is an empty state, a corrupt one too (it is only a memory).</summary>
    public static async Task<PolicyIdState> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new PolicyIdState();
        }

        try
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            var root = JsonNode.Parse(text)?["domains"]?.AsObject();
            var map = new Dictionary<string, PolicyIdStateEntry>(StringComparer.OrdinalIgnoreCase);
            foreach (var (domain, node) in root ?? [])
            {
                if (node?["policy_sha256"]?.GetValue<string>() is { } h && node["id"]?.GetValue<string>() is { } id)
                {
                    map[domain] = new PolicyIdStateEntry(h, id);
                }
            }

            return new PolicyIdState(map);
        }
        catch (JsonException)
        {
            return new PolicyIdState();
        }
        catch (InvalidOperationException)
        {
            return new PolicyIdState();
        }
    }

    /// <summary>Writes the state atomically (temporary file, then rename).</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var domains = new JsonObject();
        foreach (var (d, e) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            domains[d] = new JsonObject { ["policy_sha256"] = e.PolicyHash, ["id"] = e.Id };
        }

        var json = new JsonObject { ["domains"] = domains }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, json + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);
    }
}
