namespace MailTls.Server.Dashboard.Pages;

/// <summary>The login form; also the body of a 401 answer to a page request without a session.</summary>
public static class LoginPage
{
    public static string Render(PageContext context, string csrfToken, string returnPath, string? error)
    {
        var h = new HtmlWriter();
        h.Add($"""
            <div class="login">
            <section class="panel login-card" aria-labelledby="login-h">
            <h1 id="login-h">Log in</h1>
            <p class="quiet">This dashboard shows TLS-RPT reports, audits and readiness. Enter the dashboard password or the access token.</p>
            """);
        if (error is not null)
        {
            h.Add($"""<p class="error" role="alert" id="login-error">{error}</p>""");
        }

        h.Add($"""
            <form method="post" action="/login">
            <input type="hidden" name="{DashboardAuth.FormField}" value="{csrfToken}">
            <input type="hidden" name="return" value="{returnPath}">
            <div class="field"><label for="password">Password or access token</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required autofocus{(error is null ? SafeHtml.Empty : new SafeHtml(" aria-describedby=\"login-error\" aria-invalid=\"true\""))}></div>
            <button type="submit">Log in</button>
            </form>
            </section>
            </div>
            """);
        return Layout.Page(context, "Log in", h.ToHtml());
    }
}
