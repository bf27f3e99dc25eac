using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailTls.Tests.Shared;

/// <summary>
/// A small SMTP submission server on 127.0.0.1 for the e-mail sink tests (RFC 5321 with STARTTLS, RFC 3207, and
/// AUTH PLAIN, RFC 4616): records the conversation and the messages it accepts, and answers RCPT with a configured
/// reply. Real sockets and a real TLS handshake; the MTA behind it is what it does not have. Also used as an MX that
/// a lab test controls (its certificate and key). Linked into each test project that needs it.
/// </summary>
internal sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly X509Certificate2? certificate;
    private readonly SslStreamCertificateContext? context;

    /// <param name="certificate">The server certificate with its key (null: no STARTTLS).</param>
    /// <param name="user">The AUTH PLAIN user (null: no AUTH).</param>
    /// <param name="password">The AUTH PLAIN password.</param>
    /// <param name="rcptReply">The reply to every RCPT.</param>
    /// <param name="address">Where to listen (default 127.0.0.1).</param>
    /// <param name="port">Port (default: any free one).</param>
    /// <param name="intermediates">Certificates sent after the leaf.</param>
    public SmtpTestServer(X509Certificate2? certificate, string? user = null, string? password = null, string rcptReply = "250 2.1.5 ok",
        IPAddress? address = null, int port = 0, X509Certificate2Collection? intermediates = null)
    {
        this.certificate = certificate;
        context = certificate is null ? null : SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        listener = new TcpListener(address ?? IPAddress.Loopback, port);
        User = user;
        Password = password;
        RcptReply = rcptReply;
        listener.Start();
        loop = Task.Run(LoopAsync);
    }

    public string? User { get; }

    public string? Password { get; }

    public string RcptReply { get; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Client commands in order (AUTH lines with the secret replaced).</summary>
    public List<string> Commands { get; } = [];

    public List<(string From, List<string> To, string Data, bool Tls, string? AuthUser)> Messages { get; } = [];

    private async Task LoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await SessionAsync(client.GetStream(), stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    private async Task SessionAsync(Stream network, CancellationToken ct)
    {
        Stream stream = network;
        var tls = false;
        string? authUser = null;
        string? from = null;
        var to = new List<string>();
        await WriteAsync(stream, "220 smtp.test ESMTP", ct);
        while (true)
        {
            var line = await ReadLineAsync(stream, ct);
            if (line is null)
            {
                return;
            }

            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            lock (Commands)
            {
                Commands.Add(verb == "AUTH" ? "AUTH " + line.Split(' ')[1] : line);
            }

            switch (verb)
            {
                case "EHLO":
                    var ext = new List<string> { "smtp.test", "PIPELINING", "8BITMIME" };
                    if (certificate is not null && !tls)
                    {
                        ext.Add("STARTTLS");
                    }

                    if (User is not null && (tls || certificate is null))
                    {
                        ext.Add("AUTH PLAIN");
                    }

                    for (var i = 0; i < ext.Count; i++)
                    {
                        await WriteAsync(stream, (i < ext.Count - 1 ? "250-" : "250 ") + ext[i], ct);
                    }

                    break;
                case "STARTTLS":
                    await WriteAsync(stream, "220 2.0.0 go ahead", ct);
                    var ssl = new SslStream(network);
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context }, ct);
                    stream = ssl;
                    tls = true;
                    break;
                case "AUTH":
                    var parts = line.Split(' ');
                    var response = parts.Length > 2 ? parts[2] : null;
                    if (response is null)
                    {
                        await WriteAsync(stream, "334 ", ct);
                        response = await ReadLineAsync(stream, ct);
                    }

                    var fields = Encoding.UTF8.GetString(Convert.FromBase64String(response ?? string.Empty)).Split('\0');
                    if (fields.Length == 3 && fields[1] == User && fields[2] == Password)
                    {
                        authUser = fields[1];
                        await WriteAsync(stream, "235 2.7.0 authenticated", ct);
                    }
                    else
                    {
                        await WriteAsync(stream, "535 5.7.8 bad credentials", ct);
                    }

                    break;
                case "MAIL":
                    from = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0].Trim('<', '>');
                    to.Clear();
                    await WriteAsync(stream, "250 2.1.0 ok", ct);
                    break;
                case "RCPT":
                    if (RcptReply.StartsWith('2'))
                    {
                        to.Add(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Trim('<', '>'));
                    }

                    await WriteAsync(stream, RcptReply, ct);
                    break;
                case "DATA":
                    if (to.Count == 0)
                    {
                        await WriteAsync(stream, "554 5.5.1 no valid recipients", ct);
                        break;
                    }

                    await WriteAsync(stream, "354 end with .", ct);
                    var data = new StringBuilder();
                    while (await ReadLineAsync(stream, ct) is { } d && d != ".")
                    {
                        data.Append(d.StartsWith('.') ? d[1..] : d).Append("\r\n");
                    }

                    lock (Messages)
                    {
                        Messages.Add((from ?? string.Empty, [.. to], data.ToString(), tls, authUser));
                    }

                    await WriteAsync(stream, "250 2.0.0 queued", ct);
                    break;
                case "RSET" or "NOOP":
                    await WriteAsync(stream, "250 2.0.0 ok", ct);
                    break;
                case "QUIT":
                    await WriteAsync(stream, "221 2.0.0 bye", ct);
                    return;
                default:
                    await WriteAsync(stream, "502 5.5.2 unknown command", ct);
                    break;
            }
        }
    }

    private static async Task WriteAsync(Stream s, string line, CancellationToken ct)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), ct);
        await s.FlushAsync(ct);
    }

    private static async Task<string?> ReadLineAsync(Stream s, CancellationToken ct)
    {
        var sb = new StringBuilder();
        var b = new byte[1];
        while (await s.ReadAsync(b, ct) == 1)
        {
            if (b[0] == '\n')
            {
                return sb.ToString().TrimEnd('\r');
            }

            sb.Append((char)b[0]);
        }

        return sb.Length > 0 ? sb.ToString() : null;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
