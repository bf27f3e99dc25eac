namespace MailTls;

/// <summary>
/// Every size limit, deadline and default of the library in one place (design §6), each with its reason.
/// Front ends may lower or raise the configurable ones; parsers enforce the hard caps.
/// </summary>
public static class Limits
{
    /// <summary>RFC 8461 §3.3 suggests 64 KB; mox, postfix-tlspol and postfix-mta-sts-resolver cap at 65536 bytes.</summary>
    public const int StsPolicyMaxBytes = 64 * 1024;

    /// <summary>A TXT RRset larger than this is not an MTA-STS or TLS-RPT record anyone meant to publish (DNS messages are ≤ 64 KiB).</summary>
    public const int TxtRecordMaxChars = 65535;

    /// <summary>RFC 8461 §3.3 suggests a 1 minute policy fetch timeout.</summary>
    public static readonly TimeSpan StsPolicyFetchTimeout = TimeSpan.FromSeconds(60);

    /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (about one year).</summary>
    public const long StsMaxAgeMax = 31_557_600;

    /// <summary>A max_age under one day makes senders refetch constantly and leaves little protection if discovery is blocked.</summary>
    public const long StsMaxAgeShort = 86_400;

    /// <summary>RFC 8461 §3.2 expects "weeks or greater"; NCSC advises at least two weeks for enforce.</summary>
    public const long StsMaxAgeRecommended = 604_800;

    /// <summary>RFC 8460 §5.2: "a commonly observed receiver limit is ten megabytes" (compressed).</summary>
    public const int TlsRptMaxCompressedBytes = 10 * 1024 * 1024;

    /// <summary>mox caps decompressed reports at 20 MB; a gzip bomb stops here.</summary>
    public const int TlsRptMaxDecompressedBytes = 20 * 1024 * 1024;

    /// <summary>Real reports nest 4 levels; 64 is generous and stops pathological nesting.</summary>
    public const int JsonMaxDepth = 64;

    /// <summary>A PEM chain file of more than this is not a certificate chain.</summary>
    public const int PemMaxBytes = 1024 * 1024;

    /// <summary>More certificates than this in one chain is hostile or a mistake (real chains have 2–4).</summary>
    public const int ChainMaxCertificates = 16;

    /// <summary>TLSA association data: a full certificate (matching type 0) rarely exceeds a few KiB.</summary>
    public const int TlsaMaxDataBytes = 16 * 1024;

    // ---- MTA-STS core (feat/mtasts) ----

    /// <summary>A broken 64 KiB policy could yield thousands of line findings; the first hundred show what is wrong.</summary>
    public const int StsPolicyMaxFindings = 100;

    // ---- DANE / TLSA (feat/dane) ----

    /// <summary>TLSA presentation text: twice the data limit in hex plus room for owner, TTL, class and whitespace.</summary>
    public const int TlsaMaxTextChars = (2 * TlsaMaxDataBytes) + 4096;

    /// <summary>Microsoft's outbound servers were observed to process only about 12 TLSA records per MX host (2024).</summary>
    public const int TlsaRecordSetWarnCount = 12;

    /// <summary>Longest issuer path walked below a DANE-TA or PKIX trust anchor (same bound as a chain file).</summary>
    public const int TlsaMaxPathLength = ChainMaxCertificates;

    // ---- TLS-RPT (feat/tlsrpt) ----

    /// <summary>A 10 MB gzip report base64-encodes to about 13.7 MB; mox caps report messages at 15 MB, we allow 16 MiB.</summary>
    public const int TlsRptMaxMessageBytes = 16 * 1024 * 1024;

    // ---- DNS layer and DNSSEC validator (issue 4) ----

    /// <summary>RFC 1035 §4.2.2: a TCP message length is 16 bits, so no DNS message is larger.</summary>
    public const int DnsMaxMessageBytes = 65535;

    /// <summary>A 64 KiB message holds at most ~5,000 minimal records; real DNSSEC answers have tens.</summary>
    public const int DnsMaxRecordsPerMessage = 4096;

    /// <summary>DNS flag day 2020 recommends an EDNS0 UDP payload of 1232 octets to avoid IP fragmentation.</summary>
    public const ushort DnsEdnsUdpPayload = 1232;

    /// <summary>Per-try deadline of one query; unbound and delv answer well under this or not at all.</summary>
    public static readonly TimeSpan DnsQueryTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Tries per server before the next one: one retransmission covers a lost UDP datagram.</summary>
    public const int DnsTriesPerServer = 2;

