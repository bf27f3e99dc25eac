using Spectre.Console;

namespace MailTls.Cli.Output;

/// <summary>
/// Where a command writes: data to <see cref="Out"/>, diagnostics to <see cref="Error"/>. Colour only on a TTY,
/// never with <c>--json</c> or <c>NO_COLOR</c> (design §4).
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool json, bool color)
    {
        Out = output;
        Error = error;
        Json = json;
        Color = color && !json;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = Color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = Color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        Ansi.Profile.Width = Color ? TerminalWidth() : 4096;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>True with <c>--json</c>: one JSON document on stdout.</summary>
    public bool Json { get; }

    public bool Color { get; }

    /// <summary>Spectre console over <see cref="Out"/> for human output.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>The console for a real process: colour when stdout is a terminal and NO_COLOR is unset.</summary>
    public static CliConsole ForProcess(bool json)
    {
        var color = !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        return new CliConsole(Console.Out, Console.Error, json, color);
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}
