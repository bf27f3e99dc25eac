namespace MailTls.Findings;

/// <summary>
/// One entry of the findings catalogue: a stable dotted code with its default severity, the rule it
/// enforces, why it matters and how to fix it. Every definition is a <c>public static readonly</c> field
/// of a class in this assembly (one class per protocol folder) and is listed in <c>docs/findings.md</c>.
/// </summary>
public sealed record FindingDefinition
{
    public FindingDefinition(string code, Severity severity, string title, string rule, string why, string fix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
        Severity = severity;
        Title = title;
        Rule = rule;
        Why = why;
        Fix = fix;
    }

    /// <summary>Stable dotted code, e.g. <c>sts.txt.multiple-records</c>. Never renamed once published.</summary>
    public string Code { get; }

    public Severity Severity { get; }

    /// <summary>One-line summary used in the catalogue.</summary>
    public string Title { get; }

    /// <summary>The rule enforced, e.g. <c>RFC 8461 §3.1</c>.</summary>
    public string Rule { get; }

    /// <summary>Why the problem matters to mail delivery or security.</summary>
    public string Why { get; }

    /// <summary>How to fix it.</summary>
    public string Fix { get; }

    /// <summary>Creates a finding about <paramref name="subject"/> with a specific message and evidence.</summary>
    public Finding Create(string subject, string message, IReadOnlyDictionary<string, string>? evidence = null, Severity? severity = null)
        => new(Code, severity ?? Severity, subject, message, Why, Fix, Rule, evidence ?? Finding.NoEvidence);
}
