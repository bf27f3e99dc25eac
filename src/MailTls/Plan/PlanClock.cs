using System.Globalization;

namespace MailTls.Plan;

/// <summary>
/// A plan clock standing at a given instant (<c>--now</c> / <c>$MAILTLS_NOW</c>): lab tests and rehearsals jump over
/// waits with it. It moves only the plan's time (waits, first-seen times, report windows); certificate and DNSSEC
/// validity and TSIG's Time Signed always use the real clock.
/// </summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();

    /// <summary>Parses an ISO 8601 instant (UTC when no offset is given) or Unix seconds (<c>@1767225600</c>).</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.StartsWith('@') && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            instant = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }
}
