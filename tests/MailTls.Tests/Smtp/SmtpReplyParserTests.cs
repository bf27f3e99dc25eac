using System.Text;
using MailTls.Smtp;

namespace MailTls.Tests.Smtp;

/// <summary>SMTP reply parsing (RFC 5321 §4.2) on recorded server conversations, fed at several chunk sizes down to 1 byte.</summary>
public sealed class SmtpReplyParserTests
{
    // Recorded from the lab's Postfix (banner, EHLO reply, STARTTLS reply), CRLF line ends.
    private const string Postfix =
        "220 mx1.dane-311.lab ESMTP Postfix (Debian/GNU)\r\n" +
        "250-mx1.dane-311.lab\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n" +
        "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n" +
        "220 2.0.0 Ready to start TLS\r\n";

    // A multi-line banner (Exchange style) and an EHLO reply without STARTTLS, bare LF line ends.
    private const string MultiLineBanner =
        "220-mail.example.com Microsoft ESMTP MAIL Service ready\n220-unsolicited bulk mail prohibited\n220 at Sat, 28 Nov 2026 10:00:00 +0000\n" +
        "250-mail.example.com Hello [192.0.2.1]\n250-SIZE 37748736\n250-8BITMIME\n250 AUTH LOGIN\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(4096)]
    public void Postfix_conversation_parses_at_any_chunk_size(int chunk)
    {
        var (replies, error) = SmtpReplyParser.ParseAll(Encoding.ASCII.GetBytes(Postfix), chunk);
        Assert.Equal(SmtpReplyError.None, error);
        Assert.Equal(3, replies.Count);
        Assert.Equal(220, replies[0].Code);
        Assert.Equal("mx1.dane-311.lab ESMTP Postfix (Debian/GNU)", Assert.Single(replies[0].Lines));
        Assert.Equal(250, replies[1].Code);
        Assert.Equal(11, replies[1].Lines.Count);
        Assert.Contains("STARTTLS", replies[1].EhloKeywords);
        Assert.Contains("CHUNKING", replies[1].EhloKeywords);
        Assert.DoesNotContain("MX1.DANE-311.LAB", replies[1].EhloKeywords);
        Assert.Equal(220, replies[2].Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void Multi_line_banner_with_bare_lf(int chunk)
    {
        var (replies, error) = SmtpReplyParser.ParseAll(Encoding.ASCII.GetBytes(MultiLineBanner), chunk);
        Assert.Equal(SmtpReplyError.None, error);
        Assert.Equal(2, replies.Count);
        Assert.Equal(3, replies[0].Lines.Count);
        Assert.Equal(["SIZE", "8BITMIME", "AUTH"], replies[1].EhloKeywords);
        Assert.DoesNotContain("STARTTLS", replies[1].EhloKeywords);
    }

    [Fact]
    public void Incomplete_reply_waits_for_more_bytes()
    {
        var parser = new SmtpReplyParser();
        Assert.Null(parser.Feed("250-first\r\n250 sec"u8, out var used));
        Assert.Equal(18, used);
        var reply = parser.Feed("ond\r\n"u8, out _);
        Assert.NotNull(reply);
        Assert.Equal(["first", "second"], reply.Lines);
    }

    [Theory]
    [InlineData("HTTP/1.1 400 Bad Request\r\n")]
    [InlineData("2x0 nonsense\r\n")]
    [InlineData("250-one\r\n251 two\r\n")]
    [InlineData("250_x\r\n")]
    public void Not_smtp_is_malformed(string text)
    {
        var (_, error) = SmtpReplyParser.ParseAll(Encoding.ASCII.GetBytes(text), 1);
        Assert.Equal(SmtpReplyError.Malformed, error);
    }

    [Fact]
    public void Overlong_line_and_endless_reply_are_bounded()
    {
        var (_, longError) = SmtpReplyParser.ParseAll(Encoding.ASCII.GetBytes("220 " + new string('a', Limits.SmtpMaxReplyLineBytes + 10) + "\r\n"), 512);
        Assert.Equal(SmtpReplyError.LineTooLong, longError);
        var endless = string.Concat(Enumerable.Repeat("250-x\r\n", Limits.SmtpMaxReplyLines + 1));
        var (_, manyError) = SmtpReplyParser.ParseAll(Encoding.ASCII.GetBytes(endless), 100);
        Assert.Equal(SmtpReplyError.TooManyLines, manyError);
    }

    [Fact]
    public void Three_digit_line_without_text_ends_the_reply()
    {
        var (replies, error) = SmtpReplyParser.ParseAll("250-a\r\n250\r\n"u8.ToArray(), 1);
        Assert.Equal(SmtpReplyError.None, error);
        Assert.Equal(["a", string.Empty], Assert.Single(replies).Lines);
    }
}
