using System.Text.Json.Nodes;
using MailTls.Findings;
using MailTls.Tests.Shared;
using MailTls.Tests.Smtp;
using MailTls.Watch;
using MimeKit;

namespace MailTls.Tests.Watch;

/// <summary>The e-mail sink (MailKit) against an SMTP server on loopback with STARTTLS and AUTH PLAIN.</summary>
public sealed class EmailSinkTests
{
    private static readonly WatchAlert Alert = new()
    {
        Id = 3,
        Domain = "example.com",
        Kind = "policy-unreachable",
        Subject = "mta-sts.example.com",
        Severity = Severity.Error,
        Codes = ["sts.policy.http-status"],
        Message = "https://mta-sts.example.com/.well-known/mta-sts.txt answered HTTP 404; only 200 delivers a policy.",
        OpenedAt = WatchTestData.T0,
        LastSeenAt = WatchTestData.T0,
    };

    private static WatchNotice Notice(long id, NoticeEvent e, WatchAlert a) => new(id, "postmaster", e, a, WatchTestData.T0, 0, NoticeState.Pending, null);

    private static readonly WatchNotice[] Batch =
    [
        Notice(1, NoticeEvent.Opened, Alert),
        Notice(2, NoticeEvent.Resolved, Alert with { Id = 4, Domain = "example.net", Kind = "mx-cert-expiring", Subject = "mx1.example.net [192.0.2.1]", Severity = Severity.Warning, Codes = ["smtp.cert.expiring"], Message = "expires soon", ResolvedAt = WatchTestData.T0.AddHours(1) }),
    ];

    private static EmailSinkOptions Options(int port, SmtpRelaySecurity security = SmtpRelaySecurity.StartTls, string? user = "watch") => new()
    {
        Name = "postmaster",
        Host = "localhost",
        Port = port,
        Security = security,
        From = "mailtls-watch@example.com",
        To = ["postmaster@example.com", "oncall@example.com"],
        Username = user,
        Timeout = TimeSpan.FromSeconds(10),
        Attempts = 2,
    };

    [Fact]
    public async Task Sends_one_message_per_batch_over_starttls_with_auth()
    {
        using var pki = new LoopbackPki();
        using var leaf = pki.Leaf("localhost");
        await using var server = new SmtpTestServer(leaf, "watch", "pa55");
        var sink = new EmailSink(Options(server.Port), "pa55", [pki.Root]) { RetryDelay = TimeSpan.FromMilliseconds(10) };
        var outcomes = await sink.DeliverAsync(Batch, WatchTestData.T0.AddHours(2));
        Assert.Equal([NoticeState.Delivered, NoticeState.Delivered], outcomes.Select(o => o.State).ToArray());

        var m = Assert.Single(server.Messages);
        Assert.Equal(("mailtls-watch@example.com", "postmaster@example.com,oncall@example.com", true, "watch"), (m.From, string.Join(',', m.To), m.Tls, m.AuthUser));
        Assert.Equal(["EHLO", "STARTTLS", "EHLO", "AUTH PLAIN", "MAIL", "RCPT", "RCPT", "DATA", "QUIT"], server.Commands.Select(c => c.Split(' ')[0] == "AUTH" ? c : c.Split(' ')[0]).ToArray());

        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data)));
        Assert.Equal("[mailtls watch] 1 new, 1 resolved: example.com, example.net", message.Subject);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.Contains("* example.com: MTA-STS policy cannot be fetched [policy-unreachable, error]", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("fix: " + FindingCatalog.Find("sts.policy.http-status")!.Fix, message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Resolved (1):", message.TextBody, StringComparison.Ordinal);
        var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
        Assert.Equal("notices.json", attachment.FileName);
        using var json = new MemoryStream();
        attachment.Content!.DecodeTo(json);
        var notices = JsonNode.Parse(json.ToArray())!.AsArray();
        Assert.Equal(["opened", "resolved"], notices.Select(n => n!["event"]!.GetValue<string>()).ToArray());
        Assert.Equal("mx1.example.net [192.0.2.1]", notices[1]!["alert"]!["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task Never_sends_in_clear_when_the_relay_does_not_offer_starttls()
    {
        await using var server = new SmtpTestServer(certificate: null, "watch", "pa55");
        var sink = new EmailSink(Options(server.Port), "pa55") { RetryDelay = TimeSpan.FromMilliseconds(10) };
        var outcomes = await sink.DeliverAsync(Batch, WatchTestData.T0);
        Assert.All(outcomes, o => Assert.Equal(NoticeState.Pending, o.State));
        Assert.Contains("STARTTLS", outcomes[0].Error, StringComparison.Ordinal);
        Assert.Empty(server.Messages);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal) || c.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_untrusted_relay_certificate_is_refused()
    {
        using var pki = new LoopbackPki();
        using var leaf = pki.Leaf("localhost");
        await using var server = new SmtpTestServer(leaf, "watch", "pa55");
        var sink = new EmailSink(Options(server.Port), "pa55") { RetryDelay = TimeSpan.FromMilliseconds(10) };
        var outcomes = await sink.DeliverAsync(Batch, WatchTestData.T0);
        Assert.All(outcomes, o => Assert.Equal(NoticeState.Pending, o.State));
        Assert.Contains("TLS failed", outcomes[0].Error, StringComparison.Ordinal);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task A_permanent_rejection_is_final_and_bad_credentials_are_retried_later()
    {
        using var pki = new LoopbackPki();
        using var leaf = pki.Leaf("localhost");
        await using (var rejecting = new SmtpTestServer(leaf, "watch", "pa55", rcptReply: "550 5.1.1 no such user"))
        {
            var sink = new EmailSink(Options(rejecting.Port), "pa55", [pki.Root]) { RetryDelay = TimeSpan.FromMilliseconds(10) };
            var outcomes = await sink.DeliverAsync(Batch, WatchTestData.T0);
            Assert.All(outcomes, o => Assert.Equal(NoticeState.Failed, o.State));
            Assert.Contains("550", outcomes[0].Error, StringComparison.Ordinal);
            Assert.Single(rejecting.Commands, c => c == "STARTTLS");
        }

        await using var server = new SmtpTestServer(leaf, "watch", "pa55");
        var wrong = new EmailSink(Options(server.Port), "wrong", [pki.Root]) { RetryDelay = TimeSpan.FromMilliseconds(10) };
        var retried = await wrong.DeliverAsync(Batch, WatchTestData.T0);
        Assert.All(retried, o => Assert.Equal(NoticeState.Pending, o.State));
        Assert.Contains("authentication failed", retried[0].Error, StringComparison.Ordinal);
        Assert.Equal(2, server.Commands.Count(c => c == "AUTH PLAIN"));
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task A_loopback_relay_may_be_plain()
    {
        await using var server = new SmtpTestServer(certificate: null);
        var sink = new EmailSink(Options(server.Port, SmtpRelaySecurity.None, user: null));
        var outcomes = await sink.DeliverAsync([Batch[0]], WatchTestData.T0);
        Assert.Equal(NoticeState.Delivered, Assert.Single(outcomes).State);
        var m = Assert.Single(server.Messages);
        Assert.False(m.Tls);
        Assert.Contains("Subject: [mailtls watch] 1 new: example.com", m.Data, StringComparison.Ordinal);
    }
}
