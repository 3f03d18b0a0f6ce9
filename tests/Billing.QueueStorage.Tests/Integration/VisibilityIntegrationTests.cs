using Billing.QueueStorage.Tests.Support;

namespace Billing.QueueStorage.Tests.Integration;

public sealed class VisibilityIntegrationTests : IAsyncLifetime
{
    private AzuriteQueue _azurite = null!;

    private QueueClient Queue => _azurite.Queue;

    public async Task InitializeAsync() => _azurite = await AzuriteQueue.CreateAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task A_received_message_is_hidden_until_its_timeout_then_comes_back_with_dequeue_count_2()
    {
        var sent = await Queue.SendAsync("retry me");
        var first = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(2)));
        Assert.Equal(1, first.DequeueCount);

        Assert.Empty(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(2)));

        var again = await _azurite.ReceiveOneWithinAsync(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));
        Assert.NotNull(again);
        Assert.Equal(sent.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.NotEqual(first.PopReceipt, again.PopReceipt);
        Assert.True(DateTimeOffset.UtcNow >= first.NextVisibleOn - TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Updating_visibility_to_zero_makes_the_message_available_at_once()
    {
        await Queue.SendAsync("give back");
        var received = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromMinutes(5)));
        Assert.Empty(await Queue.PeekAsync(1));

        var updated = await Queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero);

        Assert.NotEqual(received.PopReceipt, updated.PopReceipt);
        var again = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(received.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task Updating_visibility_extends_the_hidden_time_and_the_new_pop_receipt_deletes()
    {
        await Queue.SendAsync("keep hidden");
        var received = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));
        var before = DateTimeOffset.UtcNow;

        var updated = await Queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromMinutes(2));

        Assert.InRange(updated.NextVisibleOn, before + TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(5), before + TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Empty(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        await Queue.DeleteMessageAsync(received.MessageId, updated.PopReceipt);
        Assert.Equal(0, await Queue.GetApproximateMessageCountAsync());
    }
}
