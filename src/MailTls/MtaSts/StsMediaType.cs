namespace MailTls.MtaSts;

/// <summary>
/// The policy response media type rule (RFC 8461 §3.3: senders SHOULD check for <c>text/plain</c>; parameters are
/// ignored). The media type (before any ';', trimmed) is compared case-insensitively.
/// </summary>
public static class StsMediaType
{
    /// <summary>True when <paramref name="contentTypeHeader"/> is <c>text/plain</c> with any parameters.</summary>
    public static bool IsAcceptable(string? contentTypeHeader)
    {
        if (contentTypeHeader is null)
        {
            return false;
        }

        var semicolon = contentTypeHeader.IndexOf(';', StringComparison.Ordinal);
        var media = (semicolon >= 0 ? contentTypeHeader.AsSpan(0, semicolon) : contentTypeHeader.AsSpan()).Trim(" \t");
        return media.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }
}
