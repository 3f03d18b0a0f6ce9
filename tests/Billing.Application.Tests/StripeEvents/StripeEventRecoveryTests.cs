using System.Buffers.Text;
using System.Text;
using Billing.Application.Outcomes;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Application.StripeEvents.Ingest;
using Billing.Application.StripeEvents.Recovery;
using Billing.Application.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.StripeEvents;

public sealed class StripeEventRecoveryTests
{
    private static readonly DateTimeOffset Now = WebhookWorld.Start;

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeStripeEventSource _stripe = new();
    private readonly InMemoryStripeEventStore _store;
    private readonly InMemoryStripeEventQueue _queue = new();
    private readonly StripeEventIngest _ingest;
    private readonly StripeEventRecovery _recovery;
    private readonly List<int> _runStarts = [];

    public StripeEventRecoveryTests()
    {
        _store = new InMemoryStripeEventStore(_time);
        _ingest = new StripeEventIngest(_store, _queue, NullLogger<StripeEventIngest>.Instance);
        _recovery = new StripeEventRecovery(_stripe, _store, _ingest, [new TypesOnly("invoice.paid", "checkout.session.completed"), new TypesOnly("charge.refunded")], _time, NullLogger<StripeEventRecovery>.Instance);
    }

    [Fact]
    public async Task Undelivered_events_of_the_handled_types_from_the_last_30_days_are_stored_and_queued_oldest_first_as_the_webhook_ingest_does()
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_old", Now.AddDays(-3), "checkout.session.completed"));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_new", Now.AddHours(-1), "charge.refunded"));

        var report = await RecoverAsync(new StripeEventRecoveryRequest(null, IncludeDelivered: false, DryRun: false));

        Assert.All(_stripe.Listings, listing => Assert.True(listing.UndeliveredOnly));
        Assert.All(_stripe.Listings, listing => Assert.Equal(["charge.refunded", "checkout.session.completed", "invoice.paid"], listing.Types.Order(StringComparer.Ordinal)));
        Assert.Equal((Now - StripeEventRecovery.LookBack, Now.AddSeconds(-1)), (_stripe.Listings[0].Since, _stripe.Listings[^1].Until)); // every second that has ended once, in windows one after the other
        Assert.All(_stripe.Listings.Skip(1).Zip(_stripe.Listings), pair => Assert.Equal(pair.Second.Until.AddSeconds(1), pair.First.Since));
        Assert.InRange(_stripe.Listings.Count, 1, 20); // each window twice as long as the last: 16 for 30 days from a minute
        Assert.Equal((Now - StripeEventRecovery.LookBack, false, false), (report.Since, report.IncludeDelivered, report.DryRun));
        Assert.Equal(
            [("evt_old", "checkout.session.completed", StripeEventRecoveryOutcome.Queued), ("evt_new", "charge.refunded", StripeEventRecoveryOutcome.Queued)],
            report.Events.Select(e => (e.Id, e.Type, e.Outcome)));
        Assert.Equal(["evt_old", "evt_new"], _queue.Messages.Select(m => StripeEventQueueMessage.Parse(m.Text).EventId));
        Assert.Equal(StripeEventIngest.MessageInvisibility, _queue.LastInvisibility);
        Assert.Equal(StripeEventStatus.Received, _store.Get("evt_old").Status);
        Assert.Equal(FakeStripeEventSource.Event("evt_new", Now.AddHours(-1), "charge.refunded").Payload, _store.Get("evt_new").Payload);
    }

    [Fact]
    public async Task An_event_already_applied_is_a_duplicate_and_nothing_is_left_queued_for_it()
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_done", Now.AddDays(-1)));
        await RecoverAsync(new StripeEventRecoveryRequest(null, false, false));
        _queue.Messages.Clear();
        await _store.MarkAppliedAsync("evt_done", null, CancellationToken.None);

        var again = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false));

        var only = Assert.Single(again.Events);
        Assert.Equal((StripeEventRecoveryOutcome.Duplicate, false), (only.Outcome, only.Requeued));
        Assert.Empty(_queue.Messages);
        Assert.Equal(1, _store.Adds);
        Assert.Equal(StripeEventStatus.Applied, _store.Get("evt_done").Status);
    }

    [Theory]
    [InlineData(StripeEventStatus.Received)]
    [InlineData(StripeEventStatus.Failed)]
    public async Task An_event_stored_but_not_final_is_a_duplicate_queued_again_since_nothing_says_its_message_still_exists(StripeEventStatus status)
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_stuck", Now.AddDays(-1)));
        await _ingest.IngestAsync(_stripe.Events[0], CancellationToken.None);
        _queue.Messages.Clear(); // its message is gone (the send failed, or it sits in the poison queue)
        if (status == StripeEventStatus.Failed)
        {
            await _store.MarkFailedAsync("evt_stuck", "Attempt 1: boom", CancellationToken.None);
        }

        var report = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false));

        var only = Assert.Single(report.Events);
        Assert.Equal((StripeEventRecoveryOutcome.Duplicate, true), (only.Outcome, only.Requeued));
        Assert.Equal("evt_stuck", StripeEventQueueMessage.Parse(Assert.Single(_queue.Messages).Text).EventId);
        Assert.Equal(1, _store.Adds);
    }

    [Fact]
    public async Task A_dry_run_says_what_each_event_would_be_and_writes_nothing()
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_applied", Now.AddDays(-2)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_received", Now.AddDays(-1)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_new", Now.AddHours(-2)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_other_version", Now.AddHours(-1), apiVersion: "2025-03-31.basil"));
        await _ingest.IngestAsync(_stripe.Events[0], CancellationToken.None);
        await _ingest.IngestAsync(_stripe.Events[1], CancellationToken.None);
        await _store.MarkAppliedAsync("evt_applied", null, CancellationToken.None);
        var (adds, sent) = (_store.Adds, _queue.Sent);

        var report = await RecoverAsync(new StripeEventRecoveryRequest(null, false, DryRun: true));

        Assert.True(report.DryRun);
        Assert.Equal(
            [
                ("evt_applied", StripeEventRecoveryOutcome.Duplicate, false),
                ("evt_received", StripeEventRecoveryOutcome.Duplicate, true),
                ("evt_new", StripeEventRecoveryOutcome.Queued, false),
                ("evt_other_version", StripeEventRecoveryOutcome.Skipped, false),
            ],
            report.Events.Select(e => (e.Id, e.Outcome, e.Requeued)));
        Assert.Equal((adds, sent), (_store.Adds, _queue.Sent));
        Assert.DoesNotContain(_store.All, e => e.Id is "evt_new" or "evt_other_version");
    }

    [Fact]
    public async Task An_event_rendered_in_another_API_version_is_skipped_with_the_reason_and_the_others_are_recovered()
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_basil", Now.AddDays(-2), apiVersion: "2025-03-31.basil"));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_unversioned", Now.AddDays(-2), apiVersion: null));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_endive", Now.AddDays(-1)));

        var report = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false));

        Assert.Equal([StripeEventRecoveryOutcome.Skipped, StripeEventRecoveryOutcome.Skipped, StripeEventRecoveryOutcome.Queued], report.Events.Select(e => e.Outcome));
        Assert.Contains("2025-03-31.basil", report.Events[0].Reason, StringComparison.Ordinal);
        Assert.Contains(FakeStripeEventSource.PinnedApiVersion, report.Events[0].Reason, StringComparison.Ordinal);
        Assert.NotNull(report.Events[1].Reason);
        Assert.Equal("evt_endive", Assert.Single(_store.All).Id);
        Assert.Single(_queue.Messages);
    }

    [Fact]
    public async Task An_event_larger_than_the_store_keeps_is_skipped_rather_than_failing_the_recovery()
    {
        var payload = $$"""{"id":"evt_huge","pad":"{{new string('x', IStripeEventStore.MaxPayloadBytes)}}"}""";
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_huge", Now.AddDays(-1), payload: payload));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_fits", Now.AddDays(-1), payload: new string('x', IStripeEventStore.MaxPayloadBytes)));

        var report = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false));

        Assert.Equal([("evt_fits", StripeEventRecoveryOutcome.Queued), ("evt_huge", StripeEventRecoveryOutcome.Skipped)], report.Events.Select(e => (e.Id, e.Outcome)));
        Assert.Contains("Larger than the event store keeps", report.Events[1].Reason, StringComparison.Ordinal);
        Assert.Equal("evt_fits", Assert.Single(_store.All).Id);
    }

    [Fact]
    public async Task With_all_it_lists_delivered_events_too_from_the_time_given()
    {
        var since = Now.AddDays(-2);
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_before", Now.AddDays(-3)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_delivered", Now.AddDays(-1)));
        _stripe.Delivered.Add("evt_delivered");

        var undelivered = await RecoverAsync(new StripeEventRecoveryRequest(since, IncludeDelivered: false, DryRun: false));
        var all = await RecoverAsync(new StripeEventRecoveryRequest(since, IncludeDelivered: true, DryRun: false));

        Assert.Empty(undelivered.Events);
        Assert.Equal([since, since], RunStarts);
        Assert.Equal([true, false], _runStarts.Select(i => _stripe.Listings[i].UndeliveredOnly));
        Assert.Equal(("evt_delivered", StripeEventRecoveryOutcome.Queued), (Assert.Single(all.Events).Id, all.Events[0].Outcome));
        Assert.True(all.IncludeDelivered);
    }

    [Fact]
    public async Task A_since_now_or_exactly_30_days_ago_is_taken()
    {
        var atNow = await RecoverAsync(new StripeEventRecoveryRequest(Now, false, false));
        Assert.Empty(_stripe.Listings); // no second since now has ended yet
        Assert.Null(atNow.NextCursor);

        await RecoverAsync(new StripeEventRecoveryRequest(Now - StripeEventRecovery.LookBack, false, false));
        Assert.Equal(Now - StripeEventRecovery.LookBack, _stripe.Listings[0].Since);
    }

    [Fact]
    public async Task A_run_takes_only_seconds_that_have_ended_so_no_event_created_later_in_one_sorts_before_the_cursor()
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_0", Now.AddSeconds(-1)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_b", Now));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_c", Now));
        var taken = new List<RecoveredStripeEvent>();
        string? cursor = null;
        do
        {
            var report = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 2, Cursor: cursor));
            taken.AddRange(report.Events);
            cursor = report.NextCursor;
            if (taken.Count == report.Events.Count)
            {
                _stripe.Events.Add(FakeStripeEventSource.Event("evt_a", Now)); // Stripe creates it later in the same second
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }
        while (cursor is not null && taken.Count < 10);

        var last = taken[^1];
        var passed = _stripe.Events.Where(e => e.Created < last.Created || (e.Created == last.Created && string.CompareOrdinal(e.Id, last.Id) < 0)).Select(e => e.Id);
        Assert.All(passed, id => Assert.Contains(id, taken.Select(e => e.Id))); // nothing before the last event taken was skipped
        Assert.Equal(["evt_0"], taken.Select(e => e.Id));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-30 * 24 * 60 * 60 - 1)]
    public async Task A_since_in_the_future_or_older_than_30_days_is_invalid_and_nothing_is_listed(int secondsFromNow)
    {
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_a", Now.AddDays(-1)));

        var outcome = await _recovery.RecoverAsync(new StripeEventRecoveryRequest(Now.AddSeconds(secondsFromNow), false, false), CancellationToken.None);

        Assert.Equal(["since"], Assert.IsType<Invalid<StripeEventRecoveryReport>>(outcome).Errors.Fields);
        Assert.Empty(_stripe.Listings);
        Assert.Empty(_store.All);
    }

    [Fact]
    public async Task A_run_takes_the_oldest_events_by_created_then_id_whatever_order_Stripe_lists_them_in()
    {
        var second = Now.AddHours(-1);
        foreach (var (id, created) in new[] { ("evt_b", second), ("evt_late", second.AddSeconds(1)), ("evt_C", second), ("evt_a", second), ("evt_early", second.AddSeconds(-1)) })
        {
            _stripe.Events.Add(FakeStripeEventSource.Event(id, created));
        }

        var report = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 4));

        Assert.Equal(["evt_early", "evt_C", "evt_a", "evt_b"], report.Events.Select(e => e.Id)); // ordinal: upper case first
        Assert.Equal(["evt_early", "evt_C", "evt_a", "evt_b"], _queue.Messages.Select(m => StripeEventQueueMessage.Parse(m.Text).EventId));
        Assert.NotNull(report.NextCursor);
        Assert.DoesNotContain(_store.All, e => e.Id == "evt_late");
    }

    [Fact]
    public async Task Following_the_cursor_takes_every_event_once_and_skips_none_when_many_share_one_second()
    {
        var second = Now.AddDays(-2);
        string[] sameSecond = [.. Enumerable.Range(0, 9).Select(i => $"evt_s{i}")];
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_after", second.AddSeconds(1)));
        _stripe.Events.AddRange(sameSecond.Reverse().Select(id => FakeStripeEventSource.Event(id, second)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_before", second.AddSeconds(-5)));

        var batches = new List<StripeEventRecoveryReport>();
        string? cursor = null;
        do
        {
            batches.Add(await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 2, Cursor: cursor)));
            cursor = batches[^1].NextCursor;
        }
        while (cursor is not null && batches.Count < 20);

        Assert.Equal(["evt_before", .. sameSecond, "evt_after"], batches.SelectMany(b => b.Events).Select(e => e.Id));
        Assert.All(batches.SelectMany(b => b.Events), e => Assert.Equal(StripeEventRecoveryOutcome.Queued, e.Outcome));
        Assert.Equal([2, 2, 2, 2, 2, 1], batches.Select(b => b.Events.Count));
        Assert.Equal(11, _queue.Messages.Count);
        Assert.Equal(
            [Now - StripeEventRecovery.LookBack, second, second, second, second, second],
            RunStarts); // each continuation lists from its last event's second only
    }

    [Fact]
    public async Task A_batch_that_ends_at_the_last_event_hands_out_no_cursor_and_a_cursor_at_the_last_listed_event_takes_nothing()
    {
        foreach (var i in Enumerable.Range(1, 5))
        {
            _stripe.Events.Add(FakeStripeEventSource.Event($"evt_{i}", Now.AddMinutes(-10 + i)));
        }

        var first = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 3));
        var second = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 2, Cursor: first.NextCursor));
        var exact = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 1, Cursor: first.NextCursor));
        var last = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 3, Cursor: exact.NextCursor));

        Assert.Equal((3, true), (first.Events.Count, first.NextCursor is not null));
        Assert.Equal(["evt_4", "evt_5"], second.Events.Select(e => e.Id));
        Assert.Null(second.NextCursor);
        Assert.Equal(["evt_4"], exact.Events.Select(e => e.Id));
        Assert.Equal(["evt_5"], last.Events.Select(e => e.Id));
        Assert.Null(last.NextCursor);

        _stripe.Delivered.Add("evt_5"); // delivered after all, between two runs: the cursor now stands at the last event listed
        var none = await RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: 1, Cursor: exact.NextCursor));
        Assert.Equal((0, null), (none.Events.Count, none.NextCursor));
    }

    [Fact]
    public async Task A_run_reads_about_the_events_it_takes_not_the_backlog_behind_them()
    {
        var start = Now.AddDays(-1);
        _stripe.Events.AddRange(Enumerable.Range(0, 5_000).Select(i => FakeStripeEventSource.Event($"evt_{i:D4}", start.AddSeconds(i / 10)))); // 10 a second

        var report = await RecoverAsync(new StripeEventRecoveryRequest(start, false, DryRun: true, Limit: 10));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"evt_{i:D4}"), report.Events.Select(e => e.Id));
        Assert.NotNull(report.NextCursor);
        Assert.True(_stripe.Read < 100, $"{_stripe.Read} events read for a batch of 10");
    }

    [Fact]
    public async Task A_second_holding_more_events_than_the_batch_is_read_whole_and_paged_through_in_order()
    {
        var second = Now.AddHours(-1);
        _stripe.Events.AddRange(Enumerable.Range(0, 300).Select(i => FakeStripeEventSource.Event($"evt_{i:D3}", second)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_next", second.AddSeconds(1)));

        var first = await RecoverAsync(new StripeEventRecoveryRequest(second, false, false, Limit: 250));
        var rest = await RecoverAsync(new StripeEventRecoveryRequest(second, false, false, Limit: 250, Cursor: first.NextCursor));

        Assert.Equal([.. Enumerable.Range(0, 300).Select(i => $"evt_{i:D3}"), "evt_next"], first.Events.Concat(rest.Events).Select(e => e.Id));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task A_run_takes_500_events_unless_told_otherwise_and_up_to_1000()
    {
        _stripe.Events.AddRange(Enumerable.Range(0, StripeEventRecovery.MaxLimit + 1).Select(i => FakeStripeEventSource.Event($"evt_{i:D4}", Now.AddHours(-1))));

        var byDefault = await RecoverAsync(new StripeEventRecoveryRequest(null, false, DryRun: true));
        var most = await RecoverAsync(new StripeEventRecoveryRequest(null, false, DryRun: true, Limit: StripeEventRecovery.MaxLimit));

        Assert.Equal((500, 1000), (byDefault.Events.Count, most.Events.Count));
        Assert.Equal(("evt_0999", true), (most.Events[^1].Id, most.NextCursor is not null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(StripeEventRecovery.MaxLimit + 1)]
    public async Task A_limit_outside_1_to_1000_is_invalid_and_nothing_is_listed(int limit)
    {
        var outcome = await _recovery.RecoverAsync(new StripeEventRecoveryRequest(null, false, false, Limit: limit), CancellationToken.None);

        Assert.Equal(["limit"], Assert.IsType<Invalid<StripeEventRecoveryReport>>(outcome).Errors.Fields);
        Assert.Empty(_stripe.Listings);
    }

    [Fact]
    public async Task A_cursor_that_is_not_one_this_recovery_handed_out_for_the_same_since_all_and_dry_run_is_invalid_and_nothing_is_done()
    {
        var since = Now.AddDays(-1);
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_1", Now.AddHours(-3)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_2", Now.AddHours(-2)));
        var real = (await RecoverAsync(new StripeEventRecoveryRequest(since, false, false, Limit: 1))).NextCursor!;
        var dry = (await RecoverAsync(new StripeEventRecoveryRequest(since, false, DryRun: true, Limit: 1))).NextCursor!;
        var tag = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(real));
        tag = tag[..tag.LastIndexOf('|')];
        string Forged(string position) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{tag}|{position}"));
        var (listings, adds, sent) = (_stripe.Listings.Count, _store.Adds, _queue.Sent);

        var refused = new (StripeEventRecoveryRequest Request, string Why)[]
        {
            (new(since, false, false, Cursor: "not a cursor"), "garbage"),
            (new(since, false, false, Cursor: real + "!"), "not base64url"),
            (new(since, false, false, Cursor: new string('A', 2000)), "too long"),
            (new(since, false, false, Cursor: Base64Url.EncodeToString("invoices|x|1:evt_1"u8)), "another listing's"),
            (new(since, IncludeDelivered: true, false, Cursor: real), "with all changed"),
            (new(null, false, false, Cursor: real), "with since left out"),
            (new(since.AddSeconds(1), false, false, Cursor: real), "with another since"),
            (new(since, false, false, Cursor: dry), "a dry run's, in a real run"),
            (new(since, false, DryRun: true, Cursor: real), "a real run's, in a dry run"),
            (new(since, false, false, Cursor: Forged($"{Now.AddSeconds(1).ToUnixTimeSeconds()}:evt_9")), "a position in the future"),
            (new(since, false, false, Cursor: Forged($"{since.AddSeconds(-1).ToUnixTimeSeconds()}:evt_0")), "a position before since"),
            (new(since, false, false, Cursor: Forged("-5:evt_1")), "a negative time"),
            (new(since, false, false, Cursor: Forged($"{Now.AddHours(-3).ToUnixTimeSeconds()}:")), "no id"),
            (new(since, false, false, Cursor: Forged($"{Now.AddHours(-3).ToUnixTimeSeconds()}:evt 1")), "an id Stripe never gives"),
        };
        foreach (var (request, why) in refused)
        {
            var outcome = await _recovery.RecoverAsync(request, CancellationToken.None);
            Assert.True(outcome is Invalid<StripeEventRecoveryReport> invalid && invalid.Errors.Fields.SequenceEqual(["cursor"]), $"{why}: {outcome}");
        }

        Assert.Equal((listings, adds, sent), (_stripe.Listings.Count, _store.Adds, _queue.Sent));
        Assert.Equal(["evt_2"], (await RecoverAsync(new StripeEventRecoveryRequest(since, false, false, Cursor: Forged($"{Now.AddHours(-3).ToUnixTimeSeconds()}:evt_1")))).Events.Select(e => e.Id));
    }

    [Fact]
    public async Task An_empty_cursor_is_no_cursor_so_since_is_checked_as_on_a_first_run()
    {
        var outcome = await _recovery.RecoverAsync(new StripeEventRecoveryRequest(Now.AddDays(-31), false, false, Cursor: ""), CancellationToken.None);

        Assert.Equal(["since"], Assert.IsType<Invalid<StripeEventRecoveryReport>>(outcome).Errors.Fields);
        Assert.Empty(_stripe.Listings);
    }

    [Fact]
    public async Task A_continuation_goes_on_past_the_30_day_edge_but_never_lists_from_before_what_Stripe_keeps()
    {
        var since = Now - StripeEventRecovery.LookBack + TimeSpan.FromMinutes(1);
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_1", since.AddSeconds(10)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_2", since.AddSeconds(20)));
        _stripe.Events.Add(FakeStripeEventSource.Event("evt_3", Now.AddHours(-1)));
        var first = await RecoverAsync(new StripeEventRecoveryRequest(since, false, false, Limit: 1));
        _time.Advance(TimeSpan.FromMinutes(2)); // the recovery's since is now older than Stripe keeps

        var next = await RecoverAsync(new StripeEventRecoveryRequest(since, false, false, Limit: 5, Cursor: first.NextCursor));

        Assert.Equal(_time.GetUtcNow() - StripeEventRecovery.LookBack, RunStarts[^1]);
        Assert.Equal(["evt_3"], next.Events.Select(e => e.Id)); // evt_2 is older than Stripe keeps by now
        Assert.Null(next.NextCursor);
    }

    /// <summary>Where each run's listing began: its first window's first second.</summary>
    private List<DateTimeOffset> RunStarts => [.. _runStarts.Select(i => _stripe.Listings[i].Since)];

    private async Task<StripeEventRecoveryReport> RecoverAsync(StripeEventRecoveryRequest request)
    {
        _runStarts.Add(_stripe.Listings.Count);
        return Assert.IsType<Succeeded<StripeEventRecoveryReport>>(await _recovery.RecoverAsync(request, CancellationToken.None)).Value;
    }

    private sealed class TypesOnly(params string[] types) : IStripeEventTypeHandler
    {
        public IReadOnlySet<string> EventTypes { get; } = new HashSet<string>(types, StringComparer.Ordinal);

        public Task<StripeEventHandlingResult> HandleAsync(StripeEventPayload stripeEvent, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The recovery never handles an event itself.");
    }
}
