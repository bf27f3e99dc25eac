using CsCheck;
using MailTls.Findings;
using MailTls.Watch;
using static MailTls.Tests.Watch.WatchTestData;

namespace MailTls.Tests.Watch;

public sealed class AlertLedgerTests
{
    private const string Mx1 = "mx1.example.com [192.0.2.1]";

    private static AlertChanges Pass(List<WatchAlert> open, AuditFacts facts)
    {
        var changes = AlertLedger.Reconcile(open, WatchEvaluator.Evaluate(facts, null));
        open.Clear();
        open.AddRange(changes.Opened.Concat(changes.Continued).Concat(changes.Unseen));
        return changes;
    }

    [Fact]
    public void A_problem_opens_once_continues_silently_and_resolves_once()
    {
        var open = new List<WatchAlert>();
        var first = Pass(open, Clean(T0, CertExpiring()));
        var opened = Assert.Single(first.Opened);
        Assert.Equal(("mx-cert-expiring", Mx1, T0, T0), (opened.Kind, opened.Subject, opened.OpenedAt, opened.LastSeenAt));

        var second = Pass(open, Clean(T0.AddHours(1), CertExpired()));
        Assert.Empty(second.Opened);
        var continued = Assert.Single(second.Continued);
        Assert.Equal((T0, T0.AddHours(1), "smtp.cert.expired"), (continued.OpenedAt, continued.LastSeenAt, continued.Codes.Single()));

        var third = Pass(open, Clean(T0.AddHours(2)));
        var resolved = Assert.Single(third.Resolved);
        Assert.Equal(T0.AddHours(2), resolved.ResolvedAt);
        Assert.Empty(open);

        var fourth = Pass(open, Clean(T0.AddHours(3)));
        Assert.Equal((0, 0, 0, 0), (fourth.Opened.Count, fourth.Continued.Count, fourth.Resolved.Count, fourth.Unseen.Count));
    }

    [Fact]
    public void An_alert_the_audit_cannot_see_stays_open_untouched()
    {
        var open = new List<WatchAlert>();
        Pass(open, Clean(T0, CertExpiring()));
        var blind = Clean(T0.AddHours(1)) with { Addresses = [new AddressFacts("mx1.example.com", "192.0.2.1", TlsSeen: false), new AddressFacts("mx2.example.com", "192.0.2.2", true)] };
        var changes = Pass(open, blind);
        var kept = Assert.Single(changes.Unseen);
        Assert.Equal(T0, kept.LastSeenAt);
        Assert.Empty(changes.Resolved);
        Assert.Single(open);
    }

    [Fact]
    public void Alerts_of_other_domains_are_not_touched()
    {
        var other = new WatchAlert
        {
            Id = 7,
            Domain = "other.example",
            Kind = "mx-cert-expiring",
            Subject = Mx1,
            Severity = Severity.Warning,
            Codes = ["smtp.cert.expiring"],
            Message = "m",
            OpenedAt = T0,
            LastSeenAt = T0,
        };
        var changes = AlertLedger.Reconcile([other], WatchEvaluator.Evaluate(Clean(T0.AddHours(1)), null));
        Assert.True(changes.Resolved.Count + changes.Unseen.Count + changes.Continued.Count == 0);
    }

    private sealed record Step(bool Tls1, bool Problem1, bool Tls2, bool Problem2, bool Complete);

    private static readonly Gen<Step[]> Runs = Gen.Select(Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Int[0, 9],
        (t1, p1, t2, p2, c) => new Step(t1, t1 && p1, t2, t2 && p2, c > 0)).Array[1, 40];

    [Fact]
    public void Over_any_run_each_problem_opens_once_per_episode_and_resolves_once_when_seen_gone()
    {
        string[] subjects = [Mx1, "mx2.example.com [192.0.2.2]"];
        Runs.Sample(steps =>
        {
            var open = new List<WatchAlert>();
            var events = subjects.ToDictionary(s => s, _ => new List<string>());
            var isOpen = subjects.ToDictionary(s => s, _ => false);
            for (var i = 0; i < steps.Length; i++)
            {
                var s = steps[i];
                var findings = new List<Finding>();
                if (s.Complete && s.Problem1)
                {
                    findings.Add(CertExpiring(subjects[0]));
                }

                if (s.Complete && s.Problem2)
                {
                    findings.Add(CertExpiring(subjects[1]));
                }

                var facts = Clean(T0.AddHours(i), [.. findings]) with
                {
                    Completed = s.Complete,
                    Addresses = [new AddressFacts("mx1.example.com", "192.0.2.1", s.Tls1), new AddressFacts("mx2.example.com", "192.0.2.2", s.Tls2)],
                };
                var changes = Pass(open, facts);
                foreach (var a in changes.Opened)
                {
                    events[a.Subject].Add("open");
                }

                foreach (var a in changes.Resolved)
                {
                    events[a.Subject].Add("resolve");
                }

                // The model: present → open; seen without the problem → resolved; not seen → unchanged.
                bool[] present = [s.Complete && s.Problem1, s.Complete && s.Problem2];
                bool[] seen = [s.Complete && s.Tls1, s.Complete && s.Tls2];
                for (var k = 0; k < 2; k++)
                {
                    isOpen[subjects[k]] = present[k] || (isOpen[subjects[k]] && !seen[k]);
                }

                Assert.Equal(subjects.Where(x => isOpen[x]).Order(StringComparer.Ordinal), open.Select(a => a.Subject).Order(StringComparer.Ordinal));
                Assert.Equal(open.Count, open.Select(a => (a.Kind, a.Subject)).Distinct().Count());
            }

            foreach (var (_, list) in events)
            {
                // Strictly alternating, starting with an opening: one notice each way per episode.
                for (var j = 0; j < list.Count; j++)
                {
                    Assert.Equal(j % 2 == 0 ? "open" : "resolve", list[j]);
                }
            }
        }, iter: 300);
    }
}
