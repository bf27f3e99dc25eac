namespace MailTls.Dns;

/// <summary>
/// The DNS seam: one question to one upstream (or a fake), one response. Implementations never throw for DNS
/// failures: they report them in <see cref="DnsResponse.Status"/> (SERVFAIL, timeout), and they do not follow
/// CNAMEs (that is <see cref="DnsLookup"/>'s job), so a validator sees exactly what the upstream said.
/// </summary>
public interface IDnsResolver
{
    Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default);
}

/// <summary>
/// One upstream response. <see cref="Status"/> follows RFC 1035 §4.1.1 RCODEs: NOERROR with records of any type
/// in the answer section is <see cref="DnsAnswerStatus.Answer"/>, without is NODATA (RFC 2308 §2.2); NXDOMAIN;
/// every other RCODE, a malformed or mismatched reply is SERVFAIL; no reply in time is Timeout.
/// </summary>
public sealed record DnsResponse(DnsAnswerStatus Status, DnsMessage? Message, string? Error = null, string? Server = null)
{
    /// <summary>Classifies a parsed response.</summary>
    public static DnsResponse FromMessage(DnsMessage message, string? server = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var status = message.ResponseCode switch
        {
            DnsMessage.NoError => message.Answers.Count > 0 ? DnsAnswerStatus.Answer : DnsAnswerStatus.NoData,
            DnsMessage.NxDomain => DnsAnswerStatus.NxDomain,
            _ => DnsAnswerStatus.ServFail,
        };
        var error = status == DnsAnswerStatus.ServFail ? "RCODE " + message.ResponseCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new DnsResponse(status, message, error, server);
    }
}
