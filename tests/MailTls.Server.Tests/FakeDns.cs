using MailTls.Dns;

namespace MailTls.Server.Tests;

/// <summary>A fake resolver answering from presentation-format records; unknown names are NXDOMAIN.</summary>
internal sealed class FakeDns : IDnsResolver
{
    private readonly Dictionary<(string, DnsRecordType), List<DnsRecord>> records = [];

    public Dictionary<(string, DnsRecordType), DnsAnswerStatus> Failures { get; } = [];

    public FakeDns Set(string name, DnsRecordType type, params string[] rdata)
    {
        records[(name, type)] = [.. rdata.Select(d => RecordText.Parse($"{name}. 300 IN {DnsRecordTypeText.ToText(type)} {d}").Record
            ?? throw new InvalidOperationException("bad test record " + d))];
        return this;
    }

    public Task<DnsResponse> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken = default)
    {
        name = name.TrimEnd('.');
        if (Failures.TryGetValue((name, type), out var f))
        {
            return Task.FromResult(new DnsResponse(f, null, "injected"));
        }

        var answers = records.GetValueOrDefault((name, type)) ?? [];
        var exists = records.Keys.Any(k => k.Item1 == name);
        var message = new DnsMessage
        {
            Flags = 0x8000,
            ResponseCode = exists ? DnsMessage.NoError : DnsMessage.NxDomain,
            QuestionName = name,
            QuestionType = type,
            Answers = answers,
        };
        return Task.FromResult(DnsResponse.FromMessage(message));
    }
}
