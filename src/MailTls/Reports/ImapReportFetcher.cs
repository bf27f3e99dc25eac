using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

namespace MailTls.Reports;

/// <summary>Where and how to fetch: <c>imaps://user@host[:port]/MAILBOX</c> (or <c>imap://</c> with STARTTLS).</summary>
public sealed record ImapFetchSettings
{
    public required Uri Url { get; init; }

    /// <summary>Never from the command line: a file or the environment (<c>MAILTLS_IMAP_PASSWORD</c>).</summary>
    public required string Password { get; init; }

    /// <summary>Folder a message is moved to after its reports are stored (created if missing).</summary>
    public string MoveTo { get; init; } = "TLS-RPT/processed";

    /// <summary>Flag (\Seen and $TLSRPT-Processed) instead of moving.</summary>
    public bool FlagOnly { get; init; }

    public string User => Uri.UnescapeDataString(Url.UserInfo.Split(':')[0]);

    public string Mailbox => Url.AbsolutePath.Trim('/') is { Length: > 0 } m ? Uri.UnescapeDataString(m) : "INBOX";

    public int Port => Url.IsDefaultPort || Url.Port <= 0 ? (Url.Scheme == "imaps" ? 993 : 143) : Url.Port;

    /// <summary>Parses and checks the URL; a password in it is refused (it would be visible in the process list).</summary>
    public static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("imaps" or "imap") || string.IsNullOrEmpty(uri.Host) || uri.UserInfo.Length == 0)
        {
            throw new ArgumentException($"expected imaps://user@host[:port]/MAILBOX, got {url}", nameof(url));
        }

        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("the IMAP URL must not carry a password; use --password-file or MAILTLS_IMAP_PASSWORD", nameof(url));
        }

        return uri;
    }
}

/// <summary>
/// Fetches TLS-RPT mail over IMAP (MailKit). Report mail is found by the <c>TLS-Report-Domain</c> header
/// (IMAP SEARCH HEADER, RFC 8460 §5.3; notes §7.1) or the tlsrpt media types, never by Subject (notes Q17). Each
/// message is ingested; only after the store committed its reports (imported, duplicate or quarantined) is it
/// moved to <see cref="ImapFetchSettings.MoveTo"/> or flagged, so a crash can re-deliver but never lose a report.
/// Refused messages (over a size cap) stay in the mailbox and are listed as errors.
/// </summary>
public static class ImapReportFetcher
{
    public const string ProcessedKeyword = "$TLSRPT-Processed";

    public static async Task<ImportTally> FetchAsync(ReportIngestor ingestor, ImapFetchSettings settings, CancellationToken cancellationToken = default)
    {
        using var client = await ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
        var tally = new ImportTally();
        var folder = await client.GetFolderAsync(settings.Mailbox, cancellationToken).ConfigureAwait(false);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken).ConfigureAwait(false);
        var target = settings.FlagOnly ? null : await EnsureFolderAsync(client, settings.MoveTo, cancellationToken).ConfigureAwait(false);
        await FetchRoundAsync(ingestor, settings, folder, target, tally, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        return tally;
    }

    /// <summary>Fetches, then waits with IDLE for new mail and fetches again, until cancelled. Each round's tally goes to <paramref name="round"/>.</summary>
    public static async Task WatchAsync(ReportIngestor ingestor, ImapFetchSettings settings, Action<ImportTally> round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        using var client = await ConnectAsync(settings, cancellationToken).ConfigureAwait(false);
        var folder = await client.GetFolderAsync(settings.Mailbox, cancellationToken).ConfigureAwait(false);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken).ConfigureAwait(false);
        var target = settings.FlagOnly ? null : await EnsureFolderAsync(client, settings.MoveTo, cancellationToken).ConfigureAwait(false);
        while (!cancellationToken.IsCancellationRequested)
        {
            var tally = new ImportTally();
            await FetchRoundAsync(ingestor, settings, folder, target, tally, cancellationToken).ConfigureAwait(false);
            round(tally);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            done.CancelAfter(TimeSpan.FromMinutes(9)); // RFC 2177: re-issue IDLE before the 29-minute server timeout.
            void OnCount(object? sender, EventArgs e) => done.Cancel();
            folder.CountChanged += OnCount;
            try
            {
                await client.IdleAsync(done.Token, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                folder.CountChanged -= OnCount;
            }
        }
    }

