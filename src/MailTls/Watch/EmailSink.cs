using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailTls.Pki;
using MimeKit;

namespace MailTls.Watch;

/// <summary>
/// Sends one message per pass with every new and resolved alert (a text part a person reads, and the notices as
/// <c>notices.json</c>) through an SMTP relay with MailKit: STARTTLS required by default (RFC 3207), or implicit TLS
/// (RFC 8314), or plain only to a loopback relay; SMTP AUTH with a password read from a file or an environment
/// variable. A 5xx reply is final (the notices fail); connection, TLS, authentication and 4xx failures are retried
/// on this pass and the next.
/// </summary>
public sealed class EmailSink : IAlertSink
{
    private readonly EmailSinkOptions options;
    private readonly string? password;
    private readonly IReadOnlyList<X509Certificate2>? extraRoots;

    /// <param name="options">The sink configuration.</param>
    /// <param name="password">The AUTH password (from the file or environment variable the configuration names).</param>
    /// <param name="extraRoots">Roots trusted for the relay besides the system store (<c>ca_file</c>).</param>
    public EmailSink(EmailSinkOptions options, string? password = null, IReadOnlyList<X509Certificate2>? extraRoots = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.password = password;
        this.extraRoots = extraRoots;
    }

    public string Name => options.Name;

    /// <summary>Delay before the second attempt; it doubles for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = Limits.WatchSinkRetryDelay;

    /// <summary>Clock for the relay certificate check with <c>ca_file</c>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public async Task<IReadOnlyList<NoticeOutcome>> DeliverAsync(IReadOnlyList<WatchNotice> notices, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notices);
        if (notices.Count == 0)
        {
            return [];
        }

        using var message = Compose(notices, now);
        var error = "no attempt";
        var final = false;
        for (var attempt = 1; attempt <= options.Attempts && !final; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(RetryDelay * Math.Pow(2, attempt - 2), cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await SendAsync(message, cancellationToken).ConfigureAwait(false);
                return [.. notices.Select(n => NoticeOutcome.Delivered(n.Id))];
            }
            catch (SmtpCommandException e)
            {
                error = $"{options.Host}:{options.Port} answered {(int)e.StatusCode} {e.Message.Trim()}";
                final = (int)e.StatusCode >= 500;
            }
            catch (SmtpProtocolException e)
            {
                error = $"{options.Host}:{options.Port}: SMTP protocol error: {e.Message}";
            }
            catch (AuthenticationException e)
            {
                error = $"{options.Host}:{options.Port}: authentication failed: {e.Message}";
            }
            catch (SslHandshakeException e)
            {
                error = $"{options.Host}:{options.Port}: TLS failed: {e.Message.Split('\n')[0].Trim()}";
            }
            catch (NotSupportedException e)
            {
                // MailKit: STARTTLS required but not offered, or AUTH not offered.
                error = $"{options.Host}:{options.Port}: {e.Message}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"{options.Host}:{options.Port}: no answer within the deadline";
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or ServiceNotConnectedException)
            {
                error = $"{options.Host}:{options.Port}: {e.Message}";
            }
        }

        return final
            ? [.. notices.Select(n => NoticeOutcome.Refused(n.Id, error + " (not retried)"))]
            : [.. notices.Select(n => NoticeOutcome.Retry(n.Id, error))];
    }

    private async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient
        {
            Timeout = (int)options.Timeout.TotalMilliseconds,
            CheckCertificateRevocation = false,
        };
        if (extraRoots is { Count: > 0 })
        {
            client.ServerCertificateValidationCallback = ValidateWithExtraRoots;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout * 4);
        var security = options.Security switch
        {
            SmtpRelaySecurity.Tls => SecureSocketOptions.SslOnConnect,
            SmtpRelaySecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(options.Host, options.Port, security, deadline.Token).ConfigureAwait(false);
        if (options.Username is { } user)
        {
            await client.AuthenticateAsync(user, password ?? string.Empty, deadline.Token).ConfigureAwait(false);
        }

        await client.SendAsync(message, deadline.Token).ConfigureAwait(false);
        await client.DisconnectAsync(true, deadline.Token).ConfigureAwait(false);
    }

    private bool ValidateWithExtraRoots(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var presented = PresentedChain.Capture(certificate, chain);
        return presented.Count > 0 && WebPkiVerifier.Verify(presented, options.Host, Time.GetUtcNow(), extraRoots).IsValid;
    }

    /// <summary>The message for a batch of notices (public for tests and previews).</summary>
    public MimeMessage Compose(IReadOnlyList<WatchNotice> notices, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(notices);
        var opened = notices.Where(n => n.Event == NoticeEvent.Opened).ToList();
        var resolved = notices.Where(n => n.Event == NoticeEvent.Resolved).ToList();
        var domains = notices.Select(n => n.Alert.Domain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var counts = new List<string>();
        if (opened.Count > 0)
        {
            counts.Add(opened.Count.ToString(CultureInfo.InvariantCulture) + " new");
        }

        if (resolved.Count > 0)
        {
            counts.Add(resolved.Count.ToString(CultureInfo.InvariantCulture) + " resolved");
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        foreach (var t in options.To)
        {
            message.To.Add(MailboxAddress.Parse(t));
        }

        message.Subject = $"[mailtls watch] {string.Join(", ", counts)}: {string.Join(", ", domains.Take(5))}{(domains.Count > 5 ? ", …" : string.Empty)}";
        message.Date = now;
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var text = new StringBuilder();
        Section(text, "New alerts", opened);
        Section(text, "Resolved", resolved);
        text.AppendLine("-- ").AppendLine("mailtls watch (docs/watch.md). The notices as JSON are attached (notices.json).");
        var json = new JsonArray([.. notices.Select(n => (JsonNode)AlertPayload.Notice(n, now))]).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var multipart = new Multipart("mixed")
        {
            new TextPart("plain") { Text = text.ToString() },
            new MimePart("application", "json")
            {
                Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(json))),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = "notices.json",
            },
        };
        message.Body = multipart;
        return message;
    }

    private static void Section(StringBuilder text, string title, List<WatchNotice> notices)
    {
        if (notices.Count == 0)
        {
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{title} ({notices.Count}):").AppendLine();
        foreach (var n in notices)
        {
            var a = n.Alert;
            var payload = AlertPayload.Alert(a);
            text.AppendLine(CultureInfo.InvariantCulture, $"* {a.Domain}: {payload["title"]} [{a.Kind}, {a.Severity.ToString().ToLowerInvariant()}]");
            text.AppendLine(CultureInfo.InvariantCulture, $"  subject: {a.Subject}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {(n.Event == NoticeEvent.Opened ? "since" : "resolved")}: {(n.Event == NoticeEvent.Opened ? a.OpenedAt : a.ResolvedAt ?? a.LastSeenAt).ToString("u", CultureInfo.InvariantCulture)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {a.Message}");
            if (n.Event == NoticeEvent.Opened && payload["fix"]?.GetValue<string>() is { } fix)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  fix: {fix}");
            }

            text.AppendLine();
        }
    }
}
