namespace MailTls.Dns.Dnssec;

/// <summary>Where the chain stands at a name while walking down from the trust anchor.</summary>
internal sealed record ZoneState
{
    public required DnssecStatus Status { get; init; }

    /// <summary>The apex of the secure zone that holds the name (when Secure).</summary>
    public required string Zone { get; init; }

    /// <summary>The zone's validated DNSKEY RRset (when Secure).</summary>
    public IReadOnlyList<DnsRecord> Keys { get; init; } = [];

    public DnssecFailure Failure { get; init; }

    public string Message { get; init; } = string.Empty;

    public string? InsecureCut { get; init; }

    /// <summary>The walk stopped because the name is proven not to exist below <see cref="Zone"/>.</summary>
    public bool NameMissing { get; init; }

    public IReadOnlyList<DnssecStep> Steps { get; init; } = [];

    public DateTimeOffset? Expiration { get; init; }
}
