using System.Text.RegularExpressions;

namespace MailTls.Dns.Update;

/// <summary>Result of <see cref="TsigKeyFile.Parse"/>: the key, or why the text is not one.</summary>
public sealed record TsigKeyParseResult(TsigKey? Key, string? Error);

/// <summary>
/// Reads a TSIG key in the forms DNS servers print: BIND's <c>key "NAME" { algorithm hmac-sha256; secret "B64"; };</c>
/// (<c>tsig-keygen</c>), Knot's YAML <c>key: - id: NAME / algorithm: hmac-sha256 / secret: B64</c> (<c>keymgr -t</c>),
/// or the one-line <c>[ALG:]NAME:B64</c> that <c>nsupdate -y</c> and <c>knsupdate -y</c> take. The first key wins.
/// </summary>
public static partial class TsigKeyFile
{
    public static TsigKeyParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > Limits.TsigKeyFileMaxChars)
        {
            return new(null, $"larger than {Limits.TsigKeyFileMaxChars} characters");
        }

        var bind = BindKey().Match(text);
        if (bind.Success)
        {
            return Make(bind.Groups["name"].Value, bind.Groups["alg"].Value, bind.Groups["secret"].Value);
        }

        var knot = KnotKey().Match(text);
        if (knot.Success)
        {
            var block = knot.Groups["block"].Value;
            var alg = KnotField("algorithm").Match(block);
            var secret = KnotField("secret").Match(block);
            return alg.Success && secret.Success
                ? Make(knot.Groups["name"].Value, alg.Groups["v"].Value, secret.Groups["v"].Value)
                : new(null, "a Knot key entry needs 'algorithm:' and 'secret:'");
        }

        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        if (line is not null)
        {
            var parts = line.Split(':');
            if (parts.Length == 3)
            {
                return Make(parts[1], parts[0], parts[2]);
            }

            if (parts.Length == 2)
            {
                return Make(parts[0], "hmac-sha256", parts[1]);
            }
        }

        return new(null, "not a TSIG key (expected a BIND 'key' clause, a Knot 'key:' entry or ALGORITHM:NAME:SECRET)");
    }

    private static TsigKeyParseResult Make(string name, string algorithm, string secret)
    {
        if (!Tsig.TryParseAlgorithm(algorithm, out var alg))
        {
            return new(null, $"unsupported TSIG algorithm '{algorithm}' (hmac-sha256, hmac-sha384 or hmac-sha512)");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(secret.Trim());
        }
        catch (FormatException)
        {
            return new(null, "the secret is not base64");
        }

        if (bytes.Length == 0 || Dns.Wire.WireName.Normalize(name.Trim()) is null)
        {
            return new(null, "empty secret or invalid key name");
        }

        return new(new TsigKey(name.Trim(), alg, bytes), null);
    }

    [GeneratedRegex("""key\s+"?(?<name>[A-Za-z0-9._-]+)"?\s*\{[^}]*?algorithm\s+"?(?<alg>[A-Za-z0-9.-]+)"?\s*;[^}]*?secret\s+"(?<secret>[A-Za-z0-9+/=]+)"\s*;""", RegexOptions.Singleline, 1000)]
    private static partial Regex BindKey();

    [GeneratedRegex(@"-\s*id\s*:\s*""?(?<name>[A-Za-z0-9._-]+)""?\s*\n(?<block>(?:[ \t]+[a-z-]+\s*:.*\n?)+)", RegexOptions.None, 1000)]
    private static partial Regex KnotKey();

    private static Regex KnotField(string field) => new(@"^[ \t]+" + field + @"\s*:\s*""?(?<v>[^""\s]+)""?", RegexOptions.Multiline, TimeSpan.FromSeconds(1));
}
