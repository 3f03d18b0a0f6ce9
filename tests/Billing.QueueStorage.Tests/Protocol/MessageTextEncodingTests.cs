using Billing.QueueStorage.Protocol;

namespace Billing.QueueStorage.Tests.Protocol;

public sealed class MessageTextEncodingTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("Grüße aus Köln, 東京 🚀")]
    [InlineData("""{"invoiceId":"in_1","amountMinor":1999,"currency":"eur"}""")]
    public void Encoded_text_decodes_to_itself(string text) =>
        Assert.Equal(text, MessageTextEncoding.Decode(MessageTextEncoding.Encode(text, nameof(text))));

    [Fact]
    public void Encoding_is_base64_of_utf8() =>
        Assert.Equal("4oKsIDE5Ljk5", MessageTextEncoding.Encode("€ 19.99", "messageText"));

    [Theory]
    [InlineData("""{"raw":true}""")]
    [InlineData("hello world")]
    [InlineData("not base64!")]
    public void Text_that_is_not_base64_is_returned_as_is(string wireText) =>
        Assert.Equal(wireText, MessageTextEncoding.Decode(wireText));

    [Fact]
    public void Base64_of_bytes_that_are_not_utf8_is_returned_as_is()
    {
        const string wireText = "/w=="; // 0xFF: never valid UTF-8

        Assert.Equal(wireText, MessageTextEncoding.Decode(wireText));
    }
}
