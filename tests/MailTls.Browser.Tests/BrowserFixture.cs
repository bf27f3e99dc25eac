using System.Globalization;
using Deque.AxeCore.Playwright;
using MailTls.Tests.Shared;
using Microsoft.Playwright;

namespace MailTls.Browser.Tests;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, or <c>$MAILTLS_CHROMIUM</c>) driven by the Playwright driver bundled
/// in the NuGet package — no browser download — and two dashboards over seeded stores: one on loopback without a
/// login, one bound to 0.0.0.0 with a password and a token.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Loopback, no login: the pages and their numbers.</summary>
    internal DashboardHarness Open { get; private set; } = null!;

    /// <summary>Bound to 0.0.0.0 (not loopback): login required.</summary>
    internal DashboardHarness Locked { get; private set; } = null!;

    /// <summary>Screenshots of this run (test artefacts): bin/…/artifacts/screenshots.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    /// <summary>MAILTLS_UPDATE_SCREENSHOTS=1 also writes docs/dashboard-overview.png and docs/dashboard-domain.png.</summary>
    public static bool UpdateDocs => Environment.GetEnvironmentVariable("MAILTLS_UPDATE_SCREENSHOTS") == "1";

    public static string Chromium => Environment.GetEnvironmentVariable("MAILTLS_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (./test does, from .ci/packages)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,

            // Chromium refuses to run as root with its sandbox (./test and CI run as root).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--font-render-hinting=none"],
        });
        Open = await DashboardHarness.StartAsync();
        Locked = await DashboardHarness.StartAsync(listen: "0.0.0.0:0", auth: true, samples: false);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Open.DisposeAsync();
        await Locked.DisposeAsync();
    }

    /// <summary>A page at <paramref name="width"/>×<paramref name="height"/>; console CSP reports are collected.</summary>
    internal async Task<(IBrowserContext Context, IPage Page, List<string> Console)> NewPageAsync(DashboardHarness h, int width = 1280, int height = 900, bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = h.BaseUri.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            JavaScriptEnabled = javaScript,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                lock (console)
                {
                    console.Add(m.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (console)
            {
                console.Add("page error: " + e);
            }
        };
        return (context, page, console);
    }

    public static async Task ScreenshotAsync(IPage page, string name, string? docsName = null)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (docsName is not null && UpdateDocs)
        {
            File.Copy(path, Path.Combine(RepoRoot(), "docs", docsName), overwrite: true);
        }
    }

    /// <summary>axe-core on the page: no serious or critical violation (the list says which rule and where).</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, page.Url + ": " + string.Join("\n", bad.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Target?.ToString() + " " + n.Html))}")));
    }

    /// <summary>A number as a page prints it ("12,345").</summary>
    public static long Number(string? text) => long.Parse((text ?? string.Empty).Trim().Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture);

    public static string RepoRoot() => Path.GetFullPath(Path.Combine(DashboardHarness.SamplesDirectory(), "..", "..", "..", ".."));
}

[CollectionDefinition("browser")]
public sealed class BrowserGroup : ICollectionFixture<BrowserFixture>
{
}
