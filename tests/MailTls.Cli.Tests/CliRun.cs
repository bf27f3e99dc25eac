using System.Text.Json;

namespace MailTls.Cli.Tests;

/// <summary>Runs the CLI in-process with captured output, exactly as the process entry point does.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, color: false);
        return (code, output.ToString(), error.ToString());
    }

    public static async Task<(int Code, JsonElement Json)> JsonAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync([.. args, "--json"]);
        Assert.True(stdout.Length > 0, "no JSON on stdout; stderr: " + stderr);
        using var doc = JsonDocument.Parse(stdout);
        return (code, doc.RootElement.Clone());
    }

    public static string TempFile(string content, string extension = ".txt")
    {
        var path = Path.Combine(Path.GetTempPath(), "mailtls-cli-" + Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(path, content);
        return path;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "mailtls.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public static string TestData(params string[] parts) =>
        Path.Combine([RepoRoot(), "tests", "MailTls.Tests", "TestData", .. parts]);
}
