using MailTls.Findings;
using MailTls.Reports.Storage;
using MailTls.Watch;
using static MailTls.Tests.Watch.WatchTestData;

namespace MailTls.Tests.Watch;

/// <summary>The alert store behaviour both SQLite and PostgreSQL must show (migration 5).</summary>
internal static class WatchStoreContract
{
    private static readonly string[] Sinks = ["hook", "mail"];

    private static Task<AlertChanges> PassAsync(SqlReportStore store, AuditFacts facts, long auditId) =>
        store.ReconcileAsync(facts.Domain, (open, baseline) =>
        {
            var o = WatchEvaluator.Evaluate(facts, baseline);
            return new WatchDecision(AlertLedger.Reconcile(open, o, auditId), o.NewBaseline);
        }, Sinks);

    /// <summary>Open → notices per sink; continue → none; resolve → a recovery only where the opening was delivered.</summary>
    public static async Task LifecycleAsync(SqlReportStore store)
    {
        var first = await PassAsync(store, Clean(T0, CertExpiring()), 11);
        var opened = Assert.Single(first.Opened);
        Assert.True(opened.Id > 0);
        var stored = Assert.Single(await store.OpenAlertsAsync());
        Assert.Equal((opened.Id, "example.com", "mx-cert-expiring", "mx1.example.com [192.0.2.1]", Severity.Warning, "smtp.cert.expiring", T0, 11L),
            (stored.Id, stored.Domain, stored.Kind, stored.Subject, stored.Severity, string.Join(',', stored.Codes), stored.OpenedAt, stored.OpenedAuditId ?? 0));
        Assert.Equal(("1", T0), ((await store.PolicyBaselineAsync("example.com"))!.Id, (await store.PolicyBaselineAsync("EXAMPLE.com."))!.SeenAt));

        var pending = await store.PendingNoticesAsync(Sinks);
        Assert.Equal([("hook", NoticeEvent.Opened), ("mail", NoticeEvent.Opened)], pending.Select(n => (n.Sink, n.Event)).ToArray());
        Assert.Empty(await store.PendingNoticesAsync(["other"]));

        var second = await PassAsync(store, Clean(T0.AddHours(1), CertExpired()), 12);
        Assert.Empty(second.Opened);
        var again = Assert.Single(await store.OpenAlertsAsync());
        Assert.Equal((T0.AddHours(1), Severity.Error, "smtp.cert.expired"), (again.LastSeenAt, again.Severity, again.Codes.Single()));
        Assert.Equal(2, (await store.PendingNoticesAsync(Sinks)).Count);

        var hook = pending.Single(n => n.Sink == "hook");
        await store.RecordAttemptAsync(hook.Id, NoticeState.Delivered, null, T0.AddHours(1));
        var mail = pending.Single(n => n.Sink == "mail");
        await store.RecordAttemptAsync(mail.Id, NoticeState.Pending, "relay down", T0.AddHours(1));
        Assert.Equal([("mail", 1, "relay down")], (await store.PendingNoticesAsync(Sinks)).Select(n => (n.Sink, n.Attempts, n.LastError)).ToArray());

        var third = await PassAsync(store, Clean(T0.AddHours(2)), 13);
        var resolved = Assert.Single(third.Resolved);
        Assert.Empty(await store.OpenAlertsAsync());
        var history = Assert.Single(await store.AlertsAsync("example.com", 10));
        Assert.Equal((T0.AddHours(2), 13L), (history.ResolvedAt, history.ResolvedAuditId ?? 0));

        // The hook heard of the alert, so it hears of its end; the mail sink never did, so neither is sent.
        var notices = await store.NoticesAsync(resolved.Id);
        Assert.Equal(
            [("hook", NoticeEvent.Opened, NoticeState.Delivered), ("mail", NoticeEvent.Opened, NoticeState.Cancelled), ("hook", NoticeEvent.Resolved, NoticeState.Pending)],
            notices.Select(n => (n.Sink, n.Event, n.State)).ToArray());
        var recovery = Assert.Single(await store.PendingNoticesAsync(Sinks));
        Assert.Equal((NoticeEvent.Resolved, T0.AddHours(2)), (recovery.Event, recovery.Alert.ResolvedAt));
        await store.RecordAttemptAsync(recovery.Id, NoticeState.Failed, "HTTP 410 Gone", T0.AddHours(2));
        Assert.Empty(await store.PendingNoticesAsync(Sinks));

        // A new episode is a new alert.
        var fourth = await PassAsync(store, Clean(T0.AddHours(3), CertExpiring()), 14);
        Assert.NotEqual(opened.Id, Assert.Single(fourth.Opened).Id);
        Assert.Equal(2, (await store.AlertsAsync(null, 10)).Count);
    }

    /// <summary>The policy baseline is replaced on a new id only.</summary>
    public static async Task BaselineAsync(SqlReportStore store)
    {
        await PassAsync(store, Clean(T0), 1);
        var changed = Clean(T0.AddHours(1)) with { Policy = Policy("mx1.example.com") };
        var p = await PassAsync(store, changed, 2);
        Assert.Equal("policy-changed-without-id-bump", Assert.Single(p.Opened).Kind);
        Assert.Equal(T0, (await store.PolicyBaselineAsync("example.com"))!.SeenAt);
        var bumped = await PassAsync(store, changed with { PolicyId = "2", AuditedAt = T0.AddHours(2) }, 3);
        Assert.Equal("policy-changed-without-id-bump", Assert.Single(bumped.Resolved).Kind);
        var b = (await store.PolicyBaselineAsync("example.com"))!;
        Assert.Equal(("2", T0.AddHours(2)), (b.Id, b.SeenAt));
        Assert.Contains("mx: mx1.example.com", b.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("mx2", b.Text, StringComparison.Ordinal);
    }

    /// <summary>Concurrent passes over one domain (two watch processes) open one alert and queue one notice per sink.</summary>
    public static async Task ConcurrentPassesAsync(SqlReportStore store)
    {
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => PassAsync(store, Clean(T0.AddMinutes(i), CertExpiring(), NotCovered()), i))));
        var open = await store.OpenAlertsAsync();
        Assert.Equal(["mx-cert-expiring", "mx-not-covered"], open.Select(a => a.Kind).ToArray());
        Assert.Equal(4, (await store.PendingNoticesAsync(Sinks)).Count);
    }

    /// <summary>The partial unique index: a second open alert for the same domain, kind and subject is refused.</summary>
    public static async Task OneOpenAlertPerKeyAsync(SqlReportStore store)
    {
        await PassAsync(store, Clean(T0, CertExpiring()), 1);
        var duplicate = new WatchAlert
        {
            Domain = Domain,
            Kind = "mx-cert-expiring",
            Subject = "mx1.example.com [192.0.2.1]",
            Severity = Severity.Warning,
            Codes = ["smtp.cert.expiring"],
            Message = "dup",
            OpenedAt = T0,
            LastSeenAt = T0,
        };
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.ReconcileAsync(Domain, (_, _) =>
            new WatchDecision(new AlertChanges([duplicate], [], [], []), null), Sinks));
        Assert.Single(await store.OpenAlertsAsync());
        Assert.Equal(2, (await store.PendingNoticesAsync(Sinks)).Count);
    }
}
