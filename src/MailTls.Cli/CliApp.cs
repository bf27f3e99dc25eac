using System.CommandLine;
using MailTls.Cli.Commands;

using MailTls.Cli.Output;

namespace MailTls.Cli;

/// <summary>Builds the command tree (design §4) and runs it with the contract's exit codes.</summary>
internal static class CliApp
{
    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        RunAsync(args, Console.Out, Console.Error, color: null, cancellationToken);

    /// <summary>Runs the CLI with explicit writers (tests); <paramref name="color"/> null means "detect".</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool? color, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, color);
        // A plain root command named "mailtls" (RootCommand would take the host's name, "MailTls.Cli" under dotnet).
        var root = new Command("mailtls", "mailtls: deploy and verify SMTP transport security (MTA-STS, TLS-RPT, DANE).")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        root.Options.Add(context.JsonOption);
        root.Subcommands.Add(LintCommand.Create(context));
        root.Subcommands.Add(GenerateCommand.Create(context));
        root.Subcommands.Add(TlsaCommand.Create(context));
        root.Subcommands.Add(DnssecCommand.Create(context));
        root.Subcommands.Add(ReportsCommand.Create(context));
        root.Subcommands.Add(CheckCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(ResolverCommand.Create(context));
        root.Subcommands.Add(ScanCommand.Create(context));
        root.Subcommands.Add(WatchCommand.Create(context));
        root.Subcommands.Add(PlanCommand.Create(context));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                await error.WriteLineAsync("mailtls: " + e.Message);
            }

            await error.WriteLineAsync("Run 'mailtls --help' (or 'mailtls COMMAND --help') for usage.");
            return ExitCode.Usage;
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync("mailtls: " + e.Message);
            return ExitCode.Usage;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync("mailtls: " + e.Message);
            return ExitCode.Incomplete;
        }
        catch (UnauthorizedAccessException e)
        {
            await error.WriteLineAsync("mailtls: " + e.Message);
            return ExitCode.Usage;
        }
    }
}

/// <summary>What every command needs: the global options and the writers.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, bool? color)
{
    public Option<bool> JsonOption { get; } = new("--json")
    {
        Description = "Print one JSON document on stdout instead of text.",
        Recursive = true,
    };

    public CliConsole Console(ParseResult parse)
    {
        var json = parse.GetValue(JsonOption);
        if (color is { } c)
        {
            return new CliConsole(output, error, json, c);
        }

        return ReferenceEquals(output, System.Console.Out) ? CliConsole.ForProcess(json) : new CliConsole(output, error, json, color: false);
    }
}
