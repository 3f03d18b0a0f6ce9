using System.Net;
using System.Text;
using Billing.QueueStorage.Tests.Support;

namespace Billing.QueueStorage.Tests.Integration;

public sealed class MessageIntegrationTests : IAsyncLifetime
{
    private const string NonAscii = "Grüße aus Köln – 東京 🚀 <&>";
    private const string Json = """{"invoiceId":"in_1","amountMinor":1999,"currency":"eur","note":"\"quoted\" & <tagged>"}""";

    private AzuriteQueue _azurite = null!;

    private QueueClient Queue => _azurite.Queue;

    public async Task InitializeAsync() => _azurite = await AzuriteQueue.CreateAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Send_and_receive_round_trip_non_ascii_text_and_json()
    {
        var sentText = await Queue.SendAsync(NonAscii);
        var sentJson = await Queue.SendAsync(Json);

        var received = await Queue.ReceiveAsync(32, TimeSpan.FromSeconds(30));

        Assert.Equal(2, received.Count);
        var byId = received.ToDictionary(m => m.MessageId);
        Assert.Equal(NonAscii, byId[sentText.MessageId].MessageText);
        Assert.Equal(Json, byId[sentJson.MessageId].MessageText);
        Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
        Assert.All(received, m => Assert.True(m.NextVisibleOn > m.InsertedOn));

        foreach (var message in received)
        {
            await Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        Assert.Equal(0, await Queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Stored_text_is_base64_of_utf8_as_the_functions_host_expects()
    {
        await Queue.SendAsync(NonAscii);

        var stored = await new RawQueueAccess(_azurite.ConnectionString).PeekStoredTextsAsync(Queue.Name);

        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(NonAscii)), Assert.Single(stored));
    }

    [Fact]
    public async Task A_raw_message_put_by_another_tool_is_read_as_is()
    {
        await new RawQueueAccess(_azurite.ConnectionString).PutAsync(Queue.Name, Json);

        var message = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));

        Assert.Equal(Json, message.MessageText);
    }

    [Fact]
    public async Task Peek_does_not_change_the_dequeue_count_or_visibility()
    {
        var sent = await Queue.SendAsync(Json);

        var first = Assert.Single(await Queue.PeekAsync(32));
        var second = Assert.Single(await Queue.PeekAsync(32));
        var received = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));

        Assert.Equal(sent.MessageId, first.MessageId);
        Assert.Equal(Json, first.MessageText);
        Assert.Equal(0, first.DequeueCount);
        Assert.Equal(0, second.DequeueCount);
        Assert.Equal(1, received.DequeueCount);
        Assert.Empty(await Queue.PeekAsync(32));
    }

    [Fact]
    public async Task Approximate_count_includes_hidden_messages_and_clear_empties_the_queue()
    {
        for (var i = 0; i < 3; i++)
        {
            await Queue.SendAsync($"message {i}");
        }

        await Queue.ReceiveAsync(1, TimeSpan.FromMinutes(5));
        Assert.Equal(3, await Queue.GetApproximateMessageCountAsync());

        await Queue.ClearAsync();

        Assert.Equal(0, await Queue.GetApproximateMessageCountAsync());
        Assert.Empty(await Queue.PeekAsync(32));
    }

    [Fact]
    public async Task An_oversized_message_is_refused_before_sending_and_the_largest_allowed_one_round_trips()
    {
        var largest = new string('€', 16 * 1024); // 49,152 UTF-8 bytes: exactly 65,536 once Base64-encoded

        await Assert.ThrowsAsync<ArgumentException>(() => Queue.SendAsync(largest + "x"));
        Assert.Equal(0, await Queue.GetApproximateMessageCountAsync());

        await Queue.SendAsync(largest);
        Assert.Equal(largest, Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30))).MessageText);
    }

    [Fact]
    public async Task Visibility_delay_and_time_to_live_are_applied()
    {
        var delayed = await Queue.SendAsync("later", visibilityDelay: TimeSpan.FromMinutes(1));
        var forever = await Queue.SendAsync("forever", timeToLive: QueueClient.NeverExpires);
        var shortLived = await Queue.SendAsync("short", timeToLive: TimeSpan.FromMinutes(2));

        Assert.Equal(TimeSpan.FromMinutes(1), delayed.NextVisibleOn - delayed.InsertedOn);
        Assert.Equal(9999, forever.ExpiresOn.Year);
        Assert.Equal(TimeSpan.FromMinutes(2), shortLived.ExpiresOn - shortLived.InsertedOn);
        Assert.Equal(["forever", "short"], (await Queue.PeekAsync(32)).Select(m => m.MessageText).Order());
        Assert.Equal(3, await Queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Delete_with_a_stale_pop_receipt_fails_with_PopReceiptMismatch()
    {
        await Queue.SendAsync(Json);
        var received = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        var updated = await Queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(30));
        Assert.NotEqual(received.PopReceipt, updated.PopReceipt);

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => Queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(QueueStorageErrorCodes.PopReceiptMismatch, error.ErrorCode);
        await Queue.DeleteMessageAsync(received.MessageId, updated.PopReceipt);
        Assert.Equal(0, await Queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Deleting_an_already_deleted_message_fails_with_MessageNotFound()
    {
        await Queue.SendAsync("once");
        var received = Assert.Single(await Queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        await Queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);

        var error = await Assert.ThrowsAsync<QueueStorageException>(() => Queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal(QueueStorageErrorCodes.MessageNotFound, error.ErrorCode);
    }
}
