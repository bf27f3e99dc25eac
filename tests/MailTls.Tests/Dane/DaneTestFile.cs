using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MailTls.Dane;
using MailTls.Pki;

namespace MailTls.Tests.Dane;

/// <summary>One case of OpenSSL's danetest.in format (see TestData/Dane/SOURCES.md).</summary>
public sealed record DaneTestCase(
    string File, int Number, string Comment, bool NoNameChecks, int ExpectedResult, int ExpectedDepth,
    IReadOnlyList<TlsaRecord> Records, IReadOnlyList<X509Certificate2> Chain)
{
    public override string ToString() => $"{File} #{Number}: {Comment}";
}

/// <summary>Reader for OpenSSL's test/danetest.in and test/dane-cross.in.</summary>
public static class DaneTestFile
{
    public static IReadOnlyList<DaneTestCase> Load(string fileName)
    {
        var lines = File.ReadAllLines(TestPaths.TestData("Dane", fileName));
        var cases = new List<DaneTestCase>();
        var number = 0;
        var comment = "";
        var group = "";
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i].Trim();
            i++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var text = line.TrimStart('#').Trim();
                if (line.StartsWith("## --", StringComparison.Ordinal))
                {
                    group = text.Trim('-', ' ');
                }
                else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    number = n;
                    comment = "";
                }
                else if (comment.Length == 0 && number > 0)
                {
                    comment = text;
                }

                continue;
            }

            var header = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(5, header.Length);
            var records = new List<TlsaRecord>();
            while (records.Count < header[0])
            {
                var t = lines[i++].Trim();
                if (t.Length == 0 || t.StartsWith('#'))
                {
                    continue;
                }

                var parsed = TlsaRecordParser.Parse(t);
                Assert.True(parsed.Record is not null, $"case {number}: TLSA line does not parse: {t}");
                records.Add(parsed.Record!);
            }

            var pem = new List<string>();
            var certCount = 0;
            while (certCount < header[1])
            {
                var t = lines[i++];
                pem.Add(t);
                if (t.StartsWith("-----END CERTIFICATE-----", StringComparison.Ordinal))
                {
                    certCount++;
                }
            }

            var chain = PemReader.ReadCertificates(string.Join('\n', pem));
            Assert.True(chain.IsSuccess, chain.Error);
            Assert.Equal(header[1], chain.Certificates.Count);
            cases.Add(new DaneTestCase(fileName, number, comment.Length > 0 ? comment : group.Length > 0 ? group : "(no comment)",
                header[2] == 1, header[3], header[4], records, chain.Certificates));
            comment = "";
        }

        return cases;
    }
}
