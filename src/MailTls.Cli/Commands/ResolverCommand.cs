using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.Resolver;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>mailtls resolver [--config FILE] [--listen ADDR]…</c>: the Postfix socketmap policy daemon (drop-in for
/// postfix-mta-sts-resolver); <c>resolver query DOMAIN</c> prints the reply Postfix would get;
/// <c>resolver cache list|flush [DOMAIN]</c> inspects the persistent policy cache. Exit 0 success, 2 usage,
/// 3 the daemon could not start (address in use, cache not writable) or a query answered TEMP.
/// </summary>
internal static class ResolverCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (YAML, compatible with mta-sts-daemon.yml; see docs/resolver.md).", Recursive = true };
        var resolverOption = new Option<string[]>("--resolver") { Description = "Upstream recursive resolver ADDR[:PORT]; repeatable (overrides dns.servers). Default: /etc/resolv.conf.", Recursive = true, AllowMultipleArgumentsPerToken = false };
        var anchorFile = new Option<string?>("--trust-anchor") { Description = "DNSSEC trust anchors (DS or DNSKEY presentation format) for the DANE precedence check.", Recursive = true };
        var cacheOption = new Option<string?>("--cache") { Description = "Policy cache: a SQLite file, postgres://user:pass@host:port/db, or 'internal' (memory); overrides cache: in the configuration.", Recursive = true };
        var listen = new Option<string[]>("--listen") { Description = "Listen on ADDR:PORT, [ADDR]:PORT or unix:/path; repeatable (replaces the configured listeners).", AllowMultipleArgumentsPerToken = false };

        var command = new Command("resolver", "Postfix socketmap TLS policy daemon: MTA-STS policies (RFC 8461) with DANE precedence, a persistent cache and TEMP for transient failures.")
        {
            config, resolverOption, anchorFile, cacheOption, listen,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            InlineSocketCompletions();
            var cfg = await LoadAsync(parse.GetValue(config), parse.GetValue(cacheOption), cancellationToken);
            var listens = parse.GetValue(listen) ?? [];
            foreach (var l in listens)
            {
                Listen(l);
            }

            await using var host = await HostAsync(cfg, parse.GetValue(resolverOption) ?? [], parse.GetValue(anchorFile), cancellationToken);
            try
            {
                host.Start(listens.Length > 0 ? listens : null);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await console.Error.WriteLineAsync("mailtls resolver: cannot listen: " + e.Message);
                return ExitCode.Incomplete;
            }

            await console.Error.WriteLineAsync("mailtls resolver: listening on " + string.Join(", ", host.Server.EndPoints.Select(e => e.ToString())) +
                (host.MetricsEndPoint is { } m ? "; metrics on http://" + m + "/metrics" : string.Empty));
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            await console.Error.WriteLineAsync("mailtls resolver: shutting down");
            return ExitCode.Success;
        });

        var domainArg = new Argument<string>("DOMAIN") { Description = "Next-hop domain (as Postfix would ask: brackets, port and trailing dot are stripped)." };
        var zone = new Option<string?>("--zone") { Description = "Socketmap name (zone) to format the reply for; default: default_zone." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the persistent cache (a fresh discovery and fetch)." };
        var query = new Command("query", "Resolve one domain and print the socketmap reply Postfix would get, and why.") { domainArg, zone, noCache };
        query.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var cfg = await LoadAsync(parse.GetValue(config), parse.GetValue(cacheOption), cancellationToken);
            if (parse.GetValue(noCache))
            {
                cfg = cfg with { CacheType = ResolverCacheType.Internal };
            }

            var key = parse.GetValue(domainArg) ?? string.Empty;
            var zoneName = parse.GetValue(zone) ?? "postfix";
            await using var host = await HostAsync(cfg with { ProactiveRefresh = false }, parse.GetValue(resolverOption) ?? [], parse.GetValue(anchorFile), cancellationToken);
            var domain = SocketmapRequest.NormalizeKey(key);
            var reply = await host.Service.AnswerAsync(System.Text.Encoding.UTF8.GetBytes(zoneName + " " + key), cancellationToken);
            var decision = domain is null ? null : await host.Service.DecideAsync(domain, cancellationToken);
            if (console.Json)
            {
                var o = new JsonObject
                {
                    ["key"] = key,
                    ["domain"] = domain,
                    ["zone"] = zoneName,
                    ["reply"] = reply,
                    ["decision"] = decision switch
                    {
                        ResolverDecision.Sts => "sts",
                        ResolverDecision.Dane => "dane",
                        ResolverDecision.Temporary => "temp",
                        ResolverDecision.NoPolicy => "no-policy",
                        _ => "not-looked-up",
                    },
                    ["reason"] = Reason(decision),
                };
                if (decision is ResolverDecision.Sts s)
                {
                    o["policy_id"] = s.PolicyId;
                    o["mode"] = s.Policy.Mode.ToWireName();
                    o["max_age"] = s.Policy.MaxAge;
                    o["mx"] = JsonOutput.Strings(s.Policy.Mx.Select(x => x.Text));
                    o["source"] = s.Source.ToString().ToLowerInvariant();
                }

                JsonOutput.Write(console, o);
            }
            else
            {
                await console.Out.WriteLineAsync(reply);
                if (Reason(decision) is { } r)
                {
                    await console.Error.WriteLineAsync(domain + ": " + r);
                }
            }

            return decision is ResolverDecision.Temporary ? ExitCode.Incomplete : ExitCode.Success;
        });

        var list = new Command("list", "List the cached policies (domain, id, mode, fetched, expires, last failure).");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var cfg = await LoadAsync(parse.GetValue(config), parse.GetValue(cacheOption), cancellationToken);
            using var store = OpenStore(cfg);
            var (listed, rows) = await StoreAsync(console, () => store.ListAsync(cancellationToken));
            if (!listed)
            {
                return ExitCode.Incomplete;
            }

            if (console.Json)
            {
                JsonOutput.Write(console, new JsonArray([.. rows.Select(r => (JsonNode)Row(r))]));
            }
            else
            {
                foreach (var r in rows)
                {
                    var mode = r.PolicyText is null ? "-" : StsPolicyParser.Parse(r.PolicyText).Policy?.Mode.ToWireName() ?? "invalid";
                    await console.Out.WriteLineAsync(string.Join('\t', r.Domain, r.PolicyId ?? "-", mode, Time(r.FetchedAt), Time(r.ExpiresAt), r.FailedId is null ? "-" : $"failed id {r.FailedId} at {Time(r.FailedAt)}"));
                }
            }

            return ExitCode.Success;
        });

        var flushDomain = new Argument<string?>("DOMAIN") { Description = "Only this domain (default: every entry).", Arity = ArgumentArity.ZeroOrOne };
        var flush = new Command("flush", "Delete cached policies (all, or one domain).") { flushDomain };
        flush.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var cfg = await LoadAsync(parse.GetValue(config), parse.GetValue(cacheOption), cancellationToken);
            var d = parse.GetValue(flushDomain);
            var name = d is null ? null : DnsName.TryNormalize(d) ?? throw new UsageException("not a domain name: " + d);
            using var store = OpenStore(cfg);
            var (flushed, n) = await StoreAsync(console, () => store.FlushAsync(name, cancellationToken));
            if (!flushed)
            {
                return ExitCode.Incomplete;
            }

            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject { ["deleted"] = n });
            }
            else
            {
                await console.Out.WriteLineAsync(n.ToString(CultureInfo.InvariantCulture) + " cached " + (n == 1 ? "policy" : "policies") + " deleted");
            }

            return ExitCode.Success;
        });

        command.Subcommands.Add(query);
        command.Subcommands.Add(new Command("cache", "Inspect or flush the persistent policy cache.") { list, flush });
        return command;
    }

    /// <summary>
    /// Runs socket completions on the runtime's I/O threads instead of handing each one to the thread pool
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, read when the first socket is used): a cached reply is
    /// then written without a thread hop, which keeps p99 under 1 ms on a busy machine (bench/RESULTS.md, issue 11).
    /// The resolver keeps blocking work (SQLite, the slow path) off those threads. An operator's own setting wins.
    /// </summary>
    private static void InlineSocketCompletions()
    {
        const string name = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            Environment.SetEnvironmentVariable(name, "1");
        }
    }

    private static string? Reason(ResolverDecision? d) => d switch
    {
        ResolverDecision.Sts s => $"MTA-STS policy id {s.PolicyId}, mode {s.Policy.Mode.ToWireName()}, from {s.Source.ToString().ToLowerInvariant()}",
        ResolverDecision.Dane => "DANE governs: the MX RRset and TLSA records are DNSSEC-secure (RFC 8461 §2)",
        ResolverDecision.NoPolicy n => n.Reason,
        ResolverDecision.Temporary t => t.Reason,
        _ => null,
    };

    private static string Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";

    private static JsonObject Row(StsCacheEntry r) => new()
    {
        ["domain"] = r.Domain,
        ["policy_id"] = r.PolicyId,
        ["policy"] = r.PolicyText,
        ["fetched_at"] = r.FetchedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["expires_at"] = r.ExpiresAt?.ToString("O", CultureInfo.InvariantCulture),
        ["failed_id"] = r.FailedId,
        ["failed_at"] = r.FailedAt?.ToString("O", CultureInfo.InvariantCulture),
    };

    private static void Listen(string text)
    {
        try
        {
            ResolverHost.ParseListen(text);
        }
        catch (FormatException e)
        {
            throw new UsageException("--listen " + e.Message);
        }
    }

    /// <summary>Runs a store operation; an unreachable or failing database is exit 3 with a message, not a crash.</summary>
    private static async Task<(bool Ok, T Value)> StoreAsync<T>(CliConsole console, Func<Task<T>> operation)
    {
        try
        {
            return (true, await operation());
        }
        catch (Exception e) when (e is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            await console.Error.WriteLineAsync("mailtls resolver: policy cache unavailable: " + e.Message);
            return (false, default!);
        }
    }

    private static IStsPolicyStore OpenStore(ResolverConfig cfg) =>
        cfg.CacheType != ResolverCacheType.Internal ? cfg.OpenStore() : throw new UsageException("the configured cache type is 'internal': nothing persists");

    private static async Task<ResolverConfig> LoadAsync(string? path, string? cache, CancellationToken cancellationToken)
    {
        var cfg = new ResolverConfig();
        if (path is not null)
        {
            var text = await InputFiles.ReadTextAsync(path, Limits.ResolverConfigMaxBytes, cancellationToken);
            cfg = ResolverConfig.Parse(text, out var errors);
            if (errors.Count > 0)
            {
                throw new UsageException(path + ": " + string.Join("; ", errors));
            }
        }

        if (cache is not null)
        {
            if (cache.Length == 0)
            {
                throw new UsageException("--cache: empty");
            }

            try
            {
                if (MailTls.Reports.Storage.ReportDatabase.IsPostgresUrl(cache))
                {
                    MailTls.Reports.Storage.ReportDatabase.PostgresConnectionString(cache);
                }
            }
            catch (ArgumentException e)
            {
                throw new UsageException("--cache: " + e.Message);
            }

            cfg = cfg.WithCache(cache);
        }

        return cfg;
    }

    private static async Task<ResolverHost> HostAsync(ResolverConfig cfg, string[] resolvers, string? anchorPath, CancellationToken cancellationToken)
    {
        var servers = await DnssecCommand.ServersAsync(resolvers.Length > 0 ? resolvers : [.. cfg.DnsServers], cancellationToken);
        var anchors = await DnssecCommand.AnchorsAsync(anchorPath ?? cfg.TrustAnchorFile, cancellationToken);
        return new ResolverHost(cfg, servers, anchors);
    }
}
