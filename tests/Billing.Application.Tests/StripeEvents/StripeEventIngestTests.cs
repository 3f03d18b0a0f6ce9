using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.StripeEvents;

public sealed class StripeEventIngestTests
{
    private readonly FakeTimeProvider _time = new(WebhookWorld.Start);
    private readonly InMemoryStripeEventStore _events;
    private readonly SwitchableQueue _queue = new();
    private readonly StripeEventIngest _ingest;

    public StripeEventIngestTests()
    {
        _events = new InMemoryStripeEventStore(_time);
        _ingest = new StripeEventIngest(_events, _queue, NullLogger<StripeEventIngest>.Instance);
    }

    [Fact]
    public async Task A_first_delivery_is_stored_then_queued_as_a_small_reference()
    {
        var outcome = await _ingest.IngestAsync(Event("evt_a"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.Queued, outcome);
        Assert.Equal(StripeEventStatus.Received, _events.Get("evt_a").Status);
        Assert.Equal("""{"eventId":"evt_a","type":"invoice.paid"}""", Assert.Single(_queue.Sent));
    }

    [Fact]
    public async Task When_the_queue_fails_the_event_stays_stored_and_a_redelivery_queues_it()
    {
        _queue.Broken = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => _ingest.IngestAsync(Event("evt_b"), CancellationToken.None));
        Assert.Equal(StripeEventStatus.Received, _events.Get("evt_b").Status);
        Assert.Empty(_queue.Sent);

        _queue.Broken = false;
        var outcome = await _ingest.IngestAsync(Event("evt_b"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.DuplicateRequeued, outcome);
        Assert.Single(_queue.Sent);
        Assert.Equal(1, _events.Adds);
    }

    [Fact]
    public async Task A_duplicate_of_a_processed_event_is_acknowledged_without_queueing()
    {
        await _ingest.IngestAsync(Event("evt_c"), CancellationToken.None);
        await _events.TryBeginProcessingAsync("evt_c", CancellationToken.None);
        await _events.MarkAppliedAsync("evt_c", null, CancellationToken.None);

        var outcome = await _ingest.IngestAsync(Event("evt_c"), CancellationToken.None);

        Assert.Equal(StripeEventIngestOutcome.DuplicateAlreadyProcessed, outcome);
        Assert.Single(_queue.Sent);
    }

    private NewStripeEvent Event(string id) =>
        new() { Id = id, Type = "invoice.paid", Created = _time.GetUtcNow(), Payload = "{\"id\":\"" + id + "\"}" };

    private sealed class SwitchableQueue : IStripeEventQueueWriter
    {
        public bool Broken { get; set; }

        public List<string> Sent { get; } = [];

        public Task EnqueueAsync(StripeEventQueueMessage message, CancellationToken cancellationToken)
        {
            if (Broken)
            {
                throw new HttpRequestException("queue unavailable");
            }

            Sent.Add(message.ToJson());
            return Task.CompletedTask;
        }
    }
}
