using System.Diagnostics;

namespace MailTls.Tests.Dane;

/// <summary>
/// Runs openssl / hash-slinger's tlsa for cross-checks. A missing tool fails the test (the repository's ./test
/// installs them); nothing here touches the network.
/// </summary>
internal static class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static (int ExitCode, string StdOut, string StdErr) Run(string fileName, IEnumerable<string> arguments, string? stdin = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{fileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{fileName}' is not installed or not on PATH (./test installs it): {ex.Message}", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList)} timed out");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>Runs a shell pipeline (arguments are passed as $1, $2… so paths need no quoting).</summary>
    public static string Pipeline(string script, params string[] args)
    {
        var (code, stdout, stderr) = Run("/bin/sh", ["-c", "set -e; " + script, "sh", .. args]);
        Assert.True(code == 0, $"pipeline failed ({code}): {script}\n{stderr}");
        return stdout;
    }
}
