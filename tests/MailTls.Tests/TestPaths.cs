namespace MailTls.Tests;

/// <summary>Locates the repository and the golden test data, wherever the test assembly runs from.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "mailtls.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root (mailtls.slnx) not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string TestData(params string[] parts) =>
        Path.Combine([RepoRoot, "tests", "MailTls.Tests", "TestData", .. parts]);
}
