using System.Collections.ObjectModel;

namespace MailTls.Findings;

/// <summary>
/// A finding (design §5): what is wrong (<see cref="Message"/>), about what (<see cref="Subject"/>),
/// why it matters, how to fix it, and the evidence (records, line numbers, fingerprints, HTTP status…).
/// The JSON keys <c>code, severity, subject, message, fix, evidence</c> are a contract.
/// </summary>
public sealed record Finding(
    string Code,
    Severity Severity,
    string Subject,
    string Message,
    string Why,
    string Fix,
    string Rule,
    IReadOnlyDictionary<string, string> Evidence)
{
    internal static readonly IReadOnlyDictionary<string, string> NoEvidence =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    public bool IsError => Severity == Severity.Error;
}
