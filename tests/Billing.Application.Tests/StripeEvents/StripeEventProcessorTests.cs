using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.Application.Tests.StripeEvents;

public sealed class StripeEventProcessorTests
{
    private readonly FakeTimeProvider _time = new(WebhookWorld.Start);
    private readonly InMemoryStripeEventStore _events;
    private readonly ScriptedHandler _handler = new();
    private readonly StripeEventProcessor _processor;
    private readonly Dictionary<string, StripeEventPayload> _payloads = [];
    private readonly FakeLogger<StripeEventProcessor> _log = new();

    public StripeEventProcessorTests()
    {
        _events = new InMemoryStripeEventStore(_time);
        _processor = new StripeEventProcessor(_events, new DictionaryReader(_payloads), [_handler], Microsoft.Extensions.Options.Options.Create(new StripeModeOptions()), Microsoft.Extensions.Options.Options.Create(new QueueDeliveryOptions()), _log);
    }

    [Fact]
    public async Task A_failure_whose_record_fails_too_is_rethrown_as_itself_and_warned_about_not_alerted()
    {
        await StoreAsync("evt_unrecorded", "invoice.paid");
        _handler.FailuresLeft = 1;
        var unreachable = new HttpRequestException("the store could not be reached");
        _events.FailMarkFailedWith = unreachable;

        await Assert.ThrowsAsync<TimeoutException>(() => ProcessAsync("evt_unrecorded", attempt: 1)); // the handler's failure, not the store's

        Assert.Equal(StripeEventStatus.Processing, _events.Get("evt_unrecorded").Status); // as the retry finds it
        // The delivery is retried anyway: a warning, never the operator's alert (an Error).
        var logged = Assert.Single(_log.Collector.GetSnapshot(), r => r.Message.Contains("Could not record the failure", StringComparison.Ordinal));
        Assert.Equal((LogLevel.Warning, unreachable), (logged.Level, logged.Exception));
        Assert.Contains("evt_unrecorded", logged.Message, StringComparison.Ordinal);

        _events.FailMarkFailedWith = null;
        await ProcessAsync("evt_unrecorded", attempt: 2);
        Assert.Equal(StripeEventStatus.Applied, _events.Get("evt_unrecorded").Status);
    }

    [Fact]
    public async Task Applies_a_stored_event_once_and_acknowledges_later_deliveries_without_effect()
    {
        await StoreAsync("evt_1", "customer.subscription.updated");

        await ProcessAsync("evt_1", attempt: 1);
        await ProcessAsync("evt_1", attempt: 1); // a duplicate message

        Assert.Equal(1, _handler.Calls);
        var record = _events.Get("evt_1");
        Assert.Equal(StripeEventStatus.Applied, record.Status);
        Assert.Equal(1, record.Attempts);
        Assert.Equal(AccountId.Parse("acct-1"), record.AccountId);
    }

