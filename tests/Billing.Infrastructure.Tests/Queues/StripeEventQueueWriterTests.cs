using System.Text;
using Billing.Application.StripeEvents;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;

namespace Billing.Infrastructure.Tests.Queues;

public sealed class StripeEventQueueWriterTests : IAsyncLifetime
{
    private readonly AzuriteQueues _azurite = AzuriteFactAttribute.ConnectionString is null ? null! : new AzuriteQueues();

    [AzuriteFact]
    public async Task A_reference_is_sent_base64_encoded_and_the_missing_queue_is_created()
    {
        var writer = new StripeEventQueueWriter(_azurite.Queues);

        await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_1", Type = "invoice.paid" }, CancellationToken.None);
        await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_2" }, CancellationToken.None);

        var raw = (await _azurite.RawMain.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(2, raw.Count);
        var decoded = raw.Select(text => Encoding.UTF8.GetString(Convert.FromBase64String(text))).ToList();
        Assert.Equal("evt_1", StripeEventQueueMessage.Parse(decoded[0]).EventId);
        Assert.Equal("invoice.paid", StripeEventQueueMessage.Parse(decoded[0]).Type);
        Assert.Equal("evt_2", StripeEventQueueMessage.Parse(decoded[1]).EventId);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
