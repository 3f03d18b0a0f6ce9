using System.Xml.Linq;
using Billing.QueueStorage.Authentication;
using Billing.QueueStorage.Configuration;
using Billing.QueueStorage.Protocol;

namespace Billing.QueueStorage.Tests.Support;

/// <summary>Reads and writes message text exactly as stored, like another tool would (no Base64 step).</summary>
internal sealed class RawQueueAccess
{
    private readonly QueueRequestSender _sender;

    public RawQueueAccess(string connectionString)
    {
        var parsed = StorageConnectionString.Parse(connectionString);
        _sender = new QueueRequestSender(parsed.QueueEndpoint, new SharedKeySigner(parsed.AccountName, parsed.AccountKey), new HttpClient(), TimeProvider.System);
    }

    public Task PutAsync(string queueName, string storedText) =>
        _sender.SendAsync(
            new QueueRequest("Raw put", HttpMethod.Post, queueName + "/messages")
            {
                XmlBody = new XElement("QueueMessage", new XElement("MessageText", storedText)).ToString(),
            },
            CancellationToken.None);

    public async Task<IReadOnlyList<string>> PeekStoredTextsAsync(string queueName)
    {
        var response = await _sender.SendAsync(
            new QueueRequest("Raw peek", HttpMethod.Get, queueName + "/messages") { Query = [new("peekonly", "true"), new("numofmessages", "32")] },
            CancellationToken.None);
        return XDocument.Parse(response.Body).Descendants("MessageText").Select(e => e.Value).ToList();
    }
}
