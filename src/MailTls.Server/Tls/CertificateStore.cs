using System.Collections.Frozen;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailTls.Findings;
using MailTls.Pki;
using MailTls.Serve;
using MailTls.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Tls;

/// <summary>A certificate in service: the leaf, its chain context (sent in the handshake) and when it was loaded.</summary>
public sealed record LoadedCertificate(X509Certificate2 Leaf, SslStreamCertificateContext Context, DateTimeOffset LoadedAt)
{
    public DateTimeOffset NotAfter => Leaf.NotAfter.ToUniversalTime();

    public DateTimeOffset NotBefore => Leaf.NotBefore.ToUniversalTime();

    public string Sha256 => Leaf.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant();
}

/// <summary>One chain + key pair and its current and last failed load.</summary>
public sealed class CertificateSlot
{
    private LoadedCertificate? current;

    internal CertificateSlot(CertificateSource source) => Source = source;

    public CertificateSource Source { get; }

    public LoadedCertificate? Current => Volatile.Read(ref current);

    /// <summary>Why the last load failed (the previous certificate, if any, is still served); null after a success.</summary>
    public string? Error { get; private set; }

    public DateTimeOffset? ErrorAt { get; private set; }

    internal string? AttemptedStamp { get; set; }

    internal void Succeed(LoadedCertificate loaded)
    {
        Volatile.Write(ref current, loaded);
        Error = null;
        ErrorAt = null;
    }

    internal void Fail(string error, DateTimeOffset at)
    {
        Error = error;
        ErrorAt = at;
    }
}

/// <summary>
/// Per-host TLS certificates from PEM files (certbot's fullchain.pem + privkey.pem, or any chain + key pair), chosen
/// by SNI. <see cref="Reload"/> re-reads only files whose target, size or time changed; a file that does not load
/// (bad PEM, key not matching, no certificate) leaves the previous certificate in service and is reported loudly
/// (<c>serve.cert.reload-failed</c>). Selection is a lock-free dictionary read.
/// </summary>
public sealed class CertificateStore
{
    private readonly FrozenDictionary<string, CertificateSlot> byHost;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private long reloads;
    private long reloadFailures;

    public CertificateStore(IReadOnlyList<CertificateSource> sources, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        Slots = [.. sources.Select(s => new CertificateSlot(s))];
        byHost = Slots.SelectMany(s => s.Source.Hosts.Select(h => (h, s)))
            .ToFrozenDictionary(p => p.h, p => p.s, StringComparer.OrdinalIgnoreCase);
        Reload();
    }

    public IReadOnlyList<CertificateSlot> Slots { get; }

    public long Reloads => Interlocked.Read(ref reloads);

    public long ReloadFailures => Interlocked.Read(ref reloadFailures);

    /// <summary>Every certificate and key file, for the file watcher.</summary>
    public IEnumerable<string> Files => Slots.SelectMany(s => new[] { s.Source.CertPath, s.Source.KeyPath });

    /// <summary>The chain context to present for SNI <paramref name="host"/>, or null (no certificate: handshake refused).</summary>
    public SslStreamCertificateContext? Select(string? host) =>
        host is not null && byHost.TryGetValue(host.TrimEnd('.'), out var slot) ? slot.Current?.Context : null;

    public CertificateSlot? SlotFor(string host) => byHost.GetValueOrDefault(host);

    /// <summary>Loads every pair whose files changed since the last attempt; returns how many certificates changed.</summary>
    public int Reload()
    {
        var changed = 0;
        foreach (var slot in Slots)
        {
            var stamp = Stamp(slot.Source);
            if (stamp == slot.AttemptedStamp)
            {
                continue;
            }

            var first = slot.AttemptedStamp is null;
            slot.AttemptedStamp = stamp;
            var hosts = string.Join(",", slot.Source.Hosts);
            var (loaded, error) = TryLoad(slot.Source);
            if (loaded is not null)
            {
                slot.Succeed(loaded);
                changed++;
                if (!first)
                {
                    Interlocked.Increment(ref reloads);
                }

                logger.LogInformation("certificate {Event} for {Hosts}: sha256 {Sha256}, valid until {NotAfter:O} ({CertFile})",
                    first ? "loaded" : "reloaded", hosts, loaded.Sha256, loaded.NotAfter, slot.Source.CertPath);
            }
            else
            {
                slot.Fail(error!, time.GetUtcNow());
                if (!first)
                {
                    Interlocked.Increment(ref reloadFailures);
                }

                if (slot.Current is { } old)
                {
                    logger.LogError("CERTIFICATE RELOAD FAILED for {Hosts}: {Error}; still serving the previous certificate sha256 {Sha256} (valid until {NotAfter:O})",
                        hosts, error, old.Sha256, old.NotAfter);
                }
                else
                {
                    logger.LogError("NO CERTIFICATE for {Hosts}: {Error}; TLS handshakes for these hosts fail", hosts, error);
                }
            }
        }

        return changed;
    }