    internal static async Task<ImapClient> ConnectAsync(ImapFetchSettings settings, CancellationToken cancellationToken = default)
    {
        // The certificate is validated against the trust store and the host name as usual; revocation (a MAY of
        // RFC 5280 clients) is not checked online: OCSP/CRL fetches would add unbounded network waits and fail
        // closed on networks without access to the CA's responders.
        var client = new ImapClient
        {
            CheckCertificateRevocation = false,

            // The platform's verdict (trust store + host name), without MailKit's default extra revocation checks.
            ServerCertificateValidationCallback = static (_, _, _, errors) => errors == System.Net.Security.SslPolicyErrors.None,
        };
        try
        {
            var security = settings.Url.Scheme == "imaps" ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
            await client.ConnectAsync(settings.Url.Host, settings.Port, security, cancellationToken).ConfigureAwait(false);
            await client.AuthenticateAsync(settings.User, settings.Password, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task FetchRoundAsync(ReportIngestor ingestor, ImapFetchSettings settings, IMailFolder folder, IMailFolder? target, ImportTally tally, CancellationToken cancellationToken)
    {
        var query = SearchQuery.HeaderContains("TLS-Report-Domain", string.Empty)
            .Or(SearchQuery.HeaderContains("Content-Type", "tlsrpt"))
            .Or(SearchQuery.BodyContains("application/tlsrpt"));
        if (settings.FlagOnly)
        {
            query = query.And(SearchQuery.NotKeyword(ProcessedKeyword));
        }

        var uids = await folder.SearchAsync(query, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in uids.Chunk(Limits.ImapFetchBatch))
        {
            var stored = new List<UniqueId>();
            var pending = new List<Task>();
            foreach (var uid in chunk)
            {
                byte[] bytes;
                using (var stream = await folder.GetStreamAsync(uid, cancellationToken).ConfigureAwait(false))
                {
                    if (stream.Length > Limits.TlsRptMaxMessageBytes)
                    {
                        tally.Add(Source(settings, uid), new IngestOutcome(IngestStatus.Refused, null, $"message is {stream.Length} bytes; the limit is {Limits.TlsRptMaxMessageBytes}"));
                        continue;
                    }

                    using var ms = new MemoryStream();
                    await stream.CopyToAsync(ms, cancellationToken).ConfigureAwait(false);
                    bytes = ms.ToArray();
                }

                var source = Source(settings, uid);
                pending.Add(IngestOneAsync(ingestor, bytes, source, uid, stored, tally, cancellationToken));
            }

            await Task.WhenAll(pending).ConfigureAwait(false);

            // Only now, after the store committed every report of these messages, are they moved or flagged.
            if (stored.Count == 0)
            {
                continue;
            }

            if (target is null)
            {
                await folder.AddFlagsAsync(stored, MessageFlags.Seen, new HashSet<string>(StringComparer.Ordinal) { ProcessedKeyword }, silent: true, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await folder.MoveToAsync(stored, target, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task IngestOneAsync(ReportIngestor ingestor, byte[] bytes, ReportSource source, UniqueId uid, List<UniqueId> stored, ImportTally tally, CancellationToken cancellationToken)
    {
        var outcomes = await ingestor.IngestAsync(bytes, source, cancellationToken).ConfigureAwait(false);
        foreach (var o in outcomes)
        {
            tally.Add(source, o);
        }

        if (outcomes.All(o => o.IsStored))
        {
            lock (stored)
            {
                stored.Add(uid);
            }
        }
    }

    private static ReportSource Source(ImapFetchSettings settings, UniqueId uid) =>
        new("imap", $"imap://{settings.Url.Host}/{settings.Mailbox};UID={uid.Id}");

    private static async Task<IMailFolder> EnsureFolderAsync(ImapClient client, string path, CancellationToken cancellationToken)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]) ?? throw new InvalidOperationException("the IMAP server has no personal namespace");
        var parts = path.Split(['/', root.DirectorySeparator], StringSplitOptions.RemoveEmptyEntries);
        IMailFolder current = root;
        foreach (var part in parts)
        {
            var subfolders = await current.GetSubfoldersAsync(false, cancellationToken).ConfigureAwait(false);
            var existing = subfolders.FirstOrDefault(f => f.Name == part);
            current = existing ?? await current.CreateAsync(part, true, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the IMAP server did not create folder {part}");
        }

        return current;
    }
}
