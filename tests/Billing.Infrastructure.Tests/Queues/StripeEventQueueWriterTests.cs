using System.Text;
using Billing.Application.StripeEvents;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;

namespace Billing.Infrastructure.Tests.Queues;

public sealed class StripeEventQueueWriterTests : IAsyncLifetime
{
    private readonly AzuriteQueues _azurite = new AzuriteQueues();

    [Fact]
    public async Task A_reference_is_sent_base64_encoded_and_the_missing_queue_is_created()
    {
        var writer = new StripeEventQueueWriter(_azurite.Queues);

        await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_1", Type = "invoice.paid" }, TimeSpan.Zero, CancellationToken.None);
        await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_2" }, TimeSpan.Zero, CancellationToken.None);

        var raw = (await _azurite.RawMain.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(2, raw.Count);
        var decoded = raw.Select(text => Encoding.UTF8.GetString(Convert.FromBase64String(text))).ToList();
        Assert.Equal("evt_1", StripeEventQueueMessage.Parse(decoded[0]).EventId);
        Assert.Equal("invoice.paid", StripeEventQueueMessage.Parse(decoded[0]).Type);
        Assert.Equal("evt_2", StripeEventQueueMessage.Parse(decoded[1]).EventId);
    }

    [Fact]
    public async Task A_message_sent_with_an_initial_invisibility_is_hidden_until_then()
    {
        var writer = new StripeEventQueueWriter(_azurite.Queues);

        await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_3" }, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Empty((await _azurite.RawMain.PeekMessagesAsync(32)).Value);
        Assert.Equal(1, (await _azurite.RawMain.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_sent_message_is_deleted_by_its_receipt_and_a_second_delete_reports_it_gone()
    {
        var writer = new StripeEventQueueWriter(_azurite.Queues);
        var kept = await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_4" }, TimeSpan.Zero, CancellationToken.None);
        var receipt = await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_5" }, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(await writer.DeleteAsync(receipt, CancellationToken.None));
        Assert.False(await writer.DeleteAsync(receipt, CancellationToken.None));

        var left = Assert.Single((await _azurite.RawMain.PeekMessagesAsync(32)).Value);
        Assert.Equal(kept.MessageId, left.MessageId);
        Assert.Equal(1, (await _azurite.RawMain.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_reference_never_expires_so_an_event_acknowledged_to_Stripe_is_not_dropped_while_it_waits()
    {
        // Stripe got 200 once the reference was sent: if the queue dropped it (the service's default time-to-live is
        // 7 days), the stored event would stay received with nothing left to process it.
        var writer = new StripeEventQueueWriter(_azurite.Queues);

        await writer.EnqueueAsync(new StripeEventQueueMessage { EventId = "evt_6" }, TimeSpan.Zero, CancellationToken.None);

        var message = Assert.Single((await _azurite.RawMain.PeekMessagesAsync(32)).Value);
        Assert.True(message.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"The reference expires on {message.ExpiresOn:O}.");
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
