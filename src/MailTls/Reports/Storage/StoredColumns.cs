namespace MailTls.Reports.Storage;

/// <summary>
/// The text columns of one report as the store writes them (content hash in hex, deviation codes, the JSON columns
/// as UTF-8), made by the decoding thread (<see cref="ReportPipeline"/>) so that the store's single writer only binds
/// them. Valid only for the report it was made from (<see cref="For"/>); the writer makes them itself otherwise.
/// </summary>
internal sealed class StoredColumns
{
    private StoredColumns(NormalizedReport report, string hash, string codes, byte[] deviations, PolicyColumns[] policies)
    {
        Report = report;
        Hash = hash;
        Codes = codes;
        Deviations = deviations;
        Policies = policies;
    }

    public NormalizedReport Report { get; }

    public string Hash { get; }

    public string Codes { get; }

    public byte[] Deviations { get; }

    /// <summary>One entry per policy of the report, in order.</summary>
    public PolicyColumns[] Policies { get; }

    /// <summary>The columns of <paramref name="report"/>: <paramref name="made"/> when it was made for this very report, else made now.</summary>
    public static StoredColumns For(NormalizedReport report, StoredColumns? made) =>
        made is not null && ReferenceEquals(made.Report, report) ? made : Create(report);

    public static StoredColumns Create(NormalizedReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = writer ??= new StoredJson();
        var policies = new PolicyColumns[report.Policies.Count];
        for (var i = 0; i < policies.Length; i++)
        {
            var p = report.Policies[i];
            policies[i] = new PolicyColumns(json.ListUtf8(p.PolicyStrings), json.ListUtf8(p.MxHosts), json.ListUtf8(p.StsMx), json.ListUtf8(p.TlsaRecords));
        }

        return new StoredColumns(report, Convert.ToHexStringLower(report.ContentSha256), StoredJson.Codes(report.Deviations), json.DeviationsUtf8(report.Deviations), policies);
    }

    [ThreadStatic]
    private static StoredJson? writer;
}

/// <summary>The JSON list columns of one policy, as UTF-8 (null for a missing list).</summary>
internal sealed record PolicyColumns(byte[]? PolicyStrings, byte[]? MxHosts, byte[]? StsMx, byte[]? TlsaRecords);
