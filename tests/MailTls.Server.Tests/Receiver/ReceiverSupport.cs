using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailTls.Reports;
using MailTls.Reports.Storage;
using MailTls.Tests.Shared;
using MimeKit;

namespace MailTls.Server.Tests.Receiver;

/// <summary>What the receiver tests POST and check: the golden samples as bodies, tenant configuration, HTTPS clients.</summary>
internal static class ReceiverSupport
{
    public const string Host = "tlsrpt.example.net";

    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "mailtls.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    });

    public static string RepoRoot => Root.Value;

    public static string Sample(string name) => Path.Combine(RepoRoot, "tests", "MailTls.Tests", "TestData", "TlsRpt", name);

    /// <summary>A fresh unguessable path token (hex, 160 bits), as the docs tell operators to make one.</summary>
    public static string Token() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>
    /// One body per golden sample and transport form: every JSON sample as <c>application/tlsrpt+json</c>, the same
    /// gzipped as <c>application/tlsrpt+gzip</c>, and the report part of every .eml sample exactly as the mail carries
    /// it (decoded from its transfer encoding), with the part's own media type. Each with the golden totals and
    /// deviation codes of the JSON it holds.
    /// </summary>
    public static IReadOnlyList<Body> GoldenBodies()
    {
        var bodies = new List<Body>();
        foreach (var s in TlsRptGolden.Samples)
        {
            var json = File.ReadAllBytes(Sample(s.File));
            bodies.Add(new Body("json " + s.File, json, "application/tlsrpt+json", s));
            bodies.Add(new Body("gzip " + s.File, Gzip(json), "application/tlsrpt+gzip", s));
        }

        foreach (var m in TlsRptGolden.Messages)
        {
            var (bytes, mediaType) = ReportPart(Sample(m.Eml));
            bodies.Add(new Body("eml " + m.Eml, bytes, mediaType, TlsRptGolden.Samples.Single(s => s.File == m.Json)));
        }

        return bodies;
    }

    /// <summary>The report attachment of a TLS-RPT mail: its decoded bytes and declared media type.</summary>
    public static (byte[] Bytes, string MediaType) ReportPart(string eml)
    {
        using var message = MimeMessage.Load(eml);
        var part = message.BodyParts.OfType<MimePart>()
            .Single(p => p.ContentType.MimeType.StartsWith("application/", StringComparison.OrdinalIgnoreCase));
        using var ms = new MemoryStream();
        (part.Content ?? throw new InvalidOperationException("empty report part in " + eml)).DecodeTo(ms);
        return (ms.ToArray(), part.ContentType.MimeType);
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    /// <summary>A generated report with a distinct report-id and known totals.</summary>
    public static string Report(int i, long ok, long failed = 1, string domain = "example.com") => $$"""
        {"organization-name":"Sender {{i % 7}}","date-range":{"start-datetime":"2026-03-{{(i % 28) + 1:00}}T00:00:00Z","end-datetime":"2026-03-{{(i % 28) + 1:00}}T23:59:59Z"},
         "contact-info":"tlsrpt@sender{{i % 7}}.example","report-id":"post-{{i}}",
         "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mx1.{{domain}}","max_age: 86400"],"policy-domain":"{{domain}}","mx-host":["mx1.{{domain}}"]},
           "summary":{"total-successful-session-count":{{ok}},"total-failure-session-count":{{failed}}},
           "failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx1.{{domain}}","receiving-ip":"198.51.100.7","failed-session-count":{{failed}}}]}]}
        """;

    /// <summary>A serve configuration: the harness's policy domains plus a receiver with the given tenants (YAML lines).</summary>
    public static string Config(IEnumerable<string> tenantLines, string? extra = null) => ServerHarness.DefaultConfig() + $"""

        tlsrpt:
          host: {Host}
        {extra}  tenants:
        {string.Join("\n", tenantLines)}
        """;

    /// <summary>One tenant entry (YAML, indented for <see cref="Config"/>).</summary>
    public static string Tenant(string name, string path, string db, string? more = null) =>
        $"    - {{name: {name}, path: \"{path}\", db: \"{db}\"{(more is null ? string.Empty : ", " + more)}}}";

    /// <summary>Starts serve with the receiver configured by <paramref name="config"/> and a certificate for <see cref="Host"/>.</summary>
    public static Task<ServerHarness> StartAsync(string config, TimeProvider? time = null, Func<string, CancellationToken, Task<IReportStore>>? openStore = null) =>
        ServerHarness.StartAsync(config, time: time, openStore: openStore, certificateHosts: [Host]);

    /// <summary>
    /// An HTTPS client that connects to 127.0.0.1:<paramref name="port"/> while naming <see cref="Host"/> (SNI, Host)
    /// and trusts only the test CA, with a properly verified chain and name.
    /// </summary>
    public static HttpClient Client(int port, X509Certificate2 ca, int maxConnections = 16, Version? version = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return chain.Build(leaf);
                },
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://{Host}:{port}"),
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(120),
        };
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient client, string path, byte[] body, string? mediaType)
    {
        using var content = new ByteArrayContent(body);
        if (mediaType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        }

        var response = await client.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json, response);
    }

    /// <summary>
    /// The 500-concurrent-POST contract, for any store location: 500 reports, each POSTed twice at the same moment
    /// (1000 requests over up to 500 connections) to a real <c>serve</c> over HTTPS; every answer is 200, exactly one
    /// of each pair says imported, and the store holds each report once with the exact totals.
    /// </summary>
    public static async Task ConcurrentPostsAsync(string store)
    {
        var token = Token();
        var path = "/tlsrpt/" + token;
        await using var server = await StartAsync(Config([Tenant("load", path, store)], extra: "  rate_per_minute: 100000\n  burst: 100000\n"));
        using var client = Client(server.TlsPort, server.Pki.Ca, maxConnections: 500);
        var bodies = Enumerable.Range(0, 500).Select(i => Gzip(Encoding.UTF8.GetBytes(Report(i, ok: i)))).ToList();
        using var start = new ManualResetEventSlim();
        var calls = bodies.Concat(bodies).Select(b => Task.Run(async () =>
        {
            start.Wait();
            var (status, json, response) = await PostAsync(client, path, b, "application/tlsrpt+gzip");
            response.Dispose();
            return (status, json);
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(calls);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.status));
        Assert.Equal(500, answers.Count(a => a.json.GetProperty("status").GetString() == "imported"));
        Assert.Equal(500, answers.Count(a => a.json.GetProperty("status").GetString() == "duplicate"));
        for (var i = 0; i < 500; i++)
        {
            // Each pair: one imported, one duplicate.
            Assert.NotEqual(answers[i].json.GetProperty("status").GetString(), answers[i + 500].json.GetProperty("status").GetString());
        }

        await using var db = await ReportDatabase.OpenAsync(store);
        var summary = await db.SummaryAsync(new SummaryQuery());
        Assert.Equal((500L, Enumerable.Range(0, 500).Sum(i => (long)i), 500L), (summary.Reports, summary.SuccessfulSessions, summary.FailedSessions));
        Assert.Equal(500, (await db.CountsAsync()).Reports);
        Assert.Equal(500, server.Host.Runtime.Metrics.Reports("load", "imported"));
        Assert.Equal(500, server.Host.Runtime.Metrics.Reports("load", "duplicate"));
    }
}

/// <summary>One POST body of the golden set and what must be stored for it.</summary>
internal sealed record Body(string Name, byte[] Bytes, string MediaType, TlsRptGolden.Sample Expected);
