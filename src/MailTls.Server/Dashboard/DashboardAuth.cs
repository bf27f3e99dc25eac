using System.Net;
using System.Security.Claims;
using System.Text.Json.Nodes;
using MailTls.Server.Configuration;
using MailTls.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailTls.Server.Dashboard;

/// <summary>
/// The dashboard's login. When <see cref="DashboardSettings.AuthRequired"/> (any listen address not loopback, or
/// credentials configured), every route except <c>/login</c> and <c>/assets/…</c> answers 401 without a session
/// cookie or a valid <c>Authorization: Bearer</c> token — default deny, so a route added later is protected too
/// (a test enumerates the endpoint data source). The session cookie is HttpOnly, SameSite=Strict and Secure; the
/// login and logout forms carry antiforgery tokens; nothing secret travels in a URL.
/// </summary>
public sealed class DashboardAuth
{
    public const string FormField = "csrf";
    public const string SessionCookie = "mailtls_session";
    public const string AntiforgeryCookie = "mailtls_csrf";
    public const string Realm = "Bearer realm=\"mailtls dashboard\"";
    private const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    private readonly DashboardSettings settings;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Queue<DateTimeOffset> failures = new();

    public DashboardAuth(DashboardSettings settings, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.settings = settings;
        this.logger = logger;
        this.time = time;
    }

    public bool Required => settings.AuthRequired;

    public static void AddServices(IServiceCollection services, DashboardSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        // Keys live in memory: a restart ends every session (docs/dashboard.md); nothing to protect on disk. The key
        // manager that AddDataProtection starts anyway gets a memory repository too, so no key file is ever written.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new MemoryXmlRepository());
        services.AddAuthentication(Scheme).AddCookie(Scheme, o =>
        {
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.Path = "/";
            o.ExpireTimeSpan = settings.Auth.SessionLifetime;
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = c =>
            {
                c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = c =>
            {
                c.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;

            // Not a credential (it only pairs with the form field), and antiforgery refuses "Always" on plain HTTP,
            // which a loopback dashboard or one behind a TLS proxy speaks; the session cookie is always Secure.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = FormField;
            o.HeaderName = null;
            o.SuppressXFrameOptionsHeader = true; // we send DENY ourselves
        });
    }

    /// <summary>The gate: lets anonymous endpoints and authenticated requests through, answers 401 to the rest.</summary>
    public async Task GateAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!Required || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null || context.User.Identity?.IsAuthenticated == true)
        {
            await next(context);
            return;
        }

        if (BearerToken(context.Request) is { } token && settings.Auth.TokenSha256 is { } expected && DashboardPassword.VerifyToken(token, expected))
        {
            context.User = Principal("token", cookie: false);
            await next(context);
            return;
        }

        await ChallengeAsync(context, error: null);
    }