    /// <summary>Findings about every configured host's certificate (missing, broken reload, name, validity).</summary>
    public IReadOnlyList<Finding> Findings(string host)
    {
        var now = time.GetUtcNow();
        var slot = SlotFor(host);
        if (slot is null)
        {
            return [ServeFindings.CertificateMissing.Create(host, $"No certificate is configured for {host}.")];
        }

        var list = new List<Finding>();
        var current = slot.Current;
        if (current is null)
        {
            list.Add(ServeFindings.CertificateMissing.Create(host, $"No certificate for {host}: {slot.Error}",
                FindingList.Evidence(("cert", slot.Source.CertPath), ("key", slot.Source.KeyPath))));
            return list;
        }

        if (slot.Error is not null)
        {
            list.Add(ServeFindings.CertificateReloadFailed.Create(host,
                $"The changed files for {host} did not load ({slot.Error}); the previous certificate (sha256 {current.Sha256}) is still served.",
                FindingList.Evidence(("cert", slot.Source.CertPath), ("key", slot.Source.KeyPath), ("failed_at", slot.ErrorAt?.ToString("O", CultureInfo.InvariantCulture)))));
        }

        if (!CertificateIdentity.Matches(host, current.Leaf))
        {
            list.Add(ServeFindings.CertificateNameMismatch.Create(host,
                $"The certificate served for {host} names {string.Join(", ", CertificateIdentity.GetDnsNames(current.Leaf))}.",
                FindingList.Evidence(("sha256", current.Sha256))));
        }

        if (current.NotAfter <= now || current.NotBefore > now)
        {
            list.Add(ServeFindings.CertificateExpired.Create(host,
                $"The certificate served for {host} is valid {current.NotBefore:O} .. {current.NotAfter:O}.",
                FindingList.Evidence(("not_after", current.NotAfter.ToString("O", CultureInfo.InvariantCulture)), ("sha256", current.Sha256))));
        }
        else if (current.NotAfter - now < Limits.ServeCertificateExpiringWarning)
        {
            list.Add(ServeFindings.CertificateExpiring.Create(host,
                $"The certificate served for {host} expires {current.NotAfter:O} (in {(current.NotAfter - now).TotalDays:F1} days).",
                FindingList.Evidence(("not_after", current.NotAfter.ToString("O", CultureInfo.InvariantCulture)), ("sha256", current.Sha256))));
        }

        return list;
    }

    private (LoadedCertificate? Loaded, string? Error) TryLoad(CertificateSource source)
    {
        try
        {
            var certPem = ReadBounded(source.CertPath);
            var keyPem = ReadBounded(source.KeyPath);
            var chain = PemReader.ReadCertificates(certPem);
            if (!chain.IsSuccess)
            {
                return (null, $"{source.CertPath}: {chain.Error}");
            }

            var leaf = X509Certificate2.CreateFromPem(certPem, keyPem);
            if (!leaf.HasPrivateKey)
            {
                return (null, $"{source.KeyPath}: no private key");
            }

            var intermediates = new X509Certificate2Collection();
            foreach (var c in chain.Certificates.Skip(1))
            {
                intermediates.Add(c);
            }

            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            return (new LoadedCertificate(leaf, context, time.GetUtcNow()), null);
        }
        catch (CryptographicException e)
        {
            return (null, $"{source.CertPath} / {source.KeyPath}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return (null, $"{source.CertPath} / {source.KeyPath}: {e.Message}");
        }
        catch (IOException e)
        {
            return (null, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, e.Message);
        }
    }

    private static string ReadBounded(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > Limits.PemMaxBytes)
        {
            throw new IOException($"{path}: larger than {Limits.PemMaxBytes} bytes");
        }

        return File.ReadAllText(path);
    }

    /// <summary>The final target (certbot's live/ files are symlinks into archive/), size and modification time of both files.</summary>
    internal static string Stamp(CertificateSource source) => FileStamp(source.CertPath) + "|" + FileStamp(source.KeyPath);

    internal static string FileStamp(string path)
    {
        try
        {
            var info = new FileInfo(path);
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            target.Refresh();
            return target.Exists
                ? $"{target.FullName}:{target.Length}:{target.LastWriteTimeUtc.Ticks}"
                : path + ":missing";
        }
        catch (IOException)
        {
            return path + ":error";
        }
        catch (UnauthorizedAccessException)
        {
            return path + ":denied";
        }
    }
}
