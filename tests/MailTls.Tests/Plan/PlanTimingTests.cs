using MailTls.Plan;

namespace MailTls.Tests.Plan;

public sealed class PlanTimingTests
{
    [Theory]
    [InlineData(300u, 60u, 60u)]
    [InlineData(60u, 3600u, 60u)]
    public void The_negative_ttl_is_the_smaller_of_soa_ttl_and_minimum(uint soaTtl, uint minimum, uint expected) =>
        Assert.Equal(expected, PlanTiming.NegativeTtl(soaTtl, minimum));

    [Theory]
    [InlineData("2026-11-28T17:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-11-28T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-31T23:59:59Z", "2027-01-03T00:00:00Z")]
    public void Reports_are_due_a_day_after_the_first_full_utc_day(string done, string due) =>
        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), PlanTiming.ReportsDue(DateTimeOffset.Parse(done, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_wait_ends_its_seconds_after_its_anchor_or_when_reports_are_due()
    {
        var t = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(t.AddSeconds(600), PlanTiming.WaitEnd(new WaitSpec(1, 600, false, "2×TTL"), t));
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.Zero), PlanTiming.WaitEnd(new WaitSpec(1, 86400, true, "reports"), t));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00Z", true)]
    [InlineData("2026-01-01T00:00:00+02:00", true)]
    [InlineData("2026-01-01", true)]
    [InlineData("@1767225600", true)]
    [InlineData("tomorrow", false)]
    [InlineData("", false)]
    public void The_plan_clock_reads_iso_and_unix_times(string text, bool ok)
    {
        Assert.Equal(ok, FixedTimeProvider.TryParse(text, out var instant));
        if (ok && text.StartsWith('@'))
        {
            Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), instant);
            Assert.Equal(instant, new FixedTimeProvider(instant).GetUtcNow());
        }
    }

    [Theory]
    [InlineData(300L, "5 min")]
    [InlineData(86700L, "1 d 5 min")]
    [InlineData(604800L, "7 d")]
    [InlineData(7200L, "2 h")]
    [InlineData(61L, "61 s")]
    [InlineData(30L, "30 s")]
    public void Durations_read_like_a_person_writes_them(long seconds, string text) =>
        Assert.Equal(text, PlanBuilder.Durations(seconds));
}
