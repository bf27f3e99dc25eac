using System.Net;
using System.Text.RegularExpressions;
using MailTls.Server.Dashboard;
using MailTls.Tests.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MailTls.Server.Tests.Dashboard;

/// <summary>
/// The login of a dashboard bound to a non-loopback address (0.0.0.0, reached here through 127.0.0.1): every page
/// and API route answers 401 without a session — the routes are enumerated from the endpoint data source, so a
/// route added later cannot be missed — and the login, logout, bearer token, antiforgery and cookie rules hold.
/// </summary>
public sealed partial class DashboardAuthTests : IAsyncLifetime
{
    private DashboardHarness h = null!;

    public async Task InitializeAsync() => h = await DashboardHarness.StartAsync(listen: "0.0.0.0:0", auth: true, samples: false);

    public async Task DisposeAsync() => await h.DisposeAsync();

    /// <summary>Every endpoint as (method, path with sample route values, anonymous?).</summary>
    private List<(string Method, string Path, bool Anonymous)> Routes()
    {
        var sources = h.Host.DashboardServices!.GetServices<EndpointDataSource>();
        var routes = new List<(string, string, bool)>();
        foreach (var e in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var path = "/" + string.Join("/", e.RoutePattern.PathSegments.Select(seg => string.Concat(seg.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => l.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "domain" } => DashboardSeed.Failing,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "id" } => "1",
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "name" } => "dashboard.css",
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { IsCatchAll: true } => "anything/here",
                var other => throw new InvalidOperationException("a route parameter this test does not know: " + other),
            }))));
            var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            foreach (var m in methods)
            {
                routes.Add((m, path, e.Metadata.GetMetadata<IAllowAnonymous>() is not null));
            }
        }

        return routes;
    }

    [Fact]
    public async Task Every_page_and_api_route_answers_401_without_a_session()
    {
        Assert.False(DashboardSettingsLoopback(), "0.0.0.0 must count as not loopback");
        var routes = Routes();
        Assert.True(routes.Count >= 10, string.Join(", ", routes));

        // What may be reached without login is exactly how one logs in, and the static assets.
        Assert.Equal(["GET /assets/dashboard.css", "GET /login", "POST /login"], routes.Where(r => r.Anonymous).Select(r => $"{r.Method} {r.Path}").Order(StringComparer.Ordinal));
        foreach (var path in new[] { "/", "/reports", "/api/summary", "/api/domains", "/api/reports", "/domains/example.net", "/api/domains/example.net", "/reports/1", "/api/reports/1", "/logout" })
        {
            Assert.Contains(routes, r => r.Path == path && !r.Anonymous);
        }

        using var client = h.Client();
        foreach (var (method, path, anonymous) in routes.Where(r => !r.Anonymous))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            if (method == "POST")
            {
                request.Content = new FormUrlEncodedContent([new("x", "y")]);
            }

            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal(DashboardAuth.Realm, response.Headers.WwwAuthenticate.ToString());
            Assert.DoesNotContain("example.net</", body, StringComparison.Ordinal); // no data leaks into the 401 page
            _ = anonymous;
        }

        // A bad token is no token; a good one opens the API.
        using var bad = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/summary", UriKind.Relative));
        bad.Headers.Authorization = new("Bearer", "wrong-token-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(bad)).StatusCode);
        using var good = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/summary", UriKind.Relative));
        good.Headers.Authorization = new("Bearer", DashboardHarness.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(good)).StatusCode);
    }

    private bool DashboardSettingsLoopback() => MailTls.Server.Configuration.DashboardSettings.EveryAddressLoopback(
        h.Host.Runtime.Settings.Dashboard!.Listen);

    [Fact]
    public async Task Unknown_paths_are_401_too_before_login()
    {
        using var client = h.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/no/such/page", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Login_with_password_sets_a_strict_session_cookie_and_logout_ends_it()
    {
        using var client = h.Client();
        var (cookies, csrf) = await LoginFormAsync(client);
        using var login = await PostAsync(client, "/login", cookies, [new("csrf", csrf), new("password", DashboardHarness.Password), new("return", "/reports?domain=example.net")]);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/reports?domain=example.net", login.Headers.Location?.OriginalString);
        var session = SetCookies(login).Single(c => c.StartsWith(DashboardAuth.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        cookies[DashboardAuth.SessionCookie] = CookieValue(session);

        using var page = await GetAsync(client, "/", cookies);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Log out", html, StringComparison.Ordinal);
        var logoutToken = CsrfField().Match(html).Groups[1].Value;
        MergeCookies(cookies, page);

        // Logout without the form token is refused; with it the session ends.
        using var forged = await PostAsync(client, "/logout", cookies, []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using var logout = await PostAsync(client, "/logout", cookies, [new("csrf", logoutToken)]);
        Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
        Assert.Equal("/login", logout.Headers.Location?.OriginalString);
        var cleared = SetCookies(logout).Single(c => c.StartsWith(DashboardAuth.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);
        cookies.Remove(DashboardAuth.SessionCookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(client, "/", cookies)).StatusCode);
    }

    [Fact]
    public async Task Login_with_the_token_works_and_a_wrong_password_is_401_with_the_form()
    {
        using var client = h.Client();
        var (cookies, csrf) = await LoginFormAsync(client);
        using var wrong = await PostAsync(client, "/login", cookies, [new("csrf", csrf), new("password", "not it"), new("return", "/")]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SetCookies(wrong), c => c.StartsWith(DashboardAuth.SessionCookie + "=", StringComparison.Ordinal));

        using var token = await PostAsync(client, "/login", cookies, [new("csrf", csrf), new("password", DashboardHarness.Token), new("return", "//evil.example/")]);
        Assert.Equal(HttpStatusCode.SeeOther, token.StatusCode);
        Assert.Equal("/", token.Headers.Location?.OriginalString); // no open redirect
    }

    [Fact]
    public async Task Login_without_the_antiforgery_token_is_refused()
    {
        using var client = h.Client();
        var (cookies, _) = await LoginFormAsync(client);
        using var noToken = await PostAsync(client, "/login", cookies, [new("password", DashboardHarness.Password)]);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        using var noCookie = await PostAsync(client, "/login", [], [new("csrf", "abc"), new("password", DashboardHarness.Password)]);
        Assert.Equal(HttpStatusCode.BadRequest, noCookie.StatusCode);
    }

    [Fact]
    public async Task Repeated_failed_logins_are_throttled()
    {
        using var client = h.Client();
        var (cookies, csrf) = await LoginFormAsync(client);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i <= Limits.DashboardLoginFailuresPerMinute; i++)
        {
            using var r = await PostAsync(client, "/login", cookies, [new("csrf", csrf), new("password", "guess " + i)]);
            codes.Add(r.StatusCode);
        }

        Assert.All(codes.Take(Limits.DashboardLoginFailuresPerMinute), c => Assert.Equal(HttpStatusCode.Unauthorized, c));
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[^1]);
        using var right = await PostAsync(client, "/login", cookies, [new("csrf", csrf), new("password", DashboardHarness.Password)]);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode); // even the right password waits: no oracle
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        using var client = h.Client();
        foreach (var path in new[] { "/", "/login", "/assets/dashboard.js", "/api/summary" })
        {
            using var r = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(DashboardApp.ContentSecurityPolicy, r.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", DashboardApp.ContentSecurityPolicy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", DashboardApp.ContentSecurityPolicy, StringComparison.Ordinal);
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", r.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    private static async Task<(Dictionary<string, string> Cookies, string Csrf)> LoginFormAsync(HttpClient client)
    {
        using var r = await client.GetAsync(new Uri("/login", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var html = await r.Content.ReadAsStringAsync();
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        MergeCookies(cookies, r);
        Assert.True(cookies.ContainsKey(DashboardAuth.AntiforgeryCookie));
        Assert.Contains("autocomplete=\"current-password\"", html, StringComparison.Ordinal);
        return (cookies, CsrfField().Match(html).Groups[1].Value);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, Dictionary<string, string> cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        AddCookies(request, cookies);
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, Dictionary<string, string> cookies, KeyValuePair<string, string>[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new FormUrlEncodedContent(form) };
        AddCookies(request, cookies);
        return await client.SendAsync(request);
    }

    private static void AddCookies(HttpRequestMessage request, Dictionary<string, string> cookies)
    {
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => c.Key + "=" + c.Value)));
        }
    }

    private static void MergeCookies(Dictionary<string, string> cookies, HttpResponseMessage r)
    {
        foreach (var c in SetCookies(r))
        {
            var nameValue = c.Split(';')[0];
            var eq = nameValue.IndexOf('=', StringComparison.Ordinal);
            cookies[nameValue[..eq]] = nameValue[(eq + 1)..];
        }
    }

    private static List<string> SetCookies(HttpResponseMessage r) => r.Headers.TryGetValues("Set-Cookie", out var v) ? [.. v] : [];

    private static string CookieValue(string setCookie)
    {
        var nameValue = setCookie.Split(';')[0];
        return nameValue[(nameValue.IndexOf('=', StringComparison.Ordinal) + 1)..];
    }

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
