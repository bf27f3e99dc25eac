using System.Diagnostics;
using MailTls.Dns;

namespace MailTls.Tests.Lab;

/// <summary>Runs a peer tool (dig, curl, posttls-finger) with a deadline; lab tests run inside the lab namespace.</summary>
internal static class LabProcess
{
    public static async Task<(int Code, string Stdout, byte[] StdoutBytes, string Stderr)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + file);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await copy;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }

        var bytes = stdout.ToArray();
        return (process.ExitCode, System.Text.Encoding.UTF8.GetString(bytes), bytes, await stderr);
    }

    /// <summary>
    /// The TXT lookup of <paramref name="name"/> through the lab resolver, as dig sees it: the response status
    /// (NOERROR/NXDOMAIN/SERVFAIL) and the TXT RRs of the answer (CNAMEs followed by the resolver), each decoded into
    /// its character-strings.
    /// </summary>
    public static async Task<(DnsAnswerStatus Status, IReadOnlyList<IReadOnlyList<string>> Records)> TxtAsync(string name)
    {
        var (code, stdout, _, stderr) = await RunAsync("dig", "+time=5", "+tries=2", "+noall", "+comments", "+answer", "TXT", name);
        if (code == 9)
        {
            return (DnsAnswerStatus.Timeout, []);
        }

        Assert.True(code == 0, $"dig TXT {name} failed: {stderr}");
        var rrset = new List<IReadOnlyList<string>>();
        var status = DnsAnswerStatus.ServFail;
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Contains("->>HEADER<<-", StringComparison.Ordinal))
            {
                status = line.Contains("status: NOERROR", StringComparison.Ordinal) ? DnsAnswerStatus.Answer
                    : line.Contains("status: NXDOMAIN", StringComparison.Ordinal) ? DnsAnswerStatus.NxDomain
                    : DnsAnswerStatus.ServFail;
            }
            else if (!line.StartsWith(';') && line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is [_, _, "IN", "TXT", ..])
            {
                rrset.Add(ParseCharacterStrings(line[line.IndexOf('"', StringComparison.Ordinal)..]));
            }
        }

        if (status == DnsAnswerStatus.Answer && rrset.Count == 0)
        {
            status = DnsAnswerStatus.NoData;
        }

        return (status, rrset);
    }

    /// <summary>RFC 1035 §5.1 quoted character-strings with \" and \DDD escapes.</summary>
    private static List<string> ParseCharacterStrings(string line)
    {
        var strings = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (line[i] != '"')
            {
                i++;
                continue;
            }

            var bytes = new List<byte>();
            i++;
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 3 < line.Length && char.IsAsciiDigit(line[i + 1]))
                {
                    bytes.Add(byte.Parse(line.AsSpan(i + 1, 3), System.Globalization.CultureInfo.InvariantCulture));
                    i += 4;
                }
                else if (line[i] == '\\' && i + 1 < line.Length)
                {
                    bytes.Add((byte)line[i + 1]);
                    i += 2;
                }
                else
                {
                    bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(line[i].ToString()));
                    i++;
                }
            }

            strings.Add(System.Text.Encoding.UTF8.GetString([.. bytes]));
            i++;
        }

        return strings;
    }
}
