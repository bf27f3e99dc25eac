namespace MailTls.Cli;

/// <summary>Builds the command tree and runs it (placeholder until the commands land).</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        Console.Out.WriteLine("mailtls " + string.Join(' ', args));
        return 0;
    }
}
