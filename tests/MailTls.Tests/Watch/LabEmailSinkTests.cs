using System.Text.Json;
using MailTls.Findings;
using MailTls.Watch;

namespace MailTls.Tests.Watch;

/// <summary>
/// The e-mail sink against a real MTA: a lab Postfix MX (STARTTLS with a lab-CA certificate, trusted inside the lab
/// namespace). The lab's Postfix never relays and rejects every recipient, so the sink must get through EHLO,
/// STARTTLS with a verified certificate and MAIL FROM, and then report Postfix's 5xx RCPT rejection as final.
/// </summary>
[Trait("Category", "Lab")]
public sealed class LabEmailSinkTests
{
    private static string Run => Environment.GetEnvironmentVariable("MAILTLS_LAB_RUN") ?? "/run/mailtls-lab";

    [Fact]
    public async Task Submits_over_verified_starttls_to_a_lab_postfix_and_reports_its_rejection_as_final()
    {
        using var plan = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Run, "plan.json")));
        var mx = plan.RootElement.GetProperty("mx").EnumerateArray().First(m =>
            m.GetProperty("domain").GetString() == "clean-enforce.lab" && m.GetProperty("behaviour").GetString() == "normal");
        var host = mx.GetProperty("host").GetString()!;
        var maillog = Path.Combine(Run, "postfix", "maillog");
        var before = File.Exists(maillog) ? new FileInfo(maillog).Length : 0;
        var recipient = $"watch-{Guid.NewGuid():N}@clean-enforce.lab";

        var sink = new EmailSink(new EmailSinkOptions
        {
            Name = "postmaster",
            Host = host,
            Port = 25,
            From = "mailtls-watch@reports.lab",
            To = [recipient],
            Timeout = TimeSpan.FromSeconds(10),
            Attempts = 1,
        });
        var alert = new WatchAlert
        {
            Id = 1,
            Domain = "clean-enforce.lab",
            Kind = "mx-cert-expiring",
            Subject = host,
            Severity = Severity.Warning,
            Codes = ["smtp.cert.expiring"],
            Message = "expires soon",
            OpenedAt = DateTimeOffset.UtcNow,
            LastSeenAt = DateTimeOffset.UtcNow,
        };
        var outcome = Assert.Single(await sink.DeliverAsync([new WatchNotice(1, "postmaster", NoticeEvent.Opened, alert, DateTimeOffset.UtcNow, 0, NoticeState.Pending, null)], DateTimeOffset.UtcNow));
        Assert.Equal(NoticeState.Failed, outcome.State);
        Assert.Matches(@"answered 5\d\d ", outcome.Error);

        // Postfix logged the TLS session and the rejected recipient (postlogd writes asynchronously).
        string log = string.Empty;
        for (var i = 0; i < 50 && !(log.Contains(recipient, StringComparison.Ordinal) && log.Contains("TLS connection established", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(200);
            await using var f = new FileStream(maillog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            f.Seek(before, SeekOrigin.Begin);
            log = await new StreamReader(f).ReadToEndAsync();
        }

        Assert.Contains("TLS connection established from", log, StringComparison.Ordinal);
        Assert.Contains($"to=<{recipient}>", log, StringComparison.Ordinal);
        Assert.Contains("reject: RCPT from", log, StringComparison.Ordinal);
    }
}
