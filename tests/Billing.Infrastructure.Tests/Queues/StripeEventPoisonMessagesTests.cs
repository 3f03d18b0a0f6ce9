using System.Text;
using Billing.Application.StripeEvents;
using Billing.Domain.Accounts;
using Billing.Infrastructure.Queues;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Infrastructure.Tests.Queues;

public sealed class StripeEventPoisonMessagesTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Received = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly AzuriteQueues _azurite = new AzuriteQueues();
    private readonly InMemoryEventStore _events = new();

    [Fact]
    public async Task The_listing_shows_each_message_with_its_stored_event_or_its_problem()
    {
        _events.Records["evt_stored"] = new StripeEventRecord
        {
            Id = "evt_stored",
            Type = "invoice.paid",
            Created = Received,
            Payload = """{"id":"evt_stored","object":"event","data":{"object":{"id":"in_1","object":"invoice","customer":"cus_1"}}}""",
            Status = StripeEventStatus.Failed,
            Attempts = 5,
            ReceivedAt = Received,
            LastAttemptAt = Received.AddMinutes(3),
            AccountId = AccountId.Parse("user-1"),
            Note = "Attempt 5: PaymentProviderException: Could not read the subscription: Stripe could not be reached.",
        };
        await PoisonAsync(Reference("evt_stored"), Reference("evt_unknown"), "not json");

        var listing = await Poison().ListAsync(10, CancellationToken.None);

        Assert.Equal(_azurite.Queues.Poison.Name, listing.Queue);
        Assert.Equal(3, listing.ApproximateCount);
        Assert.Equal(3, listing.Messages.Count);
        var stored = listing.Messages[0];
        Assert.Equal(("evt_stored", "invoice.paid", "failed", 5, "user-1", null), (stored.EventId, stored.EventType, stored.Status, stored.Attempts, stored.AccountId, stored.Problem));
        Assert.StartsWith("Attempt 5", stored.Note, StringComparison.Ordinal);
        Assert.Equal(Received.AddMinutes(3), stored.LastAttemptAt);
        Assert.InRange(stored.InsertedOn, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)); // the queue's, not a default
        Assert.Equal(("in_1", "cus_1"), (stored.ObjectId, stored.CustomerId));
        Assert.Equal(("evt_unknown", "The event is not in the event store."), (listing.Messages[1].EventId, listing.Messages[1].Problem));
        Assert.Null(listing.Messages[2].EventId);
        Assert.StartsWith("Not a Stripe event reference", listing.Messages[2].Problem, StringComparison.Ordinal);

        var firstTwo = await Poison().ListAsync(2, CancellationToken.None);
        Assert.Equal((3, 2), (firstTwo.ApproximateCount, firstTwo.Messages.Count)); // the count is the queue's, not the page's
    }

    [Fact]
    public async Task An_event_never_mapped_to_an_account_is_listed_with_its_object_and_stripe_customer()
    {
        Store("evt_customer", """{"data":{"object":{"id":"cus_9","object":"customer","email":null}}}""");
        Store("evt_expanded", """{"data":{"object":{"id":"cs_9","object":"checkout.session","customer":{"id":"cus_8","object":"customer"}}}}""");
        Store("evt_guest", """{"data":{"object":{"id":"cs_7","object":"checkout.session","customer":null}}}""");
        Store("evt_broken", "not json");
        Store("evt_odd", """{"data":{"object":"in_1"}}""");
        await PoisonAsync(Reference("evt_customer"), Reference("evt_expanded"), Reference("evt_guest"), Reference("evt_broken"), Reference("evt_odd"));

        var listing = await Poison().ListAsync(10, CancellationToken.None);

        Assert.Equal(
            [("cus_9", "cus_9"), ("cs_9", "cus_8"), ("cs_7", null), (null, null), (null, null)],
            listing.Messages.Select(m => (m.ObjectId, m.CustomerId)));
        Assert.All(listing.Messages, m => Assert.Null(m.AccountId));
        Assert.All(listing.Messages, m => Assert.Null(m.Problem));
    }

    [Fact]
    public async Task Replaying_selected_events_moves_them_base64_encoded_and_reports_those_not_found()
    {
        await PoisonAsync(Reference("evt_a"), Reference("evt_b"), "not json");

        var result = await Poison().ReplayAsync(["evt_missing", "evt_a", "EVT_B", "evt_gone"], CancellationToken.None);

        Assert.Equal(["evt_a"], result.Replayed.Select(r => r.EventId));
        Assert.Equal(["EVT_B", "evt_gone", "evt_missing"], result.NotFound); // in id order; Stripe's ids are case-sensitive
        var main = (await _azurite.RawMain.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString()))).ToList();
        Assert.Equal("evt_a", StripeEventQueueMessage.Parse(Assert.Single(main)).EventId);

        // The others stay, visible again at once.
        var left = await AzuriteQueues.PeekTextsAsync(_azurite.Queues.Poison);
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(left, text => text.Contains("evt_a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replayed_message_never_expires_as_the_ingest_sends_none_that_does()
    {
        // Replay is the remedy for an event whose effect is not applied yet: the queue service's default time-to-live
        // (7 days) would drop it again, unprocessed, if the processor did not run within the week.
        await PoisonAsync(Reference("evt_a"));

        await Poison().ReplayAsync(["evt_a"], CancellationToken.None);

        var moved = Assert.Single((await _azurite.RawMain.PeekMessagesAsync(32)).Value);
        Assert.True(moved.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"The replayed message expires on {moved.ExpiresOn:O}.");
    }

    [Fact]
    public async Task Replaying_without_a_selection_moves_every_message()
    {
        await PoisonAsync(Reference("evt_a"), Reference("evt_b"), "not json");

        var result = await Poison().ReplayAsync([], CancellationToken.None);

        Assert.Equal(3, result.Replayed.Count);
        Assert.Empty(result.NotFound);
        Assert.Empty(await AzuriteQueues.PeekTextsAsync(_azurite.Queues.Poison));
        Assert.Equal(3, (await AzuriteQueues.PeekTextsAsync(_azurite.Queues.Main)).Count);
    }

    [Fact]
    public async Task A_poison_queue_longer_than_a_peek_is_listed_a_peek_at_a_time_and_replayed_whole_leaving_nothing_behind()
    {
        var ids = Enumerable.Range(1, StripeEventPoisonMessages.MaxPeek + 8).Select(i => $"evt_{i:D2}").ToList();
        await PoisonAsync([.. ids.Select(Reference)]);

        var listing = await Poison().ListAsync(StripeEventPoisonMessages.MaxPeek, CancellationToken.None);
        var result = await Poison().ReplayAsync([], CancellationToken.None);

        Assert.Equal((ids.Count, StripeEventPoisonMessages.MaxPeek), (listing.ApproximateCount, listing.Messages.Count));
        Assert.Equal(ids, result.Replayed.Select(r => r.EventId).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, (await _azurite.Queues.Main.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        // Deleted, not merely hidden by the replay's lease: a hidden message would come back and be replayed twice.
        Assert.Equal(0, (await Poison().ListAsync(1, CancellationToken.None)).ApproximateCount);
    }

    [Fact]
    public async Task A_message_the_host_could_not_decode_is_listed_and_passed_over_instead_of_failing_the_listing_and_the_replay()
    {
        // The host moves a message it cannot decode from base64 to the poison queue as it was (QueueListener.MoveUndecodableAsync).
        await PoisonAsync(Reference("evt_a"));
        await _azurite.RawPoison.SendMessageAsync("{\"eventId\":\"evt_raw\"} not base64");

        var listing = await Poison().ListAsync(10, CancellationToken.None);
        var result = await Poison().ReplayAsync(["evt_a"], CancellationToken.None);

        Assert.Equal(2, listing.Messages.Count);
        Assert.Equal("evt_a", listing.Messages[0].EventId);
        Assert.StartsWith("Not a Stripe event reference", listing.Messages[1].Problem, StringComparison.Ordinal);
        Assert.Equal(["evt_a"], result.Replayed.Select(r => r.EventId));
        var left = (await _azurite.RawPoison.PeekMessagesAsync(32)).Value;
        Assert.Equal("{\"eventId\":\"evt_raw\"} not base64", Assert.Single(left).Body.ToString()); // kept as it was, visible again

        var all = await Poison().ReplayAsync([], CancellationToken.None);

        Assert.Single(all.Replayed);
        Assert.Empty(await AzuriteQueues.PeekTextsAsync(_azurite.Queues.Poison));
        Assert.Contains("{\"eventId\":\"evt_raw\"} not base64", await AzuriteQueues.PeekTextsAsync(_azurite.Queues.Main)); // now base64, as the trigger reads
    }

    [Fact]
    public async Task An_event_whose_poison_message_expired_is_queued_again_from_the_store_while_it_is_not_done()
    {
        // In Azure a poison message lives 7 days: the Functions host sends it with the queue's default time to live.
        Store("evt_expired", "{}");
        Store("evt_done", "{}");
        Store("evt_ignored", "{}");
        _events.Records["evt_done"] = _events.Records["evt_done"] with { Status = StripeEventStatus.Applied };
        _events.Records["evt_ignored"] = _events.Records["evt_ignored"] with { Status = StripeEventStatus.Ignored }; // final too

        var result = await Poison().ReplayAsync(["evt_expired", "evt_done", "evt_ignored", "evt_unknown"], CancellationToken.None);

        Assert.Equal(["evt_expired"], result.Replayed.Select(r => r.EventId));
        Assert.Equal(["evt_done", "evt_ignored", "evt_unknown"], result.NotFound);
        var sent = Assert.Single((await _azurite.RawMain.PeekMessagesAsync(32)).Value);
        Assert.Equal(result.Replayed[0].MessageId, sent.MessageId);
        var reference = StripeEventQueueMessage.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(sent.Body.ToString())));
        Assert.Equal(("evt_expired", "customer.updated"), (reference.EventId, reference.Type));
        Assert.True(sent.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100), $"The message expires on {sent.ExpiresOn:O}.");
    }

    [Fact]
    public async Task An_empty_or_missing_poison_queue_lists_nothing_and_replays_nothing()
    {
        var listing = await Poison().ListAsync(32, CancellationToken.None);
        var replay = await Poison().ReplayAsync(["evt_a"], CancellationToken.None);

        Assert.Empty(listing.Messages);
        Assert.Equal(0, listing.ApproximateCount);
        Assert.Empty(replay.Replayed);
        Assert.Equal(["evt_a"], replay.NotFound);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    private void Store(string eventId, string payload) =>
        _events.Records[eventId] = new StripeEventRecord
        {
            Id = eventId,
            Type = "customer.updated",
            Created = Received,
            Payload = payload,
            Status = StripeEventStatus.Failed,
            Attempts = 5,
            ReceivedAt = Received,
        };

    private StripeEventPoisonMessages Poison() => new(_azurite.Queues, _events, NullLogger<StripeEventPoisonMessages>.Instance);

    /// <summary>Puts messages in the poison queue as the Functions host does: base64.</summary>
    private async Task PoisonAsync(params string[] texts)
    {
        await _azurite.Queues.Poison.CreateIfNotExistsAsync();
        foreach (var text in texts)
        {
            await _azurite.Queues.Poison.SendMessageAsync(text);
        }
    }

    private static string Reference(string eventId) => new StripeEventQueueMessage { EventId = eventId, Type = "invoice.paid" }.ToJson();
}
