namespace MailTls.MtaSts;

/// <summary>
/// One extension field of an MTA-STS TXT record or policy (RFC 8461 §3.1 <c>sts-extension</c>, §3.2
/// <c>sts-policy-extension</c>): a name and its value, kept in the order they appear.
/// </summary>
public readonly record struct StsExtension(string Name, string Value);
