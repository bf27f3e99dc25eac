using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.Dane;
using MailTls.Findings;
using MailTls.Pki;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary>
/// <c>generate tlsa (--cert FILE | --key FILE | --host H[:PORT]) [--name HOST] [--usage U --selector S --matching M] [--port 25]</c>.
/// Defaults to the recommended DANE-EE(3) SPKI(1) SHA2-256(1) (RFC 7672 §3.1.1). From a key file only SPKI
/// records are possible; that is how the NEXT key's record is pre-published before a rollover (RFC 7671 §8.1).
/// From a live host the chain is the one its STARTTLS presents (the prober of <c>check</c>), one record per distinct
/// key (a host with RSA and ECDSA certificates needs both).
/// </summary>
internal static class GenerateTlsa
{
    public static Command Command(CliContext context)
    {
        var cert = new Option<string?>("--cert") { Description = "PEM (or DER) certificate or chain, leaf first (e.g. certbot's fullchain.pem)." };
        var key = new Option<string?>("--key") { Description = "PEM public or private key (PKCS#8, RSA, EC) or certificate: SPKI records only." };
        var name = new Option<string?>("--name") { Description = "The MX host name (TLSA base domain); default: the certificate's first DNS name." };
        var port = new Option<int>("--port") { Description = "The service port.", DefaultValueFactory = _ => 25 };
        var usage = new Option<string>("--usage") { Description = "3 (DANE-EE), 2 (DANE-TA), 1 or 0; acronyms accepted.", DefaultValueFactory = _ => "3" };
        var selector = new Option<string>("--selector") { Description = "1 (SPKI) or 0 (Cert).", DefaultValueFactory = _ => "1" };
        var matching = new Option<string>("--matching") { Description = "1 (SHA2-256), 2 (SHA2-512) or 0 (Full).", DefaultValueFactory = _ => "1" };
        var live = new Option<string?>("--host") { Description = "A live SMTP server H[:PORT] (STARTTLS, default port 25): the chain it presents." };
        var resolver = new Option<string[]>("--resolver") { Description = "DNS server ADDR[:PORT] for --host (default: the system's)." };
        var depth = new Option<int?>("--depth") { Description = "Which certificate of the chain (0 = leaf); default 0 for usages 3/1, 1 (the issuer) for 2/0." };
        var command = new Command("tlsa", "Generate TLSA records from a certificate, a chain or a key.")
        {
            cert, key, live, resolver, name, port, usage, selector, matching, depth,
        };
        command.Validators.Add(result =>
        {
            var sources = new object?[] { result.GetValue(cert), result.GetValue(key), result.GetValue(live) }.Count(v => v is not null);
            if (sources != 1)
            {
                result.AddError("Give exactly one of --cert, --key or --host.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            if (!TlsaMnemonics.TryParseUsage(parse.GetValue(usage), out var u)
                || !TlsaMnemonics.TryParseSelector(parse.GetValue(selector), out var s)
                || !TlsaMnemonics.TryParseMatchingType(parse.GetValue(matching), out var m))
            {
                throw new UsageException("--usage/--selector/--matching take numbers 0-255 or RFC 7218 acronyms (DANE-EE, SPKI, SHA2-256, …)");
            }

            var generated = new List<(TlsaRecord Record, string Host, string Detail)>();
            var tlsaPort = parse.GetValue(port);
            if (parse.GetValue(cert) is { } certPath)
            {
                generated.Add(await FromCertificateAsync(certPath, parse.GetValue(name), (TlsaUsage)u, (TlsaSelector)s, (TlsaMatchingType)m, parse.GetValue(depth), cancellationToken));
            }
            else if (parse.GetValue(key) is { } keyPath)
            {
                generated.Add(await FromKeyAsync(keyPath, parse.GetValue(name), (TlsaUsage)u, (TlsaSelector)s, (TlsaMatchingType)m, cancellationToken));
            }
            else
            {
                var (liveHost, livePort) = ParseHostPort(parse.GetValue(live)!);
                if (parse.GetResult(port) is null)
                {
                    tlsaPort = livePort;
                }

                var servers = await DnssecCommand.ServersAsync(parse.GetValue(resolver) ?? [], cancellationToken);
                generated.AddRange(await GenerateTlsaLive.FromHostAsync(liveHost, livePort, servers, parse.GetValue(name),
                    (TlsaUsage)u, (TlsaSelector)s, (TlsaMatchingType)m, parse.GetValue(depth), cancellationToken));
            }

            var findings = new List<Finding>();
            var records = new JsonArray();
            foreach (var (record, host, detail) in generated)
            {
                var owner = TlsaOwner.For(host, tlsaPort)
                    ?? throw new UsageException($"'{host}' is not a valid host name for a TLSA owner");
                findings.AddRange(TlsaValidator.Validate(record, tlsaPort));
                var json = LintTlsa.RecordJson(record, owner);
                json["source"] = detail;
                records.Add(json);
                if (!console.Json)
                {
                    console.Ansi.MarkupLine($"[grey]; {Markup.Escape(detail)} ({LintTlsa.Describe(record)})[/]");
                    console.Ansi.WriteLine(TlsaRecordFormatter.Format(record, owner));
                }
            }

            var distinctFindings = findings.DistinctBy(f => (f.Code, f.Subject)).ToList();
            if (console.Json)
            {
                JsonOutput.Write(console, new JsonObject
                {
                    ["records"] = records,
                    ["source"] = string.Join("; ", generated.Select(g => g.Detail)),
                    ["findings"] = JsonOutput.Findings(distinctFindings),
                });
            }
            else
            {
                if (generated.Any(g => g.Record.Usage == 3))
                {
                    console.Ansi.MarkupLine("[grey]; Before changing the key, publish the next key's record beside this one and wait two TTLs (RFC 7671 §8.1): mailtls generate tlsa --key NEXT.pem[/]");
                }

                FindingsText.Write(console, distinctFindings);
            }

            return distinctFindings.HasErrors() ? ExitCode.Findings : ExitCode.Success;
        });
        return command;
    }

    private static (string Host, int Port) ParseHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && !text.Contains(']', StringComparison.Ordinal) && text.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            if (!int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                throw new UsageException($"--host: '{text}' is not HOST[:PORT]");
            }

            return (text[..colon], p);
        }

