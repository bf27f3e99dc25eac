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

    // ---- DNS lookups benchmark (issue 4, bench/dns) ----

    /// <summary>Idle connected UDP sockets kept per upstream server for reuse (a socket per query costs ~40 % of a lookup).</summary>
    public const int DnsUdpSocketPoolSize = 256;

    /// <summary>
    /// Queries sent from one pooled UDP socket before it is closed: the source port changes regularly, so reuse
    /// does not give up much of the port randomisation of RFC 5452 §9.2 (the 16-bit ID and question still match).
    /// </summary>
    public const int DnsUdpSocketMaxUses = 100;
    // ---- TLS-RPT reports: ingestion, store, analysis (issue 8) ----

    /// <summary>Real reports hold hundreds of JSON values; a million tokens (a 20 MiB cap allows ~10M) is hostile or broken.</summary>
    public const int TlsRptMaxJsonElements = 1_000_000;

    /// <summary>Reports per store transaction: large enough to amortise the commit (fsync), small enough to answer callers within milliseconds.</summary>
    public const int ReportStoreBatchSize = 2048;

    /// <summary>Reports an import has decoded and queued but not yet seen committed: keeps both cores decoding while the writer commits, bounds memory (~a few MB).</summary>
    public const int ReportImportWindow = 4096;

    /// <summary>Decoded reports an import hands to the writer at once: one queue hand-off and one completion per chunk, not per file.</summary>
    public const int ReportImportChunk = 256;

    /// <summary>Reports waiting for the writer before callers are slowed down (back-pressure, bounded memory).</summary>
    public const int ReportIngestQueueCapacity = 4096;

    /// <summary>SQLite busy timeout: another process (a second import, the server) may hold the write lock for one batch.</summary>
    public static readonly TimeSpan ReportStoreBusyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default HTTPS receiver rate per tenant: a large sender posts one report per policy domain per day; 60/min absorbs bursts.</summary>
    public const int ReportTenantRatePerMinute = 60;

    /// <summary>Burst a tenant may post at once before the per-minute rate applies.</summary>
    public const int ReportTenantBurst = 120;

    // ---- TLS-RPT HTTPS receiver in `serve` (issue 8, RFC 8460 §3) ----

    /// <summary>
    /// Shortest secret segment of a tenant path: 32 random hex digits are 128 bits. HTTPS reports are unauthenticated
    /// (notes §0.5), so the path is what keeps strangers from posting.
    /// </summary>
    public const int ReportReceiverPathTokenMinChars = 32;

    /// <summary>Report bodies read at once across all tenants (each up to TlsRptMaxCompressedBytes): bounds the memory of a posting storm; the rest wait.</summary>
    public const int ReportReceiverMaxConcurrentBodies = 64;

    /// <summary>Retry-After of a 503 when the tenant's store is unavailable: senders retry (RFC 8460 §5.4), a store outage is not fixed in seconds.</summary>
    public static readonly TimeSpan ReportReceiverStoreRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>After a failed store open, the receiver tries again at most this often (a request in between answers 503 at once).</summary>
    public static readonly TimeSpan ReportReceiverStoreReopenInterval = TimeSpan.FromSeconds(10);

    /// <summary>Readiness window: about two weeks in testing mode before enforce (domainee.dev, notes §7.5).</summary>
    public const int ReadinessDefaultDays = 14;

    /// <summary>Readiness: share of days in the window with at least one report below which the evidence is too thin (Microsoft only reports on days it sent mail, notes Q24).</summary>
    public const double ReadinessMinDayCoverage = 0.5;

    /// <summary>Readiness: failure rate (failed / all sessions of sts policies) above which enforce would bounce real mail.</summary>
    public const double ReadinessMaxFailureRate = 0.001;

    /// <summary>A mailbox fetch reads messages up to this size (the message cap) and at most this many per run before it re-searches.</summary>
    public const int ImapFetchBatch = 200;
    // ---- mailtls check: policy fetch, STARTTLS probe, audit (issue 5) ----

    /// <summary>
    /// Deadline of one policy fetch in <c>check</c> (DNS, connect, TLS, headers and body together). Shorter than the RFC's
    /// one minute so that a whole check ends in under 30 s; postfix-mta-sts-resolver gives up after 4 s, so a policy
    /// host slower than this already fails real senders.
    /// </summary>
    public static readonly TimeSpan CheckStsPolicyFetchTimeout = TimeSpan.FromSeconds(10);

    /// <summary>TCP connect to port 25; a healthy MX answers the SYN in milliseconds, a filtered port never does.</summary>
    public static readonly TimeSpan SmtpConnectTimeout = TimeSpan.FromSeconds(8);

    /// <summary>Wait for the 220 banner. RFC 5321 §4.5.3.2.1 lets senders wait 5 minutes; a checker reports a tarpit instead.</summary>
    public static readonly TimeSpan SmtpBannerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Wait for the reply to EHLO, STARTTLS or QUIT.</summary>
    public static readonly TimeSpan SmtpCommandTimeout = TimeSpan.FromSeconds(10);

    /// <summary>TLS handshake after "220 ready to start TLS".</summary>
    public static readonly TimeSpan SmtpTlsHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Whole probe of one address (connect to QUIT): the per-step deadlines cannot add up beyond this.</summary>
    public static readonly TimeSpan SmtpProbeTimeout = TimeSpan.FromSeconds(20);

    /// <summary>One SMTP reply line: RFC 5321 §4.5.3.1.5 allows 512 octets; servers send less, 2 KiB is generous.</summary>
    public const int SmtpMaxReplyLineBytes = 2048;

    /// <summary>Lines of one multi-line reply (an EHLO reply has 5–20 extension lines).</summary>
    public const int SmtpMaxReplyLines = 100;

    /// <summary>Addresses probed at the same time in one check (per process): polite to the MX hosts, fast enough.</summary>
    public const int CheckSmtpConcurrency = 8;

    /// <summary>Domains checked at the same time when several are named on the command line.</summary>
    public const int CheckDomainConcurrency = 4;

    /// <summary>Certificates (MX, policy host) expiring sooner than this are reported: automated renewal has likely failed.</summary>
    public static readonly TimeSpan CertificateExpiryWarning = TimeSpan.FromDays(14);

    /// <summary>CAA tree climbing (RFC 8659 §3) stops at the root; names have at most 127 labels, real ones under 10.</summary>
    public const int CaaMaxClimb = 127;
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

    // ---- resolver (socketmap policy daemon, issue 11) ----

    /// <summary>Largest socketmap request payload: postfix-mta-sts-resolver's REQUEST_LIMIT; a Postfix key is a domain (≤ 255 octets) plus the map name.</summary>
    public const int SocketmapRequestLimit = 1024;

    /// <summary>Digits of a netstring length: a length over the request limit is rejected earlier; this only bounds a stream of leading zeros.</summary>
    public const int NetstringMaxLengthDigits = 10;

    /// <summary>Pipelined requests of one connection awaiting replies (postfix-mta-sts-resolver QUEUE_LIMIT); reading pauses beyond it.</summary>
    public const int SocketmapPipelineLimit = 128;

    /// <summary>A socketmap connection idle this long is closed; Postfix's own socketmap client closes idle connections after 10 s (ipc_idle) and reconnects.</summary>
    public static readonly TimeSpan SocketmapIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Connections served at once; each Postfix smtp process holds at most one (default_process_limit 100), so 4096 leaves room for several instances.</summary>
    public const int SocketmapMaxConnections = 4096;

    /// <summary>Time pending replies get on shutdown (mta-sts-daemon.yml shutdown_timeout default 20 s).</summary>
    public static readonly TimeSpan SocketmapShutdownTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Default DNS and policy fetch deadline of the resolver (mta-sts-daemon.yml timeout is 4 s; RFC 8461 §3.3 suggests up to a minute; 10 s as in check).</summary>
    public static readonly TimeSpan ResolverFetchTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Minimum wait before fetching a policy id again after a failed fetch (RFC 8461 §3.3: "at least 5 minutes").</summary>
    public static readonly TimeSpan ResolverFetchBackoff = TimeSpan.FromMinutes(5);

    /// <summary>Cached policies are refreshed once older than min(max_age / 2, this) (RFC 8461 §10.2: daily).</summary>
    public static readonly TimeSpan ResolverRefreshAfter = TimeSpan.FromDays(1);

    /// <summary>How often the proactive refresh looks for due policies.</summary>
    public static readonly TimeSpan ResolverRefreshInterval = TimeSpan.FromHours(1);

    /// <summary>Answers reused without any DNS lookup (mta-sts-daemon.yml cache_grace default 60 s): the TXT id is re-checked at least this often.</summary>
    public static readonly TimeSpan ResolverCacheGrace = TimeSpan.FromSeconds(60);

    /// <summary>A TEMP answer is reused at most this long, so a transient failure clears quickly but a DNS outage does not cause a query storm.</summary>
    public static readonly TimeSpan ResolverTempAnswerGrace = TimeSpan.FromSeconds(5);

    /// <summary>In-memory answers held (postfix-tlspol caps at 50,000; mta-sts-daemon internal cache_size 10,000); cleared when full.</summary>
    public const int ResolverMaxCachedAnswers = 100_000;

    /// <summary>SQLite busy timeout of the policy cache (mta-sts-daemon sqlite timeout 5 s).</summary>
    public static readonly TimeSpan ResolverStoreBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Proactive refreshes run at once (mta-sts-daemon concurrency_limit 100; fewer, to be polite to policy hosts).</summary>
    public const int ResolverRefreshConcurrency = 16;

    /// <summary>Largest resolver configuration file.</summary>
    public const int ResolverConfigMaxBytes = 1024 * 1024;

    // ---- resolver, round 3: PostgreSQL cache (issue 11) ----

    /// <summary>Connections to PostgreSQL held by one resolver: cache reads happen once per domain per cache_grace and writes once per fetch, so a few suffice.</summary>
    public const int ResolverPostgresPoolSize = 10;

    /// <summary>Connecting to the PostgreSQL cache gives up after this; a lookup then fails like a DNS timeout (TEMP, or the answer held in memory).</summary>
    public static readonly TimeSpan ResolverPostgresConnectTimeout = TimeSpan.FromSeconds(5);

    // ---- mailtls scan (issue 6) ----

    /// <summary>Domains audited at once by <c>scan</c>: DNS and policy work is latency-bound, so many in flight; the default keeps two cores busy without piling up timeouts.</summary>
    public const int ScanDefaultConcurrency = 64;

    /// <summary>Upper bound of <c>scan --concurrency</c>: beyond it sockets and timeouts, not throughput, grow.</summary>
    public const int ScanMaxConcurrency = 4096;

    /// <summary>STARTTLS probes to one IP address at once (politeness toward shared MX hosts; zgrab2 limits per IP too).</summary>
    public const int ScanPerAddressConcurrency = 2;

    /// <summary>Probe results and MX certificate verdicts the auditor keeps for reuse (each cache); the oldest beyond are dropped (memory flat in the number of domains).</summary>
    public const int AuditSharedCacheMaxEntries = 10_000;

    /// <summary>Policy fetches and CAA answers (keyed by a domain's own names, so rarely reused; a fetch holds a certificate chain) kept by the auditor.</summary>
    public const int AuditPerDomainCacheMaxEntries = 1_000;

    /// <summary>DNS responses a scan keeps (the shared hoster names are asked first and stay); a fixed bound so memory does not grow with the domain list.</summary>
    public const int ScanDnsCacheMaxEntries = 20_000;

    /// <summary>Validated zones (DNSKEY RRsets and the walk to them) a DNSSEC validator keeps; the oldest beyond are walked again when asked (memory flat in the number of zones a scan visits).</summary>
    public const int DnssecZoneCacheMaxEntries = 4_096;

    /// <summary>Rows of the summary's "most frequent findings" and "slowest hosts" tables.</summary>
    public const int ScanSummaryTopRows = 10;

    /// <summary>One line of a scan input or of a JSONL output read for <c>--resume</c> (a check object with full chains is ~50 KB).</summary>
    public const int ScanMaxLineChars = 4 * 1024 * 1024;

    // ---- dashboard (issue 9) ----

    /// <summary>Default port of the dashboard listener (next to the admin listener's 9461; loopback by default).</summary>
    public const int DashboardDefaultPort = 9462;

    /// <summary>PBKDF2-HMAC-SHA256 iterations of a new dashboard password hash (OWASP 2023 recommendation for PBKDF2-SHA256).</summary>
    public const int DashboardPasswordIterations = 600_000;

    /// <summary>Fewest iterations a configured hash may have: weaker hashes are refused rather than trusted.</summary>
    public const int DashboardPasswordMinIterations = 100_000;

    /// <summary>Shortest bearer token accepted from the token file (16 random characters ≈ 96 bits; `openssl rand -base64 32` gives 44).</summary>
    public const int DashboardTokenMinChars = 16;

    /// <summary>Largest token file read.</summary>
    public const int DashboardTokenFileMaxBytes = 4096;

    /// <summary>Lifetime of a login cookie, renewed while in use (sliding); a restart logs everyone out (keys are in memory).</summary>
    public static readonly TimeSpan DashboardSessionLifetime = TimeSpan.FromHours(12);

    /// <summary>Failed logins accepted per minute (all clients together) before answering 429: bounds guessing and the PBKDF2 CPU cost.</summary>
    public const int DashboardLoginFailuresPerMinute = 10;

    /// <summary>The window of the overview and domain pages unless ?days= says otherwise (as `reports summary --since 30d`).</summary>
    public const int DashboardDefaultDays = 30;

    /// <summary>Largest ?days= window of the pages and the API (ten years).</summary>
    public const int DashboardMaxDays = 3660;

    /// <summary>Domains per overview page: each domain costs two indexed summary queries.</summary>
    public const int DashboardOverviewPageSize = 100;

    /// <summary>Reports per page of the report list unless ?per_page= says otherwise.</summary>
    public const int DashboardReportsPageSize = 50;

    /// <summary>Largest ?per_page= of the report list.</summary>
    public const int DashboardReportsMaxPageSize = 500;

    /// <summary>Rows shown per breakdown table on a domain page (the API gives every row).</summary>
    public const int DashboardTableRows = 20;

    /// <summary>Largest raw report JSON shown on a report page (the API gives it whole).</summary>
    public const int DashboardRawJsonMaxChars = 256 * 1024;

    /// <summary>Request headers of the dashboard listener (cookies: session + antiforgery).</summary>
    public const int DashboardMaxRequestHeadersBytes = 16 * 1024;

    /// <summary>Request line of the dashboard listener (filter query strings).</summary>
    public const int DashboardMaxRequestLineBytes = 8 * 1024;

    /// <summary>Request body of the dashboard listener: only the login and logout forms are posted.</summary>
    public const int DashboardMaxRequestBodyBytes = 16 * 1024;
    // ---- mailtls watch (issue 10) ----

    /// <summary>Default time between the starts of two passes: certificate and signature thresholds are in days, an hour notices a broken policy host soon enough.</summary>
    public static readonly TimeSpan WatchDefaultInterval = TimeSpan.FromHours(1);

    /// <summary>Shortest pass interval: every pass probes each MX and fetches each policy, which other people's servers should not see more often.</summary>
    public static readonly TimeSpan WatchMinInterval = TimeSpan.FromMinutes(1);

    /// <summary>Domains one watch configuration may list; fleets belong to <c>scan</c>, and one pass must end well within its interval.</summary>
    public const int WatchMaxDomains = 10_000;

    /// <summary>Largest watch configuration file.</summary>
    public const int WatchConfigMaxBytes = 1024 * 1024;

    /// <summary>Largest webhook secret or SMTP password file (a secret is a line).</summary>
    public const int WatchSecretMaxBytes = 4096;

    /// <summary>Deadline of one webhook attempt (connect, send, response headers): chat and paging webhooks answer in well under a second.</summary>
    public static readonly TimeSpan WatchWebhookTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of each SMTP step to the relay (MailKit's Timeout); the whole send gets four times this.</summary>
    public static readonly TimeSpan WatchEmailTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per notice and pass: a blip is retried at once, an outage waits for the next pass.</summary>
    public const int WatchSinkAttempts = 3;

    /// <summary>Delay before the second attempt; it doubles for each further one.</summary>
    public static readonly TimeSpan WatchSinkRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Passes a notice stays pending before it is given up (three days of hourly passes): a sink broken longer than that is found by its owner, not by a flood.</summary>
    public const int WatchNoticeMaxPasses = 72;

    /// <summary>Longest alert message (the messages of the findings behind it, joined).</summary>
    public const int WatchAlertMessageMaxChars = 2000;

    /// <summary>TLS-RPT window: today and yesterday, because reports for a day arrive during the next one (RFC 8460 §4.1 daily reports).</summary>
    public const int WatchTlsRptWindowDays = 2;

    /// <summary>TLS-RPT baseline: the two weeks before the window, as readiness looks at two weeks.</summary>
    public const int WatchTlsRptBaselineDays = 14;

    /// <summary>The window's failure rate must be this many times the baseline's to count as a jump.</summary>
    public const double WatchTlsRptFactor = 3.0;

    /// <summary>Sessions the window and the baseline each need: below it a rate is noise.</summary>
    public const long WatchTlsRptMinSessions = 50;

    /// <summary>Failure rate the window must also reach (1 %): a jump from 0.01 % to 0.05 % is not worth a page.</summary>
    public const double WatchTlsRptMinFailureRate = 0.01;
    // ---- mailtls plan and tlsa guard (issue 10) ----

    /// <summary>Deadline of one dynamic update (connect, send, reply): an UPDATE is small, a primary answers at once or not at all.</summary>
    public static readonly TimeSpan DnsUpdateTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Largest TSIG key file read (a key clause is a few hundred characters).</summary>
    public const int TsigKeyFileMaxChars = 64 * 1024;

    /// <summary>TTL of records in an RRset that does not exist yet (existing RRsets keep their TTL); RFC 7671 notes and internet.nl suggest 1800–3600 s for TLSA.</summary>
    public const uint PlanDefaultRecordTtl = 3600;

    /// <summary>How long after a UTC day ends its TLS-RPT reports are expected (RFC 8460 §4.1 daily reports; senders add random delays of hours).</summary>
    public static readonly TimeSpan PlanReportDeliveryAllowance = TimeSpan.FromDays(1);

    /// <summary>max_age of the mode none policy of a rollback (RFC 8461 §8.3 suggests a small value such as one day).</summary>
    public const long PlanNonePolicyMaxAge = 86_400;

    /// <summary>How long <c>--apply</c> waits for an applied step's gate to turn green (a secondary's transfer, serve's reload debounce) before it stops.</summary>
    public static readonly TimeSpan PlanApplyVerifyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Pause between two looks at an applied step's gate.</summary>
    public static readonly TimeSpan PlanApplyPollInterval = TimeSpan.FromSeconds(1);
}