    /// <summary>CNAME chain limit; BIND and unbound stop after 8–16 hops, real chains have 1–3.</summary>
    public const int DnsMaxCnameChain = 8;

    /// <summary>Cache entries kept during one run; a full scan of a large domain list stays far below.</summary>
    public const int DnsCacheMaxEntries = 100_000;

    /// <summary>One record line in presentation format (a 4096-bit RSA DNSKEY in base64 is ~700 characters).</summary>
    public const int DnsRecordTextMaxChars = 8192;

    /// <summary>A trust-anchor file larger than this is not a trust-anchor file (IANA's has two DS records).</summary>
    public const int TrustAnchorFileMaxChars = 1024 * 1024;

    /// <summary>RRSIGs tried per RRset (KeyTrap, CVE-2023-50387: bound the validation work).</summary>
    public const int DnssecMaxSignaturesPerRrset = 8;

    /// <summary>DNSKEYs tried per key tag (KeyTrap: colliding key tags must not multiply the work).</summary>
    public const int DnssecMaxKeysPerTag = 4;

    /// <summary>RFC 9276 §3.2: validators may treat NSEC3 with more iterations as insecure; unbound's default limit is 150.</summary>
    public const int Nsec3MaxIterations = 150;

    /// <summary>A signature expiring sooner than this is reported: re-signing has likely stopped.</summary>
    public static readonly TimeSpan DnssecSignatureExpiringWarning = TimeSpan.FromDays(3);

    // ---- mailtls serve (policy host) ----

    /// <summary>All request headers of one request; a policy request needs a few hundred bytes (nginx's default buffer is 1 KiB, 8 KiB large).</summary>
    public const int ServeMaxRequestHeadersBytes = 8 * 1024;

    /// <summary>The request line; the only useful one is "GET /.well-known/mta-sts.txt HTTP/1.1" (39 bytes).</summary>
    public const int ServeMaxRequestLineBytes = 1024;

    /// <summary>Header fields per request; fetchers send fewer than ten.</summary>
    public const int ServeMaxRequestHeaderCount = 32;

    /// <summary>Request bodies: GET and HEAD carry none; a body is refused (400) and never read beyond this.</summary>
    public const int ServeMaxRequestBodyBytes = 0;

    /// <summary>Idle keep-alive connections are closed after this (nginx's lab setting; MTAs fetch once per connection).</summary>
    public static readonly TimeSpan ServeKeepAliveTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for all request headers to arrive (slowloris): a trickling client gets 408 and is closed.</summary>
    public static readonly TimeSpan ServeRequestHeadersTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Deadline for the TLS handshake; a client that stalls the handshake is dropped.</summary>
    public static readonly TimeSpan ServeTlsHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Concurrent HTTP/2 streams per connection; one policy fetch needs one.</summary>
    public const int ServeHttp2MaxStreams = 16;

    /// <summary>Open connections per server; beyond this new ones wait in the accept backlog.</summary>
    public const int ServeMaxConnections = 10_000;

    /// <summary>Cache-Control max-age of a served policy: RFC 8461 §8.2 suggests 60 s for a proxy in front of a policy host.</summary>
    public const int ServePolicyCacheMaxAgeSeconds = 60;

    /// <summary>Certificate and policy files are also stat'ed this often, in case a file-change event was missed.</summary>
    public static readonly TimeSpan ServeFilePollInterval = TimeSpan.FromSeconds(30);

    /// <summary>Wait after a file-change event before reloading: certbot replaces fullchain and privkey one after the other.</summary>
    public static readonly TimeSpan ServeReloadDebounce = TimeSpan.FromSeconds(1);

    /// <summary>Default interval of the DNS self-check (TXT id and MX coverage) besides start and reloads.</summary>
    public static readonly TimeSpan ServeSelfCheckInterval = TimeSpan.FromHours(1);

    /// <summary>A served certificate expiring sooner than this is reported; certbot renews 30 days ahead.</summary>
    public static readonly TimeSpan ServeCertificateExpiringWarning = TimeSpan.FromDays(14);

    /// <summary>A configuration file larger than this is not a configuration (thousands of domains fit in a few hundred KiB).</summary>
    public const int ServeConfigMaxBytes = 4 * 1024 * 1024;
}
