namespace MailTls.Dns;

/// <summary>
/// A parsed DNS message (RFC 1035 §4.1) with the EDNS0 OPT pseudo-record (RFC 6891 §6.1) taken out of the
/// additional section. Produced by <see cref="DnsMessageParser"/>, or built by test fakes.
/// </summary>
public sealed record DnsMessage
{
    public ushort Id { get; init; }

    /// <summary>The 16 header flag bits (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE).</summary>
    public ushort Flags { get; init; }

    /// <summary>RCODE including the EDNS0 extended bits (RFC 6891 §6.1.3).</summary>
    public int ResponseCode { get; init; }

    public bool IsResponse => (Flags & 0x8000) != 0;

    public bool Truncated => (Flags & 0x0200) != 0;

    public bool AuthenticData => (Flags & 0x0020) != 0;

    public bool CheckingDisabled => (Flags & 0x0010) != 0;

    public string QuestionName { get; init; } = ".";

    public DnsRecordType QuestionType { get; init; }

    public IReadOnlyList<DnsRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsRecord> Authority { get; init; } = [];

    public IReadOnlyList<DnsRecord> Additional { get; init; } = [];

    /// <summary>True when the response carried an OPT record (the server speaks EDNS0).</summary>
    public bool HasEdns { get; init; }

    /// <summary>The DO bit echoed in the OPT record (RFC 3225 §3).</summary>
    public bool DnssecOk { get; init; }

    /// <summary>RCODE values (RFC 1035 §4.1.1, RFC 6895 §2.3).</summary>
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int Refused = 5;
}
