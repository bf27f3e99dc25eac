using System.CommandLine;
using System.Net;
using MailTls.Dns;
using MailTls.Dns.Update;
using MailTls.Plan;
using MailTls.Reports.Storage;
using MailTls.Server.Configuration;

namespace MailTls.Cli.Commands;

/// <summary>The options every <c>plan</c> subcommand shares: where the world is, the store, the plan clock, how to apply.</summary>
internal sealed class PlanOptions
{
    public Option<string?> Db { get; } = new("--db")
    {
        Description = "Where plans are kept (the report database): SQLite file or postgres://… (default: $MAILTLS_DB, else $XDG_DATA_HOME/mailtls/mailtls.db).",
    };

    public Option<string[]> Resolver { get; } = new("--resolver")
    {
        Description = "Recursive resolver ADDR[:PORT] for names outside the zone; repeatable. Default: /etc/resolv.conf.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> TrustAnchor { get; } = new("--trust-anchor") { Description = "DNSSEC trust anchors (DS or DNSKEY presentation format); default $MAILTLS_TRUST_ANCHOR, else the IANA root keys." };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Deadline in seconds of each network step.",
        DefaultValueFactory = _ => Limits.CheckStsPolicyFetchTimeout.TotalSeconds,
    };

    public Option<string[]> Server { get; } = new("--server")
    {
        Description = "Authoritative server ADDR[:PORT] to check instead of the zone's NS (repeatable; e.g. a hidden primary and its secondaries).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Primary { get; } = new("--primary") { Description = "Where --apply sends dynamic updates, ADDR[:PORT] (default: the address of the SOA MNAME)." };

    public Option<string?> TsigKey { get; } = new("--tsig-key") { Description = "TSIG key file for --apply (BIND 'key' clause, Knot 'key:' entry or ALG:NAME:SECRET; hmac-sha256)." };

    public Option<string?> ServeConfig { get; } = new("--serve-config") { Description = "mailtls serve configuration: --apply writes the domain's policy_file." };

    public Option<string?> PolicyFile { get; } = new("--policy-file") { Description = "The policy file the policy host serves for the domain (instead of --serve-config)." };

    public Option<string?> Now { get; } = new("--now")
    {
        Description = "Plan clock for rehearsals and tests: ISO 8601 or @UNIX (default $MAILTLS_NOW, else the real time). Moves waits only.",
        Hidden = true,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Db, Resolver, TrustAnchor, Timeout, Server, Primary, TsigKey, ServeConfig, PolicyFile, Now })
        {
            command.Options.Add(o);
        }
    }

    /// <summary>The plan clock: --now, else $MAILTLS_NOW, else the system clock.</summary>
    public TimeProvider Clock(ParseResult parse)
    {
        var text = parse.GetValue(Now) ?? (Environment.GetEnvironmentVariable("MAILTLS_NOW") is { Length: > 0 } env ? env : null);
        if (text is null)
        {
            return TimeProvider.System;
        }

        return FixedTimeProvider.TryParse(text, out var instant) ? new FixedTimeProvider(instant) : throw new UsageException($"--now {text}: expected an ISO 8601 time (2026-01-01T00:00:00Z) or @UNIX-SECONDS");
    }

    public TimeSpan Step(ParseResult parse)
    {
        var seconds = parse.GetValue(Timeout);
        return seconds is <= 0 or > 300 ? throw new UsageException("--timeout must be between 0 and 300 seconds") : TimeSpan.FromSeconds(seconds);
    }

    public async Task<PlanWorldOptions> WorldAsync(ParseResult parse, SqlReportStore? store, CancellationToken cancellationToken)
    {
        var step = Step(parse);
        var servers = await DnssecCommand.ServersAsync(parse.GetValue(Resolver) ?? [], cancellationToken);
        var anchors = await DnssecCommand.AnchorsAsync(parse.GetValue(TrustAnchor), cancellationToken);
        var authoritative = new List<IPEndPoint>();
        foreach (var t in parse.GetValue(Server) ?? [])
        {
            authoritative.Add(DnsServerAddress.TryParse(t) ?? throw new UsageException($"--server {t}: expected ADDR[:PORT]"));
        }

        IPEndPoint? primary = null;
        if (parse.GetValue(Primary) is { } p)
        {
            primary = DnsServerAddress.TryParse(p) ?? throw new UsageException($"--primary {p}: expected ADDR[:PORT]");
        }

        return new PlanWorldOptions
        {
            Recursive = new CachingDnsResolver(CheckCommand.Stub(servers, step)),
            Anchors = anchors,
            PlanClock = Clock(parse),
            Timeout = step,
            Servers = authoritative,
            Primary = primary,
            Reports = store,
        };
    }

    public static async Task<SqlReportStore> OpenStoreAsync(string? db, CancellationToken cancellationToken)
    {
        try
        {
            return await ReportDatabase.OpenAsync(db, cancellationToken: cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--db: " + e.Message);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new IOException($"database {ReportDatabase.Redact(db ?? ReportDatabase.DefaultLocation())} unavailable: {e.Message}", e);
        }
    }

    /// <summary>The applier for --apply: the TSIG key and the policy file of the domain (from --policy-file or --serve-config).</summary>
    public async Task<PlanApplier> ApplierAsync(ParseResult parse, string domain, CancellationToken cancellationToken)
    {
        TsigKey? key = null;
        if (parse.GetValue(TsigKey) is { } keyFile)
        {
            var parsed = TsigKeyFile.Parse(await InputFiles.ReadTextAsync(keyFile, Limits.TsigKeyFileMaxChars + 1, cancellationToken));
            key = parsed.Key ?? throw new UsageException($"--tsig-key {keyFile}: {parsed.Error}");
        }

        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(PolicyFile) is { } file)
        {
            paths[domain] = file;
        }
        else if (parse.GetValue(ServeConfig) is { } config)
        {
            var loaded = await ServeConfigLoader.LoadFileAsync(config, cancellationToken);
            if (!loaded.IsValid)
            {
                throw new UsageException($"--serve-config {config}: {string.Join("; ", loaded.Errors)}");
            }

            foreach (var d in loaded.Settings.Domains)
            {
                if (d.Policy is PolicySource.File f)
                {
                    paths[d.Domain] = f.Path;
                }
            }

            if (!paths.ContainsKey(domain) && loaded.Settings.Domains.Any(d => string.Equals(d.Domain, domain, StringComparison.OrdinalIgnoreCase)))
            {
                throw new UsageException($"--serve-config {config}: {domain} has an inline policy (mode/mx/max_age); --apply rewrites files only: give it a policy_file");
            }
        }

        return new PlanApplier(key, new PolicyFileWriter(paths));
    }
}
