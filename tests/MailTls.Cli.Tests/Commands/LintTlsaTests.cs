namespace MailTls.Cli.Tests.Commands;

public sealed class LintTlsaTests
{
    private const string Digest = "0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6";

    [Fact]
    public async Task The_recommended_record_is_valid()
    {
        var (code, json) = await CliRun.JsonAsync("lint", "tlsa", "3 1 1 " + Digest);
        Assert.Equal(0, code);
        Assert.Equal(3, json.GetProperty("parsed").GetProperty("usage").GetInt32());
        Assert.Equal(Digest, json.GetProperty("parsed").GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_short_digest_is_invalid()
    {
        var (code, json) = await CliRun.JsonAsync("lint", "tlsa", "3 1 1 " + Digest[..62]);
        Assert.Equal(1, code);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "dane.tlsa.digest-length");
    }

    [Fact]
    public async Task Pkix_usages_are_flagged_for_smtp()
    {
        var (_, json) = await CliRun.JsonAsync("lint", "tlsa", "1 1 1 " + Digest);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "dane.tlsa.pkix-usage");
    }

    [Fact]
    public async Task Several_records_are_checked_as_an_rrset()
    {
        var (code, json) = await CliRun.JsonAsync("lint", "tlsa", "3 1 1 " + Digest, "3 1 1 " + Digest);
        Assert.Equal(2, json.GetProperty("parsed").GetArrayLength());
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("code").GetString() == "dane.tlsa.duplicate");
        Assert.Equal(0, code); // a duplicate is a warning (RFC 2181 §5 merges identical RRs)
    }
}
