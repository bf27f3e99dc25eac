using System.Text.Json.Nodes;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.Serve;
using MailTls.Server.Configuration;
using MailTls.Server.Endpoints;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailTls.Server.Operations;

/// <summary>Result of <c>serve --check-config</c>: the same detail as /healthz, plus configuration errors.</summary>
public sealed record ConfigCheckReport(bool Valid, IReadOnlyList<Finding> ConfigFindings, JsonObject? Health, IReadOnlyList<(string Domain, IReadOnlyList<Finding> Findings)> Domains)
{
    /// <summary>The TLS-RPT receiver's problems (certificate of its host, stores); empty without a receiver.</summary>
    public IReadOnlyList<Finding> ReceiverFindings { get; init; } = [];
}

/// <summary>
/// Everything <c>mailtls serve</c> checks at start, without binding a port: the configuration, every policy (lint),
/// every certificate (load, name, validity) and the DNS self-check (TXT id, MX coverage).
/// </summary>
public static class ConfigCheck
{
    public static async Task<ConfigCheckReport> RunAsync(ServeConfigResult config, IDnsResolver? resolver = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.IsValid)
        {
            var findings = config.Errors.Select(e => ServeFindings.ConfigInvalid.Create("configuration", e)).ToList();
            return new ConfigCheckReport(false, findings, null, []);
        }

        await using var runtime = new ServeRuntime(config.Settings, NullLoggerFactory.Instance, resolver);
        await runtime.RunSelfCheckAsync(cancellationToken);
        var domains = runtime.Policies.Domains.Select(d => (d.Domain, runtime.Findings(d))).ToList();
        var valid = domains.All(d => !d.Item2.Any(f => f.IsError));
        IReadOnlyList<Finding> receiverFindings = [];
        if (runtime.Receiver is { } receiver)
        {
            // What serve does at start: open (and migrate) every tenant's store.
            await receiver.OpenStoresAsync(cancellationToken);
            receiverFindings = AdminEndpoints.ReceiverFindings(runtime, receiver);
            valid &= !receiverFindings.Any(f => f.IsError);
        }

        return new ConfigCheckReport(valid, [], AdminEndpoints.Health(runtime).Json, domains) { ReceiverFindings = receiverFindings };
    }
}
