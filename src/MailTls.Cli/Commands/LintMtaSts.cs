using System.CommandLine;
using System.Text.Json.Nodes;
using MailTls.Cli.Output;
using MailTls.MtaSts;
using Spectre.Console;

namespace MailTls.Cli.Commands;

/// <summary><c>lint sts-record TEXT</c> and <c>lint sts-policy FILE|-</c> (RFC 8461 §3.1, §3.2).</summary>
internal static class LintMtaSts
{
    public static Command RecordCommand(CliContext context)
    {
        var text = new Argument<string>("TEXT") { Description = "The _mta-sts TXT record value, e.g. 'v=STSv1; id=20260101T000000;'." };
        var command = new Command("sts-record", "Validate an MTA-STS TXT record (RFC 8461 §3.1).") { text };
        command.SetAction(parse =>
        {
            var console = context.Console(parse);
            var result = StsRecordParser.Parse(parse.GetRequiredValue(text));
            JsonNode? parsed = result.Record is { } r
                ? new JsonObject
                {
                    ["version"] = "STSv1",
                    ["id"] = r.Id,
                    ["extensions"] = Extensions(r.Extensions.Select(e => (e.Name, e.Value))),
                }
                : null;
            return LintCommand.Report(console, "MTA-STS TXT record", result.IsValid, result.Findings, parsed, () =>
                console.Ansi.MarkupLine($"id: [bold]{Markup.Escape(result.Record!.Id)}[/]"));
        });
        return command;
    }

    public static Command PolicyCommand(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The policy file (the body of /.well-known/mta-sts.txt), or - for stdin." };
        var command = new Command("sts-policy", "Validate an MTA-STS policy file (RFC 8461 §3.2).") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = context.Console(parse);
            var body = await InputFiles.ReadAsync(parse.GetRequiredValue(file), Limits.StsPolicyMaxBytes + 1, cancellationToken);
            var result = StsPolicyParser.Parse(body);
            JsonNode? parsed = result.Policy is { } p ? PolicyJson(p) : null;
            return LintCommand.Report(console, "MTA-STS policy", result.IsValid, result.Findings, parsed, () =>
            {
                var policy = result.Policy!;
                console.Ansi.MarkupLine($"mode: [bold]{ModeName(policy.Mode)}[/], max_age: {policy.MaxAge} s ({Durations.Describe(policy.MaxAge)}), mx: {Markup.Escape(string.Join(", ", policy.Mx.Select(m => m.Text)))}");
            });
        });
        return command;
    }

    public static JsonObject PolicyJson(StsPolicy policy) => new()
    {
        ["version"] = policy.Version,
        ["mode"] = ModeName(policy.Mode),
        ["max_age"] = policy.MaxAge,
        ["mx"] = JsonOutput.Strings(policy.Mx.Select(m => m.Text)),
        ["extensions"] = Extensions(policy.Extensions.Select(e => (e.Name, e.Value))),
    };

    public static string ModeName(StsMode mode) => mode switch
    {
        StsMode.Enforce => "enforce",
        StsMode.Testing => "testing",
        _ => "none",
    };

    private static JsonObject Extensions(IEnumerable<(string Name, string Value)> extensions)
    {
        var o = new JsonObject();
        foreach (var (name, value) in extensions)
        {
            o[name] = value;
        }

        return o;
    }
}
