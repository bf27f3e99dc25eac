namespace MailTls.Findings;

/// <summary>
/// How much a finding matters (design §5). <see cref="Error"/>: a compliant sender would fail, or the
/// artefact is invalid. <see cref="Warning"/>: works today but is fragile or goes against a SHOULD.
/// <see cref="Info"/>: worth knowing.
/// </summary>
public enum Severity
{
    Info = 0,
    Warning = 1,
    Error = 2,
}
