using System.Globalization;

namespace MailTls.Cli.Output;

/// <summary>Human durations for seconds counts such as max_age.</summary>
internal static class Durations
{
    public static string Describe(long seconds)
    {
        if (seconds <= 0)
        {
            return "expires at once";
        }

        (long Size, string Unit)[] units = [(86400 * 7, "week"), (86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")];
        foreach (var (size, unit) in units)
        {
            if (seconds >= size)
            {
                var n = (double)seconds / size;
                var text = n.ToString(n % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture);
                return $"{text} {unit}{(text == "1" ? string.Empty : "s")}";
            }
        }

        return seconds.ToString(CultureInfo.InvariantCulture) + " seconds";
    }
}
