using Billing.Application.StripeEvents;
using Billing.Cosmos.Tests.Support;

namespace Billing.Cosmos.Tests.StripeEvents;

public sealed class CosmosStripeEventStoreTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly DateTimeOffset Created = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
    private readonly IStripeEventStore _events = fixture.Get<IStripeEventStore>();

    [Fact]
    public async Task First_delivery_is_added_and_a_redelivery_is_a_duplicate()
    {
        var stripeEvent = NewEvent();

        var first = await _events.TryAddAsync(stripeEvent, CancellationToken.None);
        await _events.TryBeginProcessingAsync(stripeEvent.Id, CancellationToken.None);
        var second = await _events.TryAddAsync(stripeEvent with { Payload = "{\"changed\":true}" }, CancellationToken.None);

        Assert.Equal(StripeEventAddOutcome.Added, first.Outcome);
        Assert.Equal(StripeEventStatus.Received, first.Record.Status);
        Assert.Equal(0, first.Record.Attempts);
        Assert.Equal(StripeEventAddOutcome.Duplicate, second.Outcome);
        Assert.Equal(StripeEventStatus.Processing, second.Record.Status); // the stored event, not the redelivered body
        Assert.Equal(stripeEvent.Payload, second.Record.Payload);
    }

    [Fact]
    public async Task Parallel_deliveries_of_one_event_add_it_once()
    {
        var stripeEvent = NewEvent();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => _events.TryAddAsync(stripeEvent, CancellationToken.None))));

        Assert.Single(results, r => r.Outcome == StripeEventAddOutcome.Added);
        Assert.Equal(9, results.Count(r => r.Outcome == StripeEventAddOutcome.Duplicate));
    }

    [Fact]
    public async Task Processing_can_fail_and_be_retried_until_applied()
    {
        var stripeEvent = NewEvent();
        await _events.TryAddAsync(stripeEvent, CancellationToken.None);
        var account = Ids.NewAccount();

        var begun = await _events.TryBeginProcessingAsync(stripeEvent.Id, CancellationToken.None);
        var failed = await _events.MarkFailedAsync(stripeEvent.Id, "Stripe API timed out", CancellationToken.None);
        var beforeRetry = DateTimeOffset.UtcNow; // the store's clock is the system's (TimeProvider.System)
        var retried = await _events.TryBeginProcessingAsync(stripeEvent.Id, CancellationToken.None);
        var beforeApplied = DateTimeOffset.UtcNow;
        var applied = await _events.MarkAppliedAsync(stripeEvent.Id, account, CancellationToken.None);
        var afterApplied = DateTimeOffset.UtcNow;

        Assert.Equal((StripeEventTransitionOutcome.Changed, StripeEventStatus.Processing, 1), (begun.Outcome, begun.Record!.Status, begun.Record.Attempts));
        Assert.Equal((StripeEventStatus.Failed, "Stripe API timed out"), (failed.Record!.Status, failed.Record.Note));
        Assert.Equal(2, retried.Record!.Attempts);
        Assert.InRange(retried.Record.LastAttemptAt!.Value, beforeRetry, beforeApplied); // the retry's moment, not the first attempt's
        Assert.Equal(StripeEventStatus.Applied, applied.Record!.Status);
        Assert.Equal(account, applied.Record.AccountId);
        Assert.InRange(applied.Record.CompletedAt!.Value, beforeApplied, afterApplied); // when it was applied, as the operator's view shows it
    }

    [Theory]
    [InlineData(StripeEventStatus.Applied)]
    [InlineData(StripeEventStatus.Ignored)]
    [InlineData(StripeEventStatus.IgnoredLivemodeMismatch)]
    public async Task Final_states_are_never_overwritten(StripeEventStatus final)
    {
        var stripeEvent = NewEvent();
        await _events.TryAddAsync(stripeEvent, CancellationToken.None);
        await _events.TryBeginProcessingAsync(stripeEvent.Id, CancellationToken.None);
        var note = final switch
        {
            StripeEventStatus.Applied => (await _events.MarkAppliedAsync(stripeEvent.Id, null, CancellationToken.None)).Record!.Note,
            StripeEventStatus.Ignored => (await _events.MarkIgnoredAsync(stripeEvent.Id, null, "Not for us.", CancellationToken.None)).Record!.Note,
            _ => (await _events.MarkLivemodeMismatchAsync(stripeEvent.Id, "A live event on a test deployment.", CancellationToken.None)).Record!.Note,
        };

        var lateFailure = await _events.MarkFailedAsync(stripeEvent.Id, "late worker", CancellationToken.None);
        var lateBegin = await _events.TryBeginProcessingAsync(stripeEvent.Id, CancellationToken.None);
        var lateIgnore = await _events.MarkIgnoredAsync(stripeEvent.Id, null, "stale", CancellationToken.None);
        var lateApply = await _events.MarkAppliedAsync(stripeEvent.Id, null, CancellationToken.None);
        var lateMismatch = await _events.MarkLivemodeMismatchAsync(stripeEvent.Id, "late mismatch", CancellationToken.None);

        Assert.All([lateFailure, lateBegin, lateIgnore, lateApply, lateMismatch], r => Assert.Equal(StripeEventTransitionOutcome.AlreadyFinal, r.Outcome));
        var stored = await _events.GetAsync(stripeEvent.Id, CancellationToken.None);
        Assert.Equal((final, 1, note), (stored!.Status, stored.Attempts, stored.Note));
    }

    [Fact]
    public async Task Ignored_records_the_reason_and_is_final()
    {
        var stripeEvent = NewEvent();
        await _events.TryAddAsync(stripeEvent, CancellationToken.None);

        var ignored = await _events.MarkIgnoredAsync(stripeEvent.Id, null, "event type not handled", CancellationToken.None);
        var thenApplied = await _events.MarkAppliedAsync(stripeEvent.Id, null, CancellationToken.None);

        Assert.Equal((StripeEventStatus.Ignored, "event type not handled"), (ignored.Record!.Status, ignored.Record.Note));
        Assert.Equal(StripeEventTransitionOutcome.AlreadyFinal, thenApplied.Outcome);
    }

    [Fact]
    public async Task Long_failures_are_truncated()
    {
        var stripeEvent = NewEvent();
        await _events.TryAddAsync(stripeEvent, CancellationToken.None);

        var failed = await _events.MarkFailedAsync(stripeEvent.Id, new string('x', 5_000), CancellationToken.None);

        Assert.Equal(1_000, failed.Record!.Note!.Length);
    }

    [Fact]
    public async Task A_failure_cut_inside_a_surrogate_pair_keeps_whole_characters()
    {
        var stripeEvent = NewEvent();
        await _events.TryAddAsync(stripeEvent, CancellationToken.None);
        var failure = new string('x', 999) + string.Concat(Enumerable.Repeat("\U0001F4B3", 10));

        var failed = await _events.MarkFailedAsync(stripeEvent.Id, failure, CancellationToken.None);

        // Stored as cut, a lone high surrogate would read back as U+FFFD, a character the failure never had.
        Assert.Equal(new string('x', 999), failed.Record!.Note);
        Assert.Equal(new string('x', 999), (await _events.GetAsync(stripeEvent.Id, CancellationToken.None))!.Note);
    }

    [Fact]
    public async Task Unknown_events_are_reported_as_not_found()
    {
        var id = Ids.NewStripe("evt");

        Assert.Null(await _events.GetAsync(id, CancellationToken.None));
        Assert.Equal(StripeEventTransitionOutcome.NotFound, (await _events.TryBeginProcessingAsync(id, CancellationToken.None)).Outcome);
        Assert.Equal(StripeEventTransitionOutcome.NotFound, (await _events.MarkAppliedAsync(id, null, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Event_round_trips_with_the_raw_payload_untouched()
    {
        const string payload = "{\n  \"id\": \"evt_x\",\n  \"object\": \"event\",\n  \"data\": {\"object\": {\"amount\": 1999, \"note\": \"caf\\u00e9 \\\"quoted\\\"\"}}\n}";
        var stripeEvent = NewEvent() with { Payload = payload, Livemode = true, ApiVersion = "2026-07-29.dahlia" };

        await _events.TryAddAsync(stripeEvent, CancellationToken.None);
        var stored = await _events.GetAsync(stripeEvent.Id, CancellationToken.None);

        Assert.Equal(payload, stored!.Payload);
        Assert.Equal(stripeEvent.Type, stored.Type);
        Assert.Equal(Created, stored.Created);
        Assert.True(stored.Livemode);
        Assert.Equal("2026-07-29.dahlia", stored.ApiVersion);
        var raw = await RawDocuments.ReadAsync(fixture.Containers.StripeEvents, stripeEvent.Id, stripeEvent.Id);
        Assert.Equal("stripeEvent", (string?)raw!["type"]);
        Assert.Equal("customer.subscription.updated", (string?)raw["eventType"]);
        Assert.Equal("received", (string?)raw["status"]);
        Assert.Equal("2026-11-21T10:00:00.0000000Z", (string?)raw["stripeCreatedAt"]);
    }

    [Fact]
    public async Task An_event_expires_only_once_final_so_one_waiting_for_a_replay_is_kept()
    {
        var (applied, ignored, mismatched, failed) = (NewEvent(), NewEvent(), NewEvent(), NewEvent());
        foreach (var stripeEvent in new[] { applied, ignored, mismatched, failed })
        {
            await _events.TryAddAsync(stripeEvent, CancellationToken.None);
            await _events.TryBeginProcessingAsync(stripeEvent.Id, CancellationToken.None);
        }

        var received = await TtlAsync(failed.Id);
        await _events.MarkFailedAsync(failed.Id, "Stripe API timed out", CancellationToken.None);
        await _events.MarkAppliedAsync(applied.Id, Ids.NewAccount(), CancellationToken.None);
        await _events.MarkIgnoredAsync(ignored.Id, null, "Not for us.", CancellationToken.None);
        await _events.MarkLivemodeMismatchAsync(mismatched.Id, "A live event on a test deployment.", CancellationToken.None);

        Assert.Equal(-1, received);
        Assert.Equal(-1, await TtlAsync(failed.Id));
        const int NinetyDays = 90 * 24 * 60 * 60;
        Assert.Equal([NinetyDays, NinetyDays, NinetyDays], [await TtlAsync(applied.Id), await TtlAsync(ignored.Id), await TtlAsync(mismatched.Id)]);
    }

    private async Task<int?> TtlAsync(string eventId) =>
        (int?)(await RawDocuments.ReadAsync(fixture.Containers.StripeEvents, eventId, eventId))!["ttl"];

    private static NewStripeEvent NewEvent() => new()
    {
        Id = Ids.NewStripe("evt"),
        Type = "customer.subscription.updated",
        Created = Created,
        Payload = "{\"object\":\"event\"}",
    };
}
