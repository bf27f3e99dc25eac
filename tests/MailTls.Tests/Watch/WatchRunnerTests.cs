using MailTls.Audit;
using MailTls.Dns;
using MailTls.MtaSts;
using MailTls.Reports.Storage;
using MailTls.Tests.Reports;
using MailTls.Watch;
using static MailTls.Tests.Watch.WatchTestData;

namespace MailTls.Tests.Watch;

/// <summary>
/// Passes of the runner over a real SQLite store, with scripted audit results (the audits themselves are the check
/// pipeline, tested in the lab) and recording sinks: audits stored, alerts raised once, notices retried until
/// delivered, one recovery.
/// </summary>
public sealed class WatchRunnerTests
{
    private sealed class RecordingSink(string name, Func<int, bool>? fails = null) : IAlertSink
    {
        private int calls;

        public string Name => name;

        public List<WatchNotice> Delivered { get; } = [];

        public Task<IReadOnlyList<NoticeOutcome>> DeliverAsync(IReadOnlyList<WatchNotice> notices, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            calls++;
            if (fails?.Invoke(calls) == true)
            {
                return Task.FromResult<IReadOnlyList<NoticeOutcome>>([.. notices.Select(n => NoticeOutcome.Retry(n.Id, "relay down"))]);
            }

            Delivered.AddRange(notices);
            return Task.FromResult<IReadOnlyList<NoticeOutcome>>([.. notices.Select(n => NoticeOutcome.Delivered(n.Id))]);
        }
    }

    private static DomainAuditResult Audit(DateTimeOffset at, string id, StsPolicy policy, bool completed = true) => new()
    {
        Domain = Domain,
        CheckedAt = at,
        Findings = [],
        Completed = completed,
        Summary = $"{Domain}: policy id {id}",
        MtaSts = completed
            ? new StsAudit(StsDiscovery.Evaluate(new StsTxtAnswer(DnsAnswerStatus.Answer, [["v=STSv1; id=" + id]])), null, policy, null)
            : new StsAudit(null, null, null, null),
    };

    [Fact]
    public async Task Passes_store_audits_raise_once_retry_notices_and_resolve_once()
    {
        await using var store = await ReportDatabase.OpenAsync(Path.Combine(ReportTestData.TempDir(), "w.db"));
        var hook = new RecordingSink("hook");
        var mail = new RecordingSink("mail", fails: call => call == 1);
        var config = new WatchConfig { Domains = [Domain] };
        var runner = new WatchRunner(config, store, store, store, [hook, mail], r => $$"""{"domain":"{{r.Domain}}","at":"{{r.CheckedAt:O}}"}""");
        var a = Policy("mx1.example.com", "mx2.example.com");
        var b = Policy("mx1.example.com");
        var script = new Queue<DomainAuditResult>([
            Audit(T0, "1", a),
            Audit(T0.AddHours(1), "1", b),
            Audit(T0.AddHours(2), "1", b),
            Audit(T0.AddHours(3), "1", b, completed: false),
            Audit(T0.AddHours(4), "2", b),
            Audit(T0.AddHours(5), "2", b),
        ]);
        async Task<WatchPassResult> PassAsync()
        {
            using var auditor = new PassAuditor((_, _) => Task.FromResult(script.Dequeue()));
            return await runner.RunPassAsync(auditor);
        }

        var p1 = await PassAsync();
        Assert.Equal((true, 0, 0), (p1.Completed, p1.Open.Count, p1.Deliveries.Count));
        Assert.Equal(T0, (await store.PolicyBaselineAsync(Domain))!.SeenAt);

        var p2 = await PassAsync();
        var opened = Assert.Single(Assert.Single(p2.Domains).Changes.Opened);
        Assert.Equal(("policy-changed-without-id-bump", "_mta-sts.example.com", p2.Domains[0].AuditId), (opened.Kind, opened.Subject, opened.OpenedAuditId ?? 0));
        Assert.Equal([("hook", NoticeState.Delivered), ("mail", NoticeState.Pending)], p2.Deliveries.Select(d => (d.Notice.Sink, d.State)).ToArray());
        Assert.False(p2.Completed);
        Assert.True(p2.HasOpenErrors);

        var p3 = await PassAsync();
        Assert.Empty(p3.Domains[0].Changes.Opened);
        Assert.Equal([("mail", NoticeState.Delivered)], p3.Deliveries.Select(d => (d.Notice.Sink, d.State)).ToArray());
        Assert.True(p3.Completed);

        var p4 = await PassAsync(); // incomplete: sees nothing, resolves nothing
        Assert.Equal((false, 0, 1), (p4.Completed, p4.Domains[0].Changes.Resolved.Count, p4.Open.Count));

        var p5 = await PassAsync(); // the id was bumped
        Assert.Equal(opened.Id, Assert.Single(p5.Domains[0].Changes.Resolved).Id);
        Assert.Equal([("hook", NoticeEvent.Resolved), ("mail", NoticeEvent.Resolved)], p5.Deliveries.Select(d => (d.Notice.Sink, d.Notice.Event)).ToArray());
        Assert.Empty(p5.Open);

        var p6 = await PassAsync();
        Assert.Equal((0, 0, 0), (p6.Domains[0].Changes.Opened.Count, p6.Domains[0].Changes.Resolved.Count, p6.Deliveries.Count));

        Assert.Equal([NoticeEvent.Opened, NoticeEvent.Resolved], hook.Delivered.Select(n => n.Event).ToArray());
        Assert.Equal([NoticeEvent.Opened, NoticeEvent.Resolved], mail.Delivered.Select(n => n.Event).ToArray());

        var audits = await store.AuditHistoryAsync(Domain, 10);
        Assert.Equal(6, audits.Count);
        Assert.Equal(($$"""{"domain":"example.com","at":"{{T0.AddHours(5):O}}"}""", true), (audits[0].CheckJson, audits[0].Completed));
        Assert.False(audits[2].Completed);
    }
}
