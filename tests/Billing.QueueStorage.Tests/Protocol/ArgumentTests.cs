using System.Net;
using Billing.QueueStorage.Tests.Support;

namespace Billing.QueueStorage.Tests.Protocol;

/// <summary>Invalid arguments are refused before anything is sent.</summary>
public sealed class ArgumentTests
{
    private readonly StubHttpHandler _handler = StubHttpHandler.NeverCalled();

    private QueueClient Queue => StubbedQueue.Create(_handler);

    [Theory]
    [InlineData("abc")]
    [InlineData("billing-events-2026")]
    [InlineData("a1-b2-c3")]
    [InlineData("123")]
    public void Valid_queue_names_are_accepted(string name) =>
        Assert.Equal(name, QueueServiceClient.FromConnectionString("UseDevelopmentStorage=true").GetQueueClient(name).Name);

    [Theory]
    [InlineData("ab", "3 to 63 characters")]
    [InlineData("Orders", "lowercase letters, digits and hyphens")]
    [InlineData("orders_v2", "lowercase letters, digits and hyphens")]
    [InlineData("-orders", "start and end with a letter or a digit")]
    [InlineData("orders-", "start and end with a letter or a digit")]
    [InlineData("my--orders", "consecutive hyphens")]
    public void Invalid_queue_names_are_refused_with_the_rule(string name, string rule)
    {
        var error = Assert.Throws<ArgumentException>(() => QueueServiceClient.FromConnectionString("UseDevelopmentStorage=true").GetQueueClient(name));

        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_64_character_queue_name_is_refused() =>
        Assert.Throws<ArgumentException>(() => QueueServiceClient.FromConnectionString("UseDevelopmentStorage=true").GetQueueClient(new string('a', 64)));

    [Fact]
    public async Task A_message_over_64_KiB_once_encoded_is_refused_before_sending()
    {
        var text = new string('x', 48 * 1024 + 1); // Base64: 65,540 characters

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Queue.SendAsync(text));

        Assert.Equal("messageText", error.ParamName);
        Assert.Contains("65540 bytes once Base64-encoded", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _handler.Count);
    }

    [Fact]
    public async Task Multi_byte_text_counts_by_its_encoded_size()
    {
        var text = new string('€', 16 * 1024 + 1); // 3 UTF-8 bytes each: 49,155 bytes, 65,540 once encoded

        await Assert.ThrowsAsync<ArgumentException>(() => Queue.SendAsync(text));
        Assert.Equal(0, _handler.Count);
    }

    [Fact]
    public async Task Text_with_a_lone_surrogate_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Queue.SendAsync("broken \ud800 text"));

        Assert.Contains("not valid Unicode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task Message_counts_outside_1_to_32_are_refused(int count)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.ReceiveAsync(count, TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.PeekAsync(count));
    }

    [Fact]
    public async Task Visibility_timeouts_out_of_range_or_fractional_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.ReceiveAsync(1, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.ReceiveAsync(1, TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => Queue.ReceiveAsync(1, TimeSpan.FromMilliseconds(1500)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.UpdateVisibilityAsync("m1", "p1", TimeSpan.FromSeconds(-1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.SendAsync("x", visibilityDelay: TimeSpan.FromDays(8)));
    }

    [Fact]
    public async Task Time_to_live_must_be_a_second_or_more_and_longer_than_the_delay()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Queue.SendAsync("x", timeToLive: TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentException>(() => Queue.SendAsync("x", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Blank_message_ids_and_pop_receipts_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Queue.DeleteMessageAsync(" ", "p1"));
        await Assert.ThrowsAsync<ArgumentException>(() => Queue.DeleteMessageAsync("m1", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Queue.UpdateVisibilityAsync(null!, "p1", TimeSpan.Zero));
        Assert.Equal(0, _handler.Count);
    }

    [Fact]
    public async Task A_message_of_exactly_64_KiB_once_encoded_is_sent()
    {
        var handler = new StubHttpHandler((_, _) => Task.FromResult(StubHttpHandler.Response(HttpStatusCode.BadRequest)));

        await Assert.ThrowsAsync<QueueStorageException>(() => StubbedQueue.Create(handler).SendAsync(new string('x', 48 * 1024)));

        Assert.Equal(1, handler.Count);
    }
}
