using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailTls.Server.Dashboard;

/// <summary>
/// The dashboard password as it is stored in the configuration: <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and
/// hash in base64; PBKDF2-HMAC-SHA256, RFC 8018 §5.2, through .NET's <see cref="Rfc2898DeriveBytes"/>). Made by
/// <c>mailtls serve hash-password</c>; verified in constant time. The bearer token is compared by its SHA-256.
/// </summary>
public static class DashboardPassword
{
    public const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A new hash of <paramref name="password"/> with a random salt.</summary>
    public static string Hash(string password, int iterations = Limits.DashboardPasswordIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Null when <paramref name="stored"/> is a usable hash, else what is wrong with it.</summary>
    public static string? Problem(string stored) => Parse(stored, out _, out _, out _);

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/> (false for a malformed hash).</summary>
    public static bool Verify(string password, string stored)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Parse(stored, out var iterations, out var salt, out var expected) is not null)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>True when <paramref name="token"/> is the configured token (compared by SHA-256, in constant time).</summary>
    public static bool VerifyToken(string token, byte[] expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(expectedSha256);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), expectedSha256);
    }

    private static string? Parse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = (stored ?? string.Empty).Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            return $"expected {Scheme}$ITERATIONS$SALT$HASH (made by `mailtls serve hash-password`)";
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < Limits.DashboardPasswordMinIterations)
        {
            return $"the iteration count must be a number of at least {Limits.DashboardPasswordMinIterations}";
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return "salt and hash must be base64";
        }

        return salt.Length < 8 || hash.Length < 16 ? "salt or hash too short" : null;
    }
}
