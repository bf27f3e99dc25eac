using System.CommandLine;

namespace MailTls.Cli.Commands;

/// <summary><c>mailtls generate sts|tlsrpt|tlsa</c>: produce correct records and policy files.</summary>
internal static class GenerateCommand
{
    public static Command Create(CliContext context)
    {
        var generate = new Command("generate", "Produce MTA-STS, TLS-RPT and TLSA records and the MTA-STS policy file.");
        generate.Subcommands.Add(GenerateSts.Command(context));
        generate.Subcommands.Add(GenerateTlsRpt.Command(context));
        generate.Subcommands.Add(GenerateTlsa.Command(context));
        return generate;
    }
}