    [Fact]
    public async Task A_failure_is_recorded_and_rethrown_and_the_next_delivery_runs_it_again()
    {
        await StoreAsync("evt_2", "invoice.paid");
        _handler.FailuresLeft = 1;

        var failure = await Assert.ThrowsAsync<TimeoutException>(() => ProcessAsync("evt_2", attempt: 1));

        var failed = _events.Get("evt_2");
        Assert.Equal(StripeEventStatus.Failed, failed.Status);
        Assert.Equal($"Attempt 1: TimeoutException: {failure.Message}", failed.Note);

        // The next delivery runs it again: nothing for a human to do yet, so a warning, never the operator's alert (an Error).
        var logged = Assert.Single(_log.Collector.GetSnapshot(), r => r.Message.Contains("failed on delivery 1", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, logged.Level);

        await ProcessAsync("evt_2", attempt: 2);
        var applied = _events.Get("evt_2");
        Assert.Equal(StripeEventStatus.Applied, applied.Status);
        Assert.Equal(2, applied.Attempts);
        Assert.Equal(2, _handler.Calls);
    }

    [Fact]
    public async Task A_failure_on_the_last_delivery_says_the_message_goes_to_the_poison_queue_not_that_it_will_be_retried()
    {
        await StoreAsync("evt_last", "invoice.paid");
        _handler.FailuresLeft = 1;

        await Assert.ThrowsAsync<TimeoutException>(() => ProcessAsync("evt_last", attempt: QueueDeliveryOptions.HostJsonMaxDequeueCount));

        // The host moves the message to stripe-events-poison now: the operator's step is a replay, not a wait.
        var logged = Assert.Single(_log.Collector.GetSnapshot(), r => r.Message.Contains("evt_last", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, logged.Level); // the host's move to the poison queue is what the poison alert counts
        Assert.Contains($"failed on its last delivery ({QueueDeliveryOptions.HostJsonMaxDequeueCount}); the message goes to the poison queue", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("will be retried", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_left_processing_by_a_crashed_worker_is_processed_again()
    {
        await StoreAsync("evt_3", "invoice.paid");
        await _events.TryBeginProcessingAsync("evt_3", CancellationToken.None); // the worker died here

        await ProcessAsync("evt_3", attempt: 2);

        Assert.Equal(StripeEventStatus.Applied, _events.Get("evt_3").Status);
        Assert.Equal(1, _handler.Calls);
    }

    [Fact]
    public async Task Types_without_a_handler_are_recorded_and_ignored()
    {
        await StoreAsync("evt_4", "charge.refunded");

        await ProcessAsync("evt_4", attempt: 1);

        var record = _events.Get("evt_4");
        Assert.Equal(StripeEventStatus.Ignored, record.Status);
        Assert.Equal("Event type 'charge.refunded' is recorded; it needs no action.", record.Note);
        Assert.Equal(0, _handler.Calls);
    }

    [Fact]
    public async Task An_unreadable_payload_of_a_handled_type_fails_so_it_is_retried_and_replayable_and_is_kept()
    {
        await _events.TryAddAsync(new NewStripeEvent { Id = "evt_5", Type = "invoice.paid", Created = _time.GetUtcNow(), Payload = "{ not an event" }, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<MalformedStripeEventException>(() => ProcessAsync("evt_5", attempt: 1));

        Assert.Null(failure.InnerException); // the reader's inner exception may quote the payload; it is never logged
        var record = _events.Get("evt_5");
        Assert.Equal(StripeEventStatus.Failed, record.Status);
        Assert.Equal("Attempt 1: MalformedStripeEventException: The stored payload of this invoice.paid event does not read: unexpected end of data", record.Note);
        Assert.Equal("{ not an event", record.Payload);
        Assert.Equal(0, _handler.Calls);
    }

    [Fact]
    public async Task An_unreadable_payload_of_a_type_without_a_handler_is_ignored_unread()
    {
        await _events.TryAddAsync(new NewStripeEvent { Id = "evt_6", Type = "charge.captured", Created = _time.GetUtcNow(), Payload = "{ not an event" }, CancellationToken.None);

        await ProcessAsync("evt_6", attempt: 1);

        var record = _events.Get("evt_6");
        Assert.Equal(StripeEventStatus.Ignored, record.Status);
        Assert.Equal("Event type 'charge.captured' is recorded; it needs no action.", record.Note);
    }

    [Fact]
    public async Task A_message_for_an_event_that_is_not_stored_fails_so_it_ends_in_the_poison_queue()
    {
        var exception = await Assert.ThrowsAsync<StripeEventNotStoredException>(() => ProcessAsync("evt_missing", attempt: 1));
        Assert.Equal("evt_missing", exception.EventId);
    }

    /// <summary>
    /// An event read as not final has no time to live, so only a deletion (an operator's) removes it before processing
    /// begins: the delivery fails as for an event never stored, so the message is retried and in the end kept in the
    /// poison queue; no handler runs and nothing is recorded (there is no event to record it on). The host logs the
    /// failure, whose message names the event; the processor adds no line of its own, as for an event never stored.
    /// </summary>
    [Fact]
    public async Task An_event_deleted_between_its_read_and_the_start_of_processing_fails_like_one_never_stored_and_runs_no_handler()
    {
        await StoreAsync("evt_gone", "invoice.paid");
        _events.BeforeBeginProcessing = _events.Delete;

        var exception = await Assert.ThrowsAsync<StripeEventNotStoredException>(() => ProcessAsync("evt_gone", attempt: 1));

        Assert.Equal("evt_gone", exception.EventId);
        Assert.Equal(0, _handler.Calls);
        Assert.Empty(_events.All);
        Assert.Empty(_log.Collector.GetSnapshot());
    }

    /// <summary>
    /// Two deliveries of one event race (a duplicate message): this one read the event before the other made it final,
    /// so only the store's refusal of the begin tells it the event is done. It is acknowledged without effect: the
    /// handler never runs a second time and the other delivery's outcome stands.
    /// </summary>
    [Fact]
    public async Task An_event_another_delivery_made_final_after_this_one_read_it_is_acknowledged_without_running_the_handler()
    {
        await StoreAsync("evt_raced", "invoice.paid");
        _events.BeforeBeginProcessing = id =>
        {
            _events.BeforeBeginProcessing = null;
            _ = _events.TryBeginProcessingAsync(id, CancellationToken.None); // the in-memory store completes at once
            _ = _events.MarkIgnoredAsync(id, null, "the other delivery's outcome", CancellationToken.None);
        };

        await ProcessAsync("evt_raced", attempt: 1);

        Assert.Equal(0, _handler.Calls);
        var record = _events.Get("evt_raced");
        Assert.Equal((StripeEventStatus.Ignored, "the other delivery's outcome", 1), (record.Status, record.Note, record.Attempts));
    }

    [Fact]
    public async Task An_event_made_final_whose_history_copy_failed_gets_it_from_the_redelivery()
    {
        await StoreAsync("evt_h1", "invoice.paid");
        _events.HistoryFailuresLeft = 1; // or the process stops between the final patch and the copy

        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => ProcessAsync("evt_h1", attempt: 1));
        Assert.Equal(StripeEventStatus.Applied, _events.Get("evt_h1").Status);
        Assert.False(_events.History.ContainsKey("evt_h1")); // the operator's account view misses it

        await ProcessAsync("evt_h1", attempt: 2);

        var copy = _events.History["evt_h1"];
        Assert.Equal((StripeEventStatus.Applied, AccountId.Parse("acct-1"), 1), (copy.Status, copy.AccountId, copy.Attempts));
        Assert.Equal(1, _handler.Calls); // the redelivery repairs the copy only
    }

    [Fact]
    public async Task The_history_copy_is_one_write_on_a_first_delivery_and_one_more_only_on_a_redelivery()
    {
        await StoreAsync("evt_h2", "invoice.paid");

        await ProcessAsync("evt_h2", attempt: 1);
        Assert.Equal(1, _events.HistoryWrites);

        await ProcessAsync("evt_h2", attempt: 2);
        Assert.Equal(2, _events.HistoryWrites);
        Assert.Equal(StripeEventStatus.Applied, _events.History["evt_h2"].Status);
    }

    [Fact]
    public async Task A_history_copy_that_cannot_be_written_on_the_last_delivery_is_logged_and_the_message_acknowledged()
    {
        var last = new QueueDeliveryOptions().MaxDequeueCount;
        await StoreAsync("evt_h3", "invoice.paid");
        _events.HistoryFailuresLeft = 1;
        await ProcessAsync("evt_h3", attempt: last); // the event's work is done: no poison message for its copy

        await StoreAsync("evt_h4", "invoice.paid");
        _events.HistoryFailuresLeft = 1;
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => ProcessAsync("evt_h4", attempt: 1));
        _events.HistoryFailuresLeft = 1;
        await Assert.ThrowsAsync<OperatorCopyNotWrittenException>(() => ProcessAsync("evt_h4", attempt: last - 1));
        _events.HistoryFailuresLeft = 1;
        await ProcessAsync("evt_h4", attempt: last); // the repair's failure on the last delivery too

        Assert.Equal((StripeEventStatus.Applied, StripeEventStatus.Applied), (_events.Get("evt_h3").Status, _events.Get("evt_h4").Status));
        Assert.Equal(2, _handler.Calls);

        // The operator learns of each copy given up (the last deliveries only) from the log alone: one error naming the event.
        var givenUp = _log.Collector.GetSnapshot()
            .Where(r => r.Level == LogLevel.Error && r.Message.Contains("copy in the account's event history was not written", StringComparison.Ordinal))
            .Select(r => r.Message)
            .ToList();
        Assert.Equal(2, givenUp.Count);
        Assert.Contains("evt_h3", givenUp[0], StringComparison.Ordinal);
        Assert.Contains("evt_h4", givenUp[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_learns_whether_an_earlier_attempt_began_and_whether_the_delivery_is_the_last()
    {
        await StoreAsync("evt_h5", "invoice.paid");
        _handler.FailuresLeft = 1;
        await Assert.ThrowsAsync<TimeoutException>(() => ProcessAsync("evt_h5", attempt: 1));
        Assert.Equal(QueueDelivery.First, _handler.LastDelivery);

        await ProcessAsync("evt_h5", attempt: new QueueDeliveryOptions().MaxDequeueCount);

        Assert.Equal(new QueueDelivery(IsRetry: true, IsLast: true), _handler.LastDelivery);
    }

    /// <summary>
    /// An event verified under a configured secret but of the other mode than the key is recorded and never applied. A
    /// live-mode event under a test key is a real payment, renewal or cancellation dropped for good (the key, or the
    /// endpoint whose secret is configured, is the wrong one, and nothing else fails): an error for the operator. A
    /// test-mode event under a live key loses nothing real, so it stays a warning.
    /// </summary>
    [Theory]
    [InlineData(true, false, LogLevel.Error)]
    [InlineData(false, true, LogLevel.Warning)]
    public async Task An_event_of_the_other_mode_is_ignored_and_a_live_one_dropped_under_a_test_key_is_an_error(bool eventIsLive, bool keyIsLive, LogLevel expected)
    {
        var processor = new StripeEventProcessor(_events, new DictionaryReader(_payloads), [_handler], Microsoft.Extensions.Options.Options.Create(new StripeModeOptions { LiveMode = keyIsLive }), Microsoft.Extensions.Options.Options.Create(new QueueDeliveryOptions()), _log);
        _payloads["evt_mode"] = new StripeEventPayload { Id = "evt_mode", Type = "invoice.paid", Created = _time.GetUtcNow() };
        await _events.TryAddAsync(new NewStripeEvent { Id = "evt_mode", Type = "invoice.paid", Created = _time.GetUtcNow(), Livemode = eventIsLive, Payload = "evt_mode" }, CancellationToken.None);

        await processor.ProcessAsync(new StripeEventQueueMessage { EventId = "evt_mode" }, 1, CancellationToken.None);

        Assert.Equal(StripeEventStatus.IgnoredLivemodeMismatch, _events.Get("evt_mode").Status);
        Assert.Equal(0, _handler.Calls);
        var line = Assert.Single(_log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Equal(expected, line.Level);
        Assert.Contains("evt_mode", line.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The host stopping a delivery mid-handler is no failure of the event: nothing is recorded (it stays Processing, as
    /// a process that died there leaves it, and the attempt that follows runs as a retry) and no failure is logged; the
    /// cancellation propagates, so the queue delivers the message again.
    /// </summary>
    [Fact]
    public async Task A_delivery_the_host_stops_is_not_recorded_or_logged_as_a_failure()
    {
        await StoreAsync("evt_stopped", "invoice.paid");
        using var stop = new CancellationTokenSource();
        _handler.Stop = stop;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _processor.ProcessAsync(new StripeEventQueueMessage { EventId = "evt_stopped" }, 1, stop.Token));

        var record = _events.Get("evt_stopped");
        Assert.Equal((StripeEventStatus.Processing, (string?)null), (record.Status, record.Note));
        Assert.DoesNotContain(_log.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    private Task StoreAsync(string id, string type)
    {
        _payloads[id] = new StripeEventPayload { Id = id, Type = type, Created = _time.GetUtcNow() };
        return _events.TryAddAsync(new NewStripeEvent { Id = id, Type = type, Created = _time.GetUtcNow(), Payload = id }, CancellationToken.None);
    }

    private Task ProcessAsync(string id, long attempt) =>
        _processor.ProcessAsync(new StripeEventQueueMessage { EventId = id }, attempt, CancellationToken.None);

    private sealed class ScriptedHandler : IStripeEventTypeHandler
    {
        public int Calls { get; private set; }

        public int FailuresLeft { get; set; }

        public IReadOnlySet<string> EventTypes { get; } = new HashSet<string>(StringComparer.Ordinal) { "customer.subscription.updated", "invoice.paid" };

        public QueueDelivery? LastDelivery { get; private set; }

        /// <summary>When set, the handler is stopped as by the host: this is canceled and the handler throws.</summary>
        public CancellationTokenSource? Stop { get; set; }

        public Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken)
        {
            Calls++;
            LastDelivery = stripeEvent.Delivery;
            if (Stop is { } stop)
            {
                stop.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new TimeoutException("Stripe did not answer in time.");
            }

            return Task.FromResult(StripeEventHandlingResult.Applied(AccountId.Parse("acct-1")));
        }
    }

    private sealed class DictionaryReader(Dictionary<string, StripeEventPayload> payloads) : IStripeEventPayloadReader
    {
        public StripeEventPayload Read(string payload) =>
            payloads.TryGetValue(payload, out var stripeEvent) ? stripeEvent : throw new MalformedStripeEventException("unexpected end of data");
    }
}
