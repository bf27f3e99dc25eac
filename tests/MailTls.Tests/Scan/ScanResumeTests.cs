using System.Text;
using MailTls.Scan;

namespace MailTls.Tests.Scan;

public sealed class ScanResumeTests
{
    private const string A = "{\"domain\":\"a.example\",\"findings\":[]}";
    private const string B = "{\"domain\":\"b.example\",\"mx\":[{\"host\":\"mx.b.example\"}]}";

    [Fact]
    public void Complete_lines_are_done_and_the_whole_file_is_kept()
    {
        var text = A + "\n" + B + "\n";
        var state = ScanResume.Read(text);
        Assert.Equal(new HashSet<string> { "a.example", "b.example" }, state.Done);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), state.ValidLength);
        Assert.False(state.DroppedTail);
    }

    [Fact]
    public void A_truncated_last_line_is_not_done_and_is_cut_off()
    {
        var kept = A + "\n";
        var state = ScanResume.Read(kept + B[..20]);
        Assert.Equal(new HashSet<string> { "a.example" }, state.Done);
        Assert.Equal(Encoding.UTF8.GetByteCount(kept), state.ValidLength);
        Assert.True(state.DroppedTail);
    }

    [Fact]
    public void A_complete_object_without_its_newline_is_still_cut_off()
    {
        // The writer emits the newline with the line; without it the write was interrupted, so redo that domain.
        var state = ScanResume.Read(A + "\n" + B);
        Assert.Equal(new HashSet<string> { "a.example" }, state.Done);
        Assert.True(state.DroppedTail);
        Assert.Equal(A.Length + 1, state.ValidLength);
    }

    [Fact]
    public void An_unreadable_terminated_last_line_is_dropped()
    {
        var state = ScanResume.Read(A + "\n{\"domain\":\"b.ex\n");
        Assert.Equal(new HashSet<string> { "a.example" }, state.Done);
        Assert.Equal(A.Length + 1, state.ValidLength);
        Assert.True(state.DroppedTail);
    }

    [Fact]
    public void A_malformed_line_in_the_middle_is_an_error()
    {
        Assert.Throws<InvalidDataException>(() => ScanResume.Read(A + "\nnot json\n" + B + "\n"));
    }

    [Fact]
    public void Empty_file_and_multibyte_text_count_bytes_not_chars()
    {
        Assert.Empty(ScanResume.Read(string.Empty).Done);
        var line = "{\"domain\":\"x.example\",\"summary\":\"ünïcödé — ✓\"}\n";
        var state = ScanResume.Read(line + "{\"dom");
        Assert.Equal(Encoding.UTF8.GetByteCount(line), state.ValidLength);
        Assert.Equal(["x.example"], state.Done);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"domain\":3}")]
    [InlineData("{\"other\":\"a\"}")]
    [InlineData("")]
    public void Lines_without_a_domain_string_are_not_results(string line)
    {
        Assert.Null(ScanResume.DomainOf(Encoding.UTF8.GetBytes(line)));
    }
}
