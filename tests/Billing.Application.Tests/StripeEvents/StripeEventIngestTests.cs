using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.StripeEvents;

public sealed class StripeEventIngestTests
{
    private readonly FakeTimeProvider _time = new(WebhookWorld.Start);
    private readonly InMemoryStripeEventStore _stored;
    private readonly GatedStore _events;
    private readonly SwitchableQueue _queue = new();
    private readonly StripeEventIngest _ingest;

    public StripeEventIngestTests()
    {
        _stored = new InMemoryStripeEventStore(_time);
        _events = new GatedStore(_stored);
        _ingest = new StripeEventIngest(_events, _queue, NullLogger<StripeEventIngest>.Instance);
    }

    [Fact]
    public async Task A_first_delivery_is_stored_and_queued_as_a_small_reference_invisible_for_a_moment()
    {
        var outcome = await _ingest.IngestAsync(Event("evt_a"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.Queued, outcome);
        Assert.Equal(StripeEventStatus.Received, _stored.Get("evt_a").Status);
        Assert.Equal("""{"eventId":"evt_a","type":"invoice.paid"}""", Assert.Single(_queue.Queued));
        Assert.Equal(StripeEventIngest.MessageInvisibility, _queue.LastInvisibility);
        Assert.InRange(StripeEventIngest.MessageInvisibility, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task When_the_queue_fails_the_event_stays_stored_and_a_redelivery_queues_it()
    {
        _queue.SendBroken = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => _ingest.IngestAsync(Event("evt_b"), CancellationToken.None));
        Assert.Equal(StripeEventStatus.Received, _stored.Get("evt_b").Status);
        Assert.Empty(_queue.Queued);

        _queue.SendBroken = false;
        var outcome = await _ingest.IngestAsync(Event("evt_b"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.DuplicateRequeued, outcome);
        Assert.Single(_queue.Queued);
        Assert.Equal(1, _stored.Adds);
    }

    [Fact]
    public async Task When_the_store_fails_after_the_send_the_message_is_deleted_and_the_failure_rethrown()
    {
        _events.Failure = new InvalidOperationException("store unavailable");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _ingest.IngestAsync(Event("evt_d"), CancellationToken.None));

        Assert.Same(_events.Failure, thrown);
        Assert.Equal(1, _queue.Sends);
        Assert.Equal(1, _queue.Deletes);
        Assert.Empty(_queue.Queued);
        Assert.Empty(_stored.All);
    }

    [Fact]
    public async Task When_the_store_fails_and_the_delete_fails_too_the_store_failure_is_still_what_is_thrown()
    {
        _events.Failure = new InvalidOperationException("store unavailable");
        _queue.DeleteBroken = true;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _ingest.IngestAsync(Event("evt_e"), CancellationToken.None));

        Assert.Same(_events.Failure, thrown);
        Assert.Single(_queue.Queued); // left for the processor: not stored, so it is retried and finally poisoned
    }

    [Fact]
    public async Task When_both_fail_nothing_is_deleted_and_the_store_failure_is_thrown()
    {
        _events.Failure = new InvalidOperationException("store unavailable");
        _queue.SendBroken = true;

        await Assert.ThrowsAsync<InvalidOperationException>(() => _ingest.IngestAsync(Event("evt_f"), CancellationToken.None));

        Assert.Equal(0, _queue.Deletes);
        Assert.Empty(_queue.Queued);
    }

    [Fact]
    public async Task A_duplicate_of_a_processed_event_is_acknowledged_and_its_redundant_message_deleted()
    {
        await _ingest.IngestAsync(Event("evt_c"), CancellationToken.None);
        await _stored.TryBeginProcessingAsync("evt_c", CancellationToken.None);
        await _stored.MarkAppliedAsync("evt_c", null, CancellationToken.None);

        var outcome = await _ingest.IngestAsync(Event("evt_c"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.DuplicateAlreadyProcessed, outcome);
        Assert.Equal(2, _queue.Sends);
        Assert.Equal(1, _queue.Deletes);
        Assert.Single(_queue.Queued);
    }

    [Fact]
    public async Task A_duplicate_of_a_processed_event_is_acknowledged_even_when_its_redundant_message_cannot_be_deleted()
    {
        await _ingest.IngestAsync(Event("evt_g"), CancellationToken.None);
        await _stored.TryBeginProcessingAsync("evt_g", CancellationToken.None);
        await _stored.MarkIgnoredAsync("evt_g", null, "not needed", CancellationToken.None);
        _queue.DeleteBroken = true;

        var outcome = await _ingest.IngestAsync(Event("evt_g"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.DuplicateAlreadyProcessed, outcome);
        Assert.Equal(2, _queue.Queued.Count); // the processor acknowledges it without effect
    }

    /// <summary>An event of the other Stripe mode is final as soon as it is recorded: never processed nor retried, so a repeated delivery queues nothing.</summary>
    [Fact]
    public async Task A_duplicate_of_an_event_recorded_as_of_the_other_mode_is_acknowledged_as_done_and_its_redundant_message_deleted()
    {
        await _ingest.IngestAsync(Event("evt_m"), CancellationToken.None);
        await _stored.MarkLivemodeMismatchAsync("evt_m", "The event is live-mode; the configured Stripe key is test-mode.", CancellationToken.None);

        var outcome = await _ingest.IngestAsync(Event("evt_m"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.DuplicateAlreadyProcessed, outcome);
        Assert.Equal((2, 1), (_queue.Sends, _queue.Deletes));
        Assert.Single(_queue.Queued);
    }

    [Fact]
    public async Task The_create_and_the_send_run_concurrently_and_the_event_is_acknowledged_only_after_the_create()
    {
        _events.Gate = new TaskCompletionSource();

        var ingest = _ingest.IngestAsync(Event("evt_h"), CancellationToken.None);

        Assert.Single(_queue.Queued); // sent while the create is still pending
        Assert.False(ingest.IsCompleted);
        _events.Gate.SetResult();
        Assert.Equal(StripeEventIngestOutcome.Queued, await ingest);
        Assert.Equal(StripeEventStatus.Received, _stored.Get("evt_h").Status);
    }

    [Fact]
    public async Task The_event_is_acknowledged_only_after_the_send_when_the_create_finishes_first()
    {
        _queue.Gate = new TaskCompletionSource();

        var ingest = _ingest.IngestAsync(Event("evt_i"), CancellationToken.None);

        Assert.Equal(StripeEventStatus.Received, _stored.Get("evt_i").Status);
        Assert.False(ingest.IsCompleted);
        _queue.Gate.SetResult();
        Assert.Equal(StripeEventIngestOutcome.Queued, await ingest);
        Assert.Single(_queue.Queued);
    }

    [Fact]
    public async Task A_store_failure_that_comes_before_the_send_completes_still_deletes_the_message()
    {
        _queue.Gate = new TaskCompletionSource();
        _events.Failure = new InvalidOperationException("store unavailable");

        var ingest = _ingest.IngestAsync(Event("evt_j"), CancellationToken.None);
        Assert.False(ingest.IsCompleted);
        _queue.Gate.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => ingest);
        Assert.Equal(1, _queue.Deletes);
        Assert.Empty(_queue.Queued);
    }

    private NewStripeEvent Event(string id) =>
        new() { Id = id, Type = "invoice.paid", Created = _time.GetUtcNow(), Payload = "{\"id\":\"" + id + "\"}" };

    /// <summary>A queue whose send and delete can fail or wait for a gate.</summary>
    private sealed class SwitchableQueue : IStripeEventQueueWriter
    {
        private int _nextId;

        public bool SendBroken { get; set; }

        public bool DeleteBroken { get; set; }

        public TaskCompletionSource? Gate { get; set; }

        public Dictionary<string, string> Messages { get; } = [];

        public List<string> Queued => [.. Messages.Values];

        public int Sends { get; private set; }

        public int Deletes { get; private set; }

        public TimeSpan? LastInvisibility { get; private set; }

        public async Task<StripeEventQueueReceipt> EnqueueAsync(StripeEventQueueMessage message, TimeSpan initialInvisibility, CancellationToken cancellationToken)
        {
            if (SendBroken)
            {
                throw new HttpRequestException("queue unavailable");
            }

            var id = "m" + ++_nextId;
            Messages[id] = message.ToJson();
            Sends++;
            LastInvisibility = initialInvisibility;
            if (Gate is not null)
            {
                await Gate.Task;
            }

            return new StripeEventQueueReceipt(id, "pop");
        }

        public Task<bool> DeleteAsync(StripeEventQueueReceipt receipt, CancellationToken cancellationToken)
        {
            if (DeleteBroken)
            {
                return Task.FromResult(false);
            }

            Deletes++;
            return Task.FromResult(Messages.Remove(receipt.MessageId));
        }
    }

    /// <summary>The in-memory store, with a create that can fail or wait for a gate.</summary>
    private sealed class GatedStore(InMemoryStripeEventStore inner) : IStripeEventStore
    {
        public TaskCompletionSource? Gate { get; set; }

        public Exception? Failure { get; set; }

        public async Task<StripeEventAddResult> TryAddAsync(NewStripeEvent stripeEvent, CancellationToken cancellationToken)
        {
            if (Gate is not null)
            {
                await Gate.Task;
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            return await inner.TryAddAsync(stripeEvent, cancellationToken);
        }

        public Task<StripeEventRecord?> GetAsync(string eventId, CancellationToken cancellationToken) => inner.GetAsync(eventId, cancellationToken);

        public Task<StripeEventTransitionResult> TryBeginProcessingAsync(string eventId, CancellationToken cancellationToken) => inner.TryBeginProcessingAsync(eventId, cancellationToken);

        public Task<StripeEventTransitionResult> MarkAppliedAsync(string eventId, AccountId? accountId, CancellationToken cancellationToken) => inner.MarkAppliedAsync(eventId, accountId, cancellationToken);

        public Task<StripeEventTransitionResult> MarkIgnoredAsync(string eventId, AccountId? accountId, string reason, CancellationToken cancellationToken) => inner.MarkIgnoredAsync(eventId, accountId, reason, cancellationToken);

        public Task CopyToAccountHistoryAsync(StripeEventRecord finalEvent, CancellationToken cancellationToken) => inner.CopyToAccountHistoryAsync(finalEvent, cancellationToken);

        public Task<StripeEventTransitionResult> MarkLivemodeMismatchAsync(string eventId, string reason, CancellationToken cancellationToken) => inner.MarkLivemodeMismatchAsync(eventId, reason, cancellationToken);

        public Task<StripeEventTransitionResult> MarkFailedAsync(string eventId, string failure, CancellationToken cancellationToken) => inner.MarkFailedAsync(eventId, failure, cancellationToken);
    }
}
