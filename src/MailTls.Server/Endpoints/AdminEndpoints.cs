using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailTls.Findings;
using MailTls.Serve;
using MailTls.Server.Operations;
using MailTls.Server.Receiver;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MailTls.Server.Endpoints;

/// <summary>
/// Operations endpoints, served only on the admin listener (loopback by default, never on the policy listeners):
/// <c>/healthz</c> (JSON detail; 503 when a configured policy or certificate is not in service) and <c>/metrics</c>
/// (Prometheus text exposition 0.0.4).
/// </summary>
public static class AdminEndpoints
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapHealthz(this IEndpointRouteBuilder app, ServeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", (HttpContext context) =>
        {
            var (status, json) = Health(runtime);
            context.Response.StatusCode = status == "failing" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            context.Response.ContentType = "application/json; charset=utf-8";
            return context.Response.WriteAsync(json.ToJsonString(JsonOptions));
        });
        return app;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app, ServeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return context.Response.WriteAsync(Metrics(runtime));
        });
        return app;
    }

    /// <summary>Overall status (ok / degraded / failing) and the JSON detail of /healthz.</summary>
    public static (string Status, JsonObject Json) Health(ServeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var domains = new JsonArray();
        var failing = false;
        var degraded = false;
        foreach (var d in runtime.Policies.Domains)
        {
            var findings = runtime.Findings(d);
            failing |= d.Response is null || findings.Any(f => f.Code is "serve.cert.missing" or "serve.cert.expired");
            degraded |= findings.Any(f => f.Severity != Severity.Info);
            var host = "mta-sts." + d.Domain;
            var slot = runtime.Certificates.SlotFor(host);
            runtime.SelfCheck.TryGetValue(d.Domain, out var sc);
            domains.Add(new JsonObject
            {
                ["domain"] = d.Domain,
                ["policy_host"] = host,
                ["served"] = d.Response is not null,
                ["source"] = d.Source,
                ["policy_sha256"] = d.Response is null ? null : PolicyIdState.Hash(d.Response.Policy),
                ["published_id"] = sc?.PublishedId,
                ["mx"] = sc is null ? null : new JsonArray([.. sc.MxHosts.Select(h => (JsonNode)JsonValue.Create(h))]),
                ["certificate"] = slot is null ? null : new JsonObject
                {
                    ["sha256"] = slot.Current?.Sha256,
                    ["not_after"] = slot.Current?.NotAfter.ToString("O", CultureInfo.InvariantCulture),
                    ["loaded_at"] = slot.Current?.LoadedAt.ToString("O", CultureInfo.InvariantCulture),
                    ["cert"] = slot.Source.CertPath,
                    ["key"] = slot.Source.KeyPath,
                    ["error"] = slot.Error,
                },
                ["findings"] = FindingsJson(findings),
            });
        }

        JsonObject? tlsrpt = null;
        if (runtime.Receiver is { } receiver)
        {
            // A receiver without a certificate or with a store down receives nothing: failing, like a policy not served.
            var host = receiver.Settings.Host;
            var findings = ReceiverFindings(runtime, receiver);
            failing |= findings.Any(f => f.Code is "serve.cert.missing" or "serve.cert.expired" or "serve.tlsrpt.store-unavailable");
            degraded |= findings.Any(f => f.Severity != Severity.Info);
            var slot = runtime.Certificates.SlotFor(host);
            tlsrpt = new JsonObject
            {
                ["host"] = host,
                ["certificate"] = slot is null ? null : new JsonObject
                {
                    ["sha256"] = slot.Current?.Sha256,
                    ["not_after"] = slot.Current?.NotAfter.ToString("O", CultureInfo.InvariantCulture),
                    ["error"] = slot.Error,
                },
                ["tenants"] = new JsonArray([.. receiver.Tenants.Select(t => (JsonNode)new JsonObject
                {
                    ["name"] = t.Settings.Name,
                    ["path"] = t.Settings.RedactedPath,
                    ["store"] = t.Store.Description,
                    ["store_open"] = t.Store.IsOpen,
                    ["store_available"] = t.Store.Available,
                    ["store_error"] = t.Store.Error,
                    ["domains"] = t.Settings.Domains is null ? null : new JsonArray([.. t.Settings.Domains.Order(StringComparer.Ordinal).Select(d => (JsonNode)JsonValue.Create(d))]),
                    ["rate_per_minute"] = t.Settings.RatePerMinute,
                    ["burst"] = t.Settings.Burst,
                })]),
                ["findings"] = FindingsJson(findings),
            };
        }

        var status = failing ? "failing" : degraded ? "degraded" : "ok";
        return (status, new JsonObject
        {
            ["status"] = status,
            ["started_at"] = runtime.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["last_self_check"] = runtime.LastSelfCheck?.ToString("O", CultureInfo.InvariantCulture),
            ["policy_reloads"] = runtime.PolicyReloads,
            ["certificate_reloads"] = runtime.Certificates.Reloads,
            ["certificate_reload_failures"] = runtime.Certificates.ReloadFailures,
            ["domains"] = domains,
            ["tlsrpt"] = tlsrpt,
        });
    }

    /// <summary>The receiver's problems: its host's certificate (as for a policy host) and every store that failed.</summary>
    public static IReadOnlyList<Finding> ReceiverFindings(ServeRuntime runtime, ReportReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(receiver);
        var list = new List<Finding>();
        if (runtime.Settings.Listeners.Any(l => l.Tls))
        {
            list.AddRange(runtime.Certificates.Findings(receiver.Settings.Host));
        }

        foreach (var t in receiver.Tenants.Where(t => t.Store.Error is not null))
        {
            list.Add(ServeFindings.ReceiverStoreUnavailable.Create("tlsrpt tenant " + t.Settings.Name,
                $"The store {t.Store.Description} of tenant {t.Settings.Name} failed: {t.Store.Error}", FindingList.Evidence(("store", t.Store.Description))));
        }

        return list;
    }

    /// <summary>The finding JSON shape of the CLI contract: code, severity, subject, message, fix, evidence, why, rule.</summary>
    public static JsonArray FindingsJson(IEnumerable<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        return new JsonArray([.. findings.Select(f =>
        {
            var evidence = new JsonObject();
            foreach (var (k, v) in f.Evidence)
            {
                evidence[k] = v;
            }

            return (JsonNode)new JsonObject
            {
                ["code"] = f.Code,
                ["severity"] = f.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "info" },
                ["subject"] = f.Subject,
                ["message"] = f.Message,
                ["fix"] = f.Fix,
                ["evidence"] = evidence,
                ["why"] = f.Why,
                ["rule"] = f.Rule,
            };
        })]);
    }

    /// <summary>The Prometheus text exposition of the runtime's state.</summary>
    public static string Metrics(ServeRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var sb = new StringBuilder();
        var now = runtime.Time.GetUtcNow();
        runtime.Metrics.WriteRequests(sb);
        if (runtime.Receiver is { } receiver)
        {
            runtime.Metrics.WriteReports(sb);
            sb.Append("# HELP mailtls_serve_tlsrpt_store_up 0 after the tenant's report store failed to open or to write (reports are answered 503), 1 otherwise.\n");
            sb.Append("# TYPE mailtls_serve_tlsrpt_store_up gauge\n");
            foreach (var t in receiver.Tenants)
            {
                sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_tlsrpt_store_up{{tenant=\"{ServeMetrics.Escape(t.Settings.Name)}\"}} {(t.Store.Available ? 1 : 0)}\n");
            }
        }

        sb.Append("# HELP mailtls_serve_policy_served 1 when the domain's policy is served, 0 when it is not (invalid or unreadable).\n");
        sb.Append("# TYPE mailtls_serve_policy_served gauge\n");
        foreach (var d in runtime.Policies.Domains)
        {
            sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_policy_served{{domain=\"{ServeMetrics.Escape(d.Domain)}\"}} {(d.Response is null ? 0 : 1)}\n");
        }

        sb.Append("# HELP mailtls_serve_certificate_expiry_seconds Seconds until the served certificate of a policy host expires (negative: expired).\n");
        sb.Append("# TYPE mailtls_serve_certificate_expiry_seconds gauge\n");
        foreach (var slot in runtime.Certificates.Slots)
        {
            if (slot.Current is { } c)
            {
                foreach (var h in slot.Source.Hosts)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_certificate_expiry_seconds{{host=\"{ServeMetrics.Escape(h)}\"}} {(long)(c.NotAfter - now).TotalSeconds}\n");
                }
            }
        }

        sb.Append("# HELP mailtls_serve_certificate_reload_failed 1 while the last load of a host's certificate files failed (the previous certificate, if any, is served).\n");
        sb.Append("# TYPE mailtls_serve_certificate_reload_failed gauge\n");
        foreach (var slot in runtime.Certificates.Slots)
        {
            foreach (var h in slot.Source.Hosts)
            {
                sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_certificate_reload_failed{{host=\"{ServeMetrics.Escape(h)}\"}} {(slot.Error is null ? 0 : 1)}\n");
            }
        }

        sb.Append("# HELP mailtls_serve_certificate_reloads_total Certificates replaced after a file change.\n# TYPE mailtls_serve_certificate_reloads_total counter\n");
        sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_certificate_reloads_total {runtime.Certificates.Reloads}\n");
        sb.Append("# HELP mailtls_serve_certificate_reload_failures_total Changed certificate files that did not load.\n# TYPE mailtls_serve_certificate_reload_failures_total counter\n");
        sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_certificate_reload_failures_total {runtime.Certificates.ReloadFailures}\n");

        sb.Append("# HELP mailtls_serve_problems Current findings (policy lint, certificates, DNS self-check) by domain, code and severity.\n");
        sb.Append("# TYPE mailtls_serve_problems gauge\n");
        foreach (var d in runtime.Policies.Domains)
        {
            foreach (var g in runtime.Findings(d).Where(f => f.Severity != Severity.Info).GroupBy(f => (f.Code, f.Severity)))
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"mailtls_serve_problems{{domain=\"{ServeMetrics.Escape(d.Domain)}\",code=\"{g.Key.Code}\",severity=\"{(g.Key.Severity == Severity.Error ? "error" : "warning")}\"}} {g.Count()}\n");
            }
        }

        sb.Append("# HELP mailtls_serve_self_check_last_run_timestamp_seconds Unix time of the last DNS self-check (0: none yet).\n");
        sb.Append("# TYPE mailtls_serve_self_check_last_run_timestamp_seconds gauge\n");
        sb.Append(CultureInfo.InvariantCulture, $"mailtls_serve_self_check_last_run_timestamp_seconds {runtime.LastSelfCheck?.ToUnixTimeSeconds() ?? 0}\n");
        return sb.ToString();
    }
}
