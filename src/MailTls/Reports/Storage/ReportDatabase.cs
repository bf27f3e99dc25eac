using Npgsql;

namespace MailTls.Reports.Storage;

/// <summary>
/// Opens the store named by <c>--db</c> (design §4): a <c>postgres://user:pass@host:port/db</c> URL (PostgreSQL) or a
/// file path (SQLite); default <c>$MAILTLS_DB</c>, else <c>$XDG_DATA_HOME/mailtls/mailtls.db</c>, else
/// <c>~/.local/share/mailtls/mailtls.db</c>.
/// </summary>
public static class ReportDatabase
{
    /// <summary>The default location (design §4), from the given environment lookup.</summary>
    public static string DefaultLocation(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("MAILTLS_DB") is { Length: > 0 } db)
        {
            return db;
        }

        var data = environment("XDG_DATA_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "mailtls", "mailtls.db");
    }

    public static bool IsPostgresUrl(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Opens and migrates the store. Throws <see cref="ArgumentException"/> for a malformed URL.</summary>
    public static async Task<SqlReportStore> OpenAsync(string? location, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        location ??= DefaultLocation();
        SqlReportStore store = IsPostgresUrl(location) ? new PostgresReportStore(location, time) : new SqliteReportStore(location, time);
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Turns <c>postgres://user:pass@host:port/db?sslmode=…</c> into Npgsql settings (user and password percent-decoded).</summary>
    public static NpgsqlConnectionStringBuilder PostgresConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsPostgresUrl(url) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"not a postgres://user:pass@host:port/db URL: {Redact(url)}", nameof(url));
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : null,
            MaxPoolSize = 20,
        };
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair[..eq].Equals("sslmode", StringComparison.OrdinalIgnoreCase)
                && Enum.TryParse<SslMode>(Uri.UnescapeDataString(pair[(eq + 1)..]), ignoreCase: true, out var mode))
            {
                builder.SslMode = mode;
            }
            else if (eq > 0 && pair[..eq].Equals("search_path", StringComparison.OrdinalIgnoreCase))
            {
                builder.SearchPath = Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return builder;
    }

    /// <summary>The location with any password replaced, for messages.</summary>
    public static string Redact(string location)
    {
        if (!IsPostgresUrl(location) || !Uri.TryCreate(location, UriKind.Absolute, out var uri) || !uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return location;
        }

        var user = uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)];
        return location.Replace(uri.UserInfo + "@", user + ":***@", StringComparison.Ordinal);
    }
}