    /// <summary>GET /login, POST /login, POST /logout (the first two anonymous: they are how one gets in).</summary>
    public void Map(IEndpointRouteBuilder app, Func<HttpContext, string, PageContext> page)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/login", context =>
        {
            if (!Required || context.User.Identity?.IsAuthenticated == true)
            {
                return Redirect(context, "/");
            }

            return WriteLoginAsync(context, page, StatusCodes.Status200OK, "/", error: null);
        }).AllowAnonymous();

        app.MapPost("/login", async context =>
        {
            if (!Required)
            {
                await Redirect(context, "/");
                return;
            }

            if (!await ValidFormAsync(context))
            {
                return;
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var returnPath = SafeReturn(form["return"].ToString());
            if (Throttled())
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "60";
                await WriteLoginAsync(context, page, StatusCodes.Status429TooManyRequests, returnPath, "Too many failed logins: wait a minute and try again.");
                return;
            }

            var secret = form["password"].ToString();
            var method = secret.Length == 0 ? null
                : settings.Auth.PasswordHash is { } hash && DashboardPassword.Verify(secret, hash) ? "password"
                : settings.Auth.TokenSha256 is { } sha && DashboardPassword.VerifyToken(secret, sha) ? "token"
                : null;
            if (method is null)
            {
                Fail();
                logger.LogWarning("dashboard: failed login from {Address}", context.Connection.RemoteIpAddress);
                await WriteLoginAsync(context, page, StatusCodes.Status401Unauthorized, returnPath, "That password or token is not right.");
                return;
            }

            await context.SignInAsync(Scheme, Principal(method, cookie: true));
            logger.LogInformation("dashboard: login ({Method}) from {Address}", method, context.Connection.RemoteIpAddress);
            await Redirect(context, returnPath);
        }).AllowAnonymous();

        app.MapPost("/logout", async context =>
        {
            if (!await ValidFormAsync(context))
            {
                return;
            }

            await context.SignOutAsync(Scheme);
            await Redirect(context, Required ? "/login" : "/");
        });
    }

    /// <summary>The logout form's token when the request has a cookie session (none for bearer requests or without login).</summary>
    public static string? LogoutToken(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.Identity is { IsAuthenticated: true, AuthenticationType: Scheme }
            ? context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken
            : null;
    }

    private async Task ChallengeAsync(HttpContext context, string? error)
    {
        context.Response.Headers.WWWAuthenticate = Realm;
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(new JsonObject { ["error"] = "authentication required: log in or send Authorization: Bearer TOKEN" }.ToJsonString());
            return;
        }

        var returnPath = HttpMethods.IsGet(context.Request.Method) ? SafeReturn(context.Request.Path + context.Request.QueryString) : "/";
        await WriteLoginAsync(context, (c, s) => new PageContext(s, null, time.GetUtcNow()), StatusCodes.Status401Unauthorized, returnPath, error);
    }

    private static Task WriteLoginAsync(HttpContext context, Func<HttpContext, string, PageContext> page, int status, string returnPath, string? error)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(LoginPage.Render(page(context, "login"), tokens.RequestToken!, returnPath, error));
    }

    private static async Task<bool> ValidFormAsync(HttpContext context)
    {
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("The form is missing its antiforgery token or has expired: reload the page and try again.");
            return false;
        }
    }

    private static Task Redirect(HttpContext context, string path)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = path;
        return Task.CompletedTask;
    }

    /// <summary>A local path to return to after login: "/…" but not "//host" or "/\host" (no open redirect).</summary>
    internal static string SafeReturn(string? path) =>
        path is { Length: > 0 } p && p[0] == '/' && (p.Length == 1 || (p[1] != '/' && p[1] != '\\')) && !p.Any(char.IsControl) && !p.StartsWith("/login", StringComparison.Ordinal)
            ? p
            : "/";

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.Length > 7 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private static ClaimsPrincipal Principal(string method, bool cookie) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "dashboard"), new Claim(ClaimTypes.NameIdentifier, "dashboard"), new Claim("login_method", method)],
        cookie ? Scheme : "Bearer"));

    private bool Throttled()
    {
        lock (failures)
        {
            var cutoff = time.GetUtcNow().AddMinutes(-1);
            while (failures.Count > 0 && failures.Peek() < cutoff)
            {
                failures.Dequeue();
            }

            return failures.Count >= Limits.DashboardLoginFailuresPerMinute;
        }
    }

    private void Fail()
    {
        lock (failures)
        {
            failures.Enqueue(time.GetUtcNow());
        }
    }

    /// <summary>True for a Host header naming this machine's loopback (DNS-rebinding guard of a dashboard without login).</summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        var name = host.Host.Trim('[', ']');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(name, out var a) && IPAddress.IsLoopback(a));
    }

    private sealed class MemoryXmlRepository : IXmlRepository
    {
        private readonly List<System.Xml.Linq.XElement> elements = [];

        public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements()
        {
            lock (elements)
            {
                return [.. elements];
            }
        }

        public void StoreElement(System.Xml.Linq.XElement element, string friendlyName)
        {
            lock (elements)
            {
                elements.Add(element);
            }
        }
    }
}
