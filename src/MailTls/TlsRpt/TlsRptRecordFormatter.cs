using System.Text;

namespace MailTls.TlsRpt;

/// <summary>
/// Builds a TLS-RPT TXT record value (RFC 8460 §3): <c>v=TLSRPTv1; rua=mailto:a@b,https://…</c>. Characters that
/// would break the record grammar inside a URI (",", "!", ";" and whitespace) are percent-encoded, as §3 requires.
/// </summary>
public static class TlsRptRecordFormatter
{
    public static string Format(IEnumerable<Uri> rua)
    {
        ArgumentNullException.ThrowIfNull(rua);
        var list = rua.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one rua URI is required (RFC 8460 §3).", nameof(rua));
        }

        var sb = new StringBuilder(TlsRptGrammar.Version).Append("; rua=");
        for (var i = 0; i < list.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i]);
            if (!list[i].IsAbsoluteUri)
            {
                throw new ArgumentException($"rua URI \"{list[i]}\" is not absolute.", nameof(rua));
            }

            if (i > 0)
            {
                sb.Append(',');
            }

            foreach (var c in list[i].OriginalString)
            {
                sb.Append(c switch
                {
                    ',' => "%2C",
                    '!' => "%21",
                    ';' => "%3B",
                    ' ' => "%20",
                    '\t' => "%09",
                    _ => c.ToString(),
                });
            }
        }

        return sb.ToString();
    }
}
