using MailTls.Scan;

namespace MailTls.Tests.Scan;

public sealed class ScanInputTests
{
    [Theory]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData("# a comment", null)]
    [InlineData("  # indented comment", null)]
    [InlineData("Example.COM.", "example.com")]
    [InlineData("  example.org  # trailing comment", "example.org")]
    [InlineData("\texample.net\t", "example.net")]
    public void Blank_lines_and_comments_are_ignored_and_names_normalised(string line, string? expected)
    {
        var parsed = ScanInput.ParseLine(line, 7);
        if (expected is null)
        {
            Assert.Null(parsed);
        }
        else
        {
            Assert.NotNull(parsed);
            Assert.Equal(expected, parsed.Value.Domain);
            Assert.Null(parsed.Value.Error);
            Assert.Equal(7, parsed.Value.LineNumber);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("not a domain.com")]
    [InlineData("exa mple.com")]
    public void Invalid_names_are_reported_with_the_line_number(string line)
    {
        var parsed = ScanInput.ParseLine(line, 3);
        Assert.NotNull(parsed);
        Assert.Null(parsed.Value.Domain);
        Assert.StartsWith("line 3: ", parsed.Value.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_is_streamed_in_order_with_line_numbers()
    {
        using var reader = new StringReader("# header\n\na.example\r\nb.example # x\nbad name\nc.example");
        var lines = new List<ScanInputLine>();
        await foreach (var l in ScanInput.ReadAsync(reader))
        {
            lines.Add(l);
        }

        Assert.Equal(["a.example", "b.example", null, "c.example"], lines.Select(l => l.Domain));
        Assert.Equal([3, 4, 5, 6], lines.Select(l => l.LineNumber));
        Assert.NotNull(lines[2].Error);
    }
}
