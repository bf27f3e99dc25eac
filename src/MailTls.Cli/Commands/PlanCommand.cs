using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.Findings;
using MailTls.MtaSts;
using MailTls.Pki;
using MailTls.Plan;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls plan CHANGE DOMAIN …</c> (issue 10, docs/plan.md): ordered steps with exact records and files, waits from
/// the TTLs the authoritative servers serve, and gates; stored so <c>plan status|verify|apply|cancel DOMAIN</c> can
/// follow the domain through them. Exit 0 a plan was made (or applied as far as time allows), 1 the change cannot be
/// planned or a gate refused, 2 usage, 3 the world could not be read (DNS, database).
/// </summary>
internal static class PlanCommand
{
    public static Command Create(CliContext context)
    {
        var plan = new Command("plan", "Plan a change (tlsrpt, testing, enforce, add-mx, remove-mx, rotate-key, rotate-cert, dane, rollback) and follow it through its gates.");
        plan.Subcommands.Add(Change(context, ChangeKind.TlsRpt, "Turn on TLS-RPT reporting."));
        plan.Subcommands.Add(Change(context, ChangeKind.Testing, "Publish MTA-STS in testing mode."));
        plan.Subcommands.Add(Change(context, ChangeKind.Enforce, "Switch MTA-STS from testing to enforce."));
        plan.Subcommands.Add(Change(context, ChangeKind.AddMx, "Add an MX host (the policy lists it first)."));
        plan.Subcommands.Add(Change(context, ChangeKind.RemoveMx, "Remove an MX host (the MX record goes first)."));
        plan.Subcommands.Add(Change(context, ChangeKind.RotateKey, "DANE key rollover: current + next TLSA, 2×TTL, deploy, remove the old record."));
        plan.Subcommands.Add(Change(context, ChangeKind.RotateCert, "Deploy a new MX certificate without breaking DANE or MTA-STS."));
        plan.Subcommands.Add(Change(context, ChangeKind.Dane, "Publish TLSA records for the first time."));
        plan.Subcommands.Add(Change(context, ChangeKind.Rollback, "Back from enforce to testing, or MTA-STS off (mode none first)."));
        foreach (var c in PlanFollowCommands.Create(context))
        {
            plan.Subcommands.Add(c);
        }

        return plan;
    }