        return (text, 25);
    }

    private static async Task<(TlsaRecord Record, string Host, string Detail)> FromCertificateAsync(
        string path, string? name, TlsaUsage usage, TlsaSelector selector, TlsaMatchingType matching, int? depth, CancellationToken cancellationToken)
    {
        var bytes = await InputFiles.ReadAsync(path, Limits.PemMaxBytes + 1, cancellationToken);
        if (bytes.Length > Limits.PemMaxBytes)
        {
            throw new UsageException($"{path}: larger than {Limits.PemMaxBytes} bytes; not a certificate chain");
        }

        var chain = PemReader.ReadCertificates(bytes);
        if (!chain.IsSuccess || chain.Certificates.Count == 0)
        {
            throw new UsageException($"{path}: {chain.Error ?? "no certificate found"}");
        }

        var d = depth ?? (usage is TlsaUsage.DaneTa or TlsaUsage.PkixTa ? 1 : 0);
        if (d < 0 || d >= chain.Certificates.Count)
        {
            throw new UsageException($"{path} holds {chain.Certificates.Count} certificate(s); there is none at depth {d}"
                + (d == 1 ? " (usage 2 needs the issuer: use the full chain, e.g. fullchain.pem)" : string.Empty));
        }

        var leaf = chain.Certificates[0];
        var host = name ?? CertificateIdentity.GetDnsNames(leaf).FirstOrDefault(n => !n.StartsWith('*'))
            ?? throw new UsageException("the certificate has no DNS name to use as owner: give --name MXHOST");
        var certificate = chain.Certificates[d];
        if (Association(certificate, selector, matching) is null)
        {
            throw new UsageException($"selector {(byte)selector} / matching type {(byte)matching} cannot be computed");
        }

        return (TlsaBuilder.FromCertificate(certificate, usage, selector, matching), host, $"depth {d}: {certificate.Subject}");
    }

    private static byte[]? Association(X509Certificate2 certificate, TlsaSelector selector, TlsaMatchingType matching) =>
        TlsaBuilder.Association(certificate.RawData, selector, matching);

    private static async Task<(TlsaRecord Record, string Host, string Detail)> FromKeyAsync(
        string path, string? name, TlsaUsage usage, TlsaSelector selector, TlsaMatchingType matching, CancellationToken cancellationToken)
    {
        if (selector != TlsaSelector.Spki)
        {
            throw new UsageException("a key has no certificate: only --selector 1 (SPKI) is possible with --key");
        }

        if (name is null)
        {
            throw new UsageException("--key needs --name MXHOST (the TLSA base domain)");
        }

        var bytes = await InputFiles.ReadAsync(path, Limits.PemMaxBytes + 1, cancellationToken);
        var spki = PemReader.ReadSubjectPublicKeyInfo(Encoding.UTF8.GetString(bytes));
        if (!spki.IsSuccess)
        {
            throw new UsageException($"{path}: {spki.Error}");
        }

        if (matching is not (TlsaMatchingType.Full or TlsaMatchingType.Sha256 or TlsaMatchingType.Sha512))
        {
            throw new UsageException($"matching type {(byte)matching} cannot be computed");
        }

        return (TlsaBuilder.FromSubjectPublicKeyInfo(spki.SubjectPublicKeyInfo, usage, matching), name, $"key from {spki.SourceLabel}");
    }
}
