using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Billing.QueueStorage.Protocol;

/// <summary>The Queue service's XML: the Put Message body, QueueMessagesList responses and Error bodies.</summary>
internal static class QueueXml
{
    private static readonly XmlReaderSettings SafeReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
    };

    public static string PutMessageBody(string encodedMessageText) =>
        new XElement("QueueMessage", new XElement("MessageText", encodedMessageText)).ToString(SaveOptions.DisableFormatting);

    public static SentMessage ParseSentMessage(string body)
    {
        var message = Messages(body).FirstOrDefault()
                      ?? throw new QueueStorageException("The queue service answered Put Message without a QueueMessage element.");
        return new SentMessage(
            Text(message, "MessageId"),
            Text(message, "PopReceipt"),
            Date(message, "InsertionTime"),
            Date(message, "ExpirationTime"),
            Date(message, "TimeNextVisible"));
    }

    public static IReadOnlyList<ReceivedMessage> ParseReceivedMessages(string body) =>
        Messages(body).Select(message => new ReceivedMessage(
            Text(message, "MessageId"),
            Text(message, "PopReceipt"),
            MessageTextEncoding.Decode(Text(message, "MessageText")),
            Count(message, "DequeueCount"),
            Date(message, "InsertionTime"),
            Date(message, "ExpirationTime"),
            Date(message, "TimeNextVisible"))).ToList();

    public static IReadOnlyList<PeekedMessage> ParsePeekedMessages(string body) =>
        Messages(body).Select(message => new PeekedMessage(
            Text(message, "MessageId"),
            MessageTextEncoding.Decode(Text(message, "MessageText")),
            Count(message, "DequeueCount"),
            Date(message, "InsertionTime"),
            Date(message, "ExpirationTime"))).ToList();

    /// <summary>Code and Message of an Error body; nulls when the body is empty or not that XML.</summary>
    public static (string? Code, string? Message) ParseError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            var error = Load(body).Root;
            return (error?.Element("Code")?.Value, error?.Element("Message")?.Value);
        }
        catch (XmlException)
        {
            return (null, null);
        }
    }

    /// <summary>Storage dates are RFC 1123 ("Sat, 21 Nov 2026 14:28:53 GMT").</summary>
    public static DateTimeOffset ParseDate(string value) =>
        DateTimeOffset.ParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static IEnumerable<XElement> Messages(string body) =>
        string.IsNullOrWhiteSpace(body) ? [] : Load(body).Root?.Elements("QueueMessage") ?? [];

    private static XDocument Load(string body)
    {
        using var text = new StringReader(body);
        using var reader = XmlReader.Create(text, SafeReaderSettings);
        return XDocument.Load(reader);
    }

    private static string Text(XElement message, string name) =>
        message.Element(name)?.Value
        ?? throw new QueueStorageException($"The queue service's QueueMessage lacks the {name} element.");

    private static DateTimeOffset Date(XElement message, string name) => ParseDate(Text(message, name));

    private static long Count(XElement message, string name) => long.Parse(Text(message, name), CultureInfo.InvariantCulture);
}