    private static Command Change(CliContext context, ChangeKind change, string description)
    {
        var options = new PlanOptions();
        var domain = new Argument<string>("DOMAIN") { Description = "The mail domain." };
        var host = new Argument<string>(change == ChangeKind.AddMx || change == ChangeKind.RemoveMx ? "HOST" : "MXHOST") { Description = "The MX host." };
        var hasHost = change is ChangeKind.AddMx or ChangeKind.RemoveMx or ChangeKind.RotateKey or ChangeKind.RotateCert;
        var rua = new Option<string[]>("--rua") { Description = "Report destination mailto:… or https://… (repeatable).", AllowMultipleArgumentsPerToken = false };
        var mx = new Option<string[]>("--mx")
        {
            Description = change == ChangeKind.Dane ? "MX host to publish TLSA for (repeatable; default: every MX host in the zone)." : "mx pattern of the policy (repeatable; default: the MX hosts).",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxAge = new Option<long?>("--max-age") { Description = "max_age of the new policy in seconds." };
        var days = new Option<int>("--days") { Description = "Report window of the readiness gate.", DefaultValueFactory = _ => Limits.ReadinessDefaultDays };
        var pref = new Option<int?>("--pref") { Description = "MX preference (default: 10 above the highest)." };
        var nextKey = new Option<string?>("--next-key") { Description = "The next key (PEM private or public key, or a certificate with it)." };
        var nextCert = new Option<string?>("--next-cert") { Description = "The new certificate chain (PEM, leaf first)." };
        var to = new Option<string>("--to") { Description = "testing or none.", DefaultValueFactory = _ => "testing" };
        to.AcceptOnlyFromAmong("testing", "none");
        var ttl = new Option<uint?>("--ttl") { Description = $"TTL of records in RRsets that do not exist yet (default {Limits.PlanDefaultRecordTtl})." };
        var apply = new Option<bool>("--apply") { Description = "Perform the DNS steps (RFC 2136 update with --tsig-key) and policy steps (policy file) as far as their gates and waits allow." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan without storing it." };
        var replace = new Option<bool>("--replace") { Description = "Cancel the domain's active plan and store this one." };

        var command = new Command(PlanNames.Of(change), description) { domain };
        if (hasHost)
        {
            command.Arguments.Add(host);
        }

        switch (change)
        {
            case ChangeKind.TlsRpt:
                command.Options.Add(rua);
                break;
            case ChangeKind.Testing:
                command.Options.Add(mx);
                command.Options.Add(maxAge);
                break;
            case ChangeKind.Enforce:
                command.Options.Add(maxAge);
                command.Options.Add(days);
                break;
            case ChangeKind.AddMx:
                command.Options.Add(pref);
                break;
            case ChangeKind.RotateKey:
                command.Options.Add(nextKey);
                break;
            case ChangeKind.RotateCert:
                command.Options.Add(nextCert);
                break;
            case ChangeKind.Dane:
                command.Options.Add(mx);
                command.Options.Add(nextKey);
                break;
            case ChangeKind.Rollback:
                command.Options.Add(to);
                command.Options.Add(maxAge);
                break;
        }

        command.Options.Add(ttl);
        command.Options.Add(apply);
        command.Options.Add(dryRun);
        command.Options.Add(replace);
        options.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var name = Domain(parse.GetRequiredValue(domain));
            var request = new PlanRequest(change, name)
            {
                Host = hasHost ? parse.GetRequiredValue(host) : null,
                Ttl = parse.GetValue(ttl),
                Days = change == ChangeKind.Enforce ? parse.GetValue(days) : Limits.ReadinessDefaultDays,
            };
            if (request.Days is < 1 or > 3660)
            {
                throw new UsageException("--days must be between 1 and 3660");
            }

            switch (change)
            {
                case ChangeKind.TlsRpt:
                    var uris = new List<Uri>();
                    foreach (var u in parse.GetValue(rua) ?? [])
                    {
                        uris.Add(Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "mailto" or "https" ? uri : throw new UsageException($"--rua {u}: expected mailto:ADDRESS or https://URL"));
                    }

                    request = request with { Rua = uris };
                    break;
                case ChangeKind.Testing:
                    request = request with { MxPatterns = parse.GetValue(mx) ?? [], MaxAge = MaxAge(parse.GetValue(maxAge)) };
                    break;
                case ChangeKind.Enforce:
                    request = request with { MaxAge = MaxAge(parse.GetValue(maxAge)) };
                    break;
                case ChangeKind.AddMx:
                    request = request with { Preference = parse.GetValue(pref) is { } p ? p is >= 0 and <= ushort.MaxValue ? (ushort)p : throw new UsageException("--pref must be 0..65535") : null };
                    break;
                case ChangeKind.RotateKey:
                    request = request with { NextKeySpki = await KeyAsync(parse.GetValue(nextKey) ?? throw new UsageException("rotate-key needs --next-key FILE"), cancellationToken) };
                    break;
                case ChangeKind.RotateCert:
                    request = request with { NextChain = await ChainAsync(parse.GetValue(nextCert) ?? throw new UsageException("rotate-cert needs --next-cert FILE"), cancellationToken) };
                    break;
                case ChangeKind.Dane:
                    request = request with
                    {
                        DaneHosts = parse.GetValue(mx) ?? [],
                        NextKeySpki = parse.GetValue(nextKey) is { } nk ? await KeyAsync(nk, cancellationToken) : (ReadOnlyMemory<byte>?)null,
                    };
                    break;
                case ChangeKind.Rollback:
                    request = request with { RollbackTo = parse.GetValue(to) == "none" ? StsMode.None : StsMode.Testing, MaxAge = MaxAge(parse.GetValue(maxAge)) };
                    break;
            }

            var store = parse.GetValue(dryRun) ? null : await PlanOptions.OpenStoreAsync(parse.GetValue(options.Db), cancellationToken);
            await using var storeScope = store;
            StoredPlan? active = null;
            if (store is not null && await store.LatestPlanAsync(name, cancellationToken) is { State: PlanState.Active } latest)
            {
                if (!parse.GetValue(replace))
                {
                    throw new UsageException($"{name} has an active plan ({PlanNames.Of(latest.Plan.Change)}, #{latest.Plan.Id}, created {PlanJson.Iso(latest.Plan.CreatedAt)}): follow it with 'mailtls plan status {name}', or pass --replace (one change at a time, RFC 7671 §8.4)");
                }

                active = latest;
            }

            var worldOptions = await options.WorldAsync(parse, store, cancellationToken);
            var extra = new List<string>();
            if (request.Host is { } h && DnsName.TryNormalize(h) is { } hn)
            {
                extra.Add(hn);
            }

            extra.AddRange(request.DaneHosts.Select(d => DnsName.TryNormalize(d) ?? d));
            var (world, error) = await PlanWorld.OpenAsync(name, worldOptions, PlanSnapshotReader.NeedsSmtp(change), cancellationToken);
            if (world is null)
            {
                await console.Error.WriteLineAsync("mailtls: " + error);
                return ExitCode.Incomplete;
            }

            PlanBuildResult built;
            using (world)
            {
                var (snapshot, snapshotError) = await PlanSnapshotReader.ReadAsync(world, extra, cancellationToken);
                if (snapshot is null)
                {
                    await console.Error.WriteLineAsync("mailtls: " + snapshotError);
                    return ExitCode.Incomplete;
                }

                built = PlanBuilder.Build(request, snapshot);
                if (world.Disagreements() is { Count: > 0 } disagree)
                {
                    built = built with { Findings = [.. built.Findings, .. disagree], Plan = built.Plan is { } bp ? bp with { Findings = [.. bp.Findings, .. disagree] } : null };
                }
            }

            if (built.Plan is not { } made)
            {
                PlanOutput.WriteNoPlan(console, name, change, built.Findings);
                return built.Findings.HasErrors() ? ExitCode.Findings : ExitCode.Success;
            }

            var now = worldOptions.PlanClock.GetUtcNow();
            if (store is not null)
            {
                if (active is not null)
                {
                    await store.RecordProgressAsync(active.Plan.Id, [], PlanState.Cancelled, now, cancellationToken);
                }

                made = made with { Id = await store.AddPlanAsync(made, now, cancellationToken) };
            }

            if (!parse.GetValue(apply) || store is null)
            {
                if (parse.GetValue(apply))
                {
                    throw new UsageException("--apply needs a stored plan: drop --dry-run");
                }

                PlanOutput.WritePlan(console, made, PlanTiming.Earliest(made, new Dictionary<int, DateTimeOffset>(), now), store is not null, null);
                return ExitCode.Success;
            }

            var applier = await options.ApplierAsync(parse, name, cancellationToken);
            var runner = new PlanRunner(store, worldOptions);
            var (run, runError) = await runner.ApplyAsync(made.Id, name, applier, cancellationToken);
            if (run is null)
            {
                await console.Error.WriteLineAsync("mailtls: " + runError);
                return ExitCode.Incomplete;
            }

            PlanOutput.WritePlan(console, made, PlanTiming.Earliest(made, new Dictionary<int, DateTimeOffset>(), now), true, run);
            return PlanFollowCommands.ApplyExit(run);
        });
        return command;
    }

