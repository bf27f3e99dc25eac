namespace MailTls.Cli;

/// <summary>Exit codes, the same for every command (design §4). Scripts depend on them.</summary>
internal static class ExitCode
{
    /// <summary>Success: no error findings, valid input, a match.</summary>
    public const int Success = 0;

    /// <summary>The thing checked is wrong: error findings, invalid input, no match.</summary>
    public const int Findings = 1;

    /// <summary>Usage error: unknown command or option, missing argument, unreadable input file.</summary>
    public const int Usage = 2;

    /// <summary>Could not complete: resolver unreachable, database unavailable, …</summary>
    public const int Incomplete = 3;
}