    internal static string Domain(string text) =>
        DnsName.TryNormalize(text) is { } n && n.Contains('.', StringComparison.Ordinal) ? n : throw new UsageException("not a domain name: " + text);

    private static long? MaxAge(long? value) =>
        value is null ? null : value is >= 0 and <= Limits.StsMaxAgeMax ? value : throw new UsageException($"--max-age must be 0..{Limits.StsMaxAgeMax}");

    private static async Task<ReadOnlyMemory<byte>> KeyAsync(string path, CancellationToken cancellationToken)
    {
        var text = await InputFiles.ReadTextAsync(path, Limits.PemMaxBytes + 1, cancellationToken);
        var spki = PemReader.ReadSubjectPublicKeyInfo(text);
        return spki.IsSuccess ? spki.SubjectPublicKeyInfo : throw new UsageException($"--next-key {path}: {spki.Error}");
    }

    internal static async Task<IReadOnlyList<X509Certificate2>> ChainAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await InputFiles.ReadAsync(path, Limits.PemMaxBytes + 1, cancellationToken);
        var chain = bytes.Length > Limits.PemMaxBytes ? new PemCertificatesResult([], $"larger than {Limits.PemMaxBytes} bytes") : PemReader.ReadCertificates(bytes);
        return chain.IsSuccess && chain.Certificates.Count > 0 ? chain.Certificates : throw new UsageException($"{path}: {chain.Error ?? "no certificate found"}");
    }
}
