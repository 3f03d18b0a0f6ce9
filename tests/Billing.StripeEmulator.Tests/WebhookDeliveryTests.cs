using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests;

public sealed class WebhookDeliveryTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private StripeApiClient Stripe => emulator.Stripe;

    public Task InitializeAsync() => emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_500_from_the_endpoint_is_retried_until_it_succeeds_and_every_attempt_is_recorded()
    {
        emulator.Receiver.FailNext(2);

        await Flows.CreateCustomerAsync(Stripe, "retry@example.com");
        var accepted = await emulator.Receiver.WaitForTypesAsync("customer.created");

        var eventId = accepted.Single().EventId;
        Assert.Equal(3, emulator.Receiver.Deliveries.Count(d => d.EventId == eventId));
        Assert.Equal([500, 500, 200], emulator.Receiver.Deliveries.Where(d => d.EventId == eventId).Select(d => d.RespondedStatus));
        Assert.All(emulator.Receiver.Deliveries, d => Assert.True(d.SignatureValid));

        var attempts = await RecordedAttemptsAsync(eventId, 3);
        Assert.Equal([1L, 2L, 3L], attempts.Select(a => a!.Number("attempt")));
        Assert.Equal([500L, 500L, 200L], attempts.Select(a => a!.Number("status_code")));
        Assert.Equal([false, false, true], attempts.Select(a => a!.Bool("succeeded")));
        Assert.NotNull(attempts[0]!["next_retry_at"]);
        var stored = (await Stripe.GetAsync($"/v1/events/{eventId}")).EnsureOk().Body;
        Assert.Equal(0, stored.Number("pending_webhooks"));
    }

    [Fact]
    public async Task Deliveries_give_up_after_the_retry_schedule()
    {
        emulator.Receiver.FailNext(10, 503);

        await Flows.CreateCustomerAsync(Stripe, "down@example.com");
        await WaitUntilAsync(() => emulator.Receiver.Deliveries.Count >= 3);
        await Task.Delay(1500);

        Assert.Equal(3, emulator.Receiver.Deliveries.Count);
        var eventId = emulator.Receiver.Deliveries[0].EventId;
        var stored = (await Stripe.GetAsync($"/v1/events/{eventId}")).EnsureOk().Body;
        Assert.Equal(1, stored.Number("pending_webhooks"));
        var attempts = await RecordedAttemptsAsync(eventId, 3);
        Assert.Null(attempts[^1]!["next_retry_at"]);
    }

    [Fact]
    public async Task Redelivery_sends_the_same_event_again()
    {
        await Flows.CreateCustomerAsync(Stripe, "again@example.com");
        var first = (await emulator.Receiver.WaitForTypesAsync("customer.created")).Single();

        var result = (await Stripe.ControlAsync($"/_emulator/events/{first.EventId}/redeliver")).EnsureOk().Body;
        var both = await emulator.Receiver.WaitForAsync(d => d.Count >= 2);

        Assert.Equal(1, result.Number("endpoints"));
        Assert.Equal([first.EventId, first.EventId], both.Select(d => d.EventId));
        Assert.True(both[1].SignatureValid);
        var kinds = (await RecordedAttemptsAsync(first.EventId, 2)).Select(a => a!.Str("kind"));
        Assert.Equal(["original", "redelivery"], kinds);
    }

    [Fact]
    public async Task With_duplicates_on_every_event_arrives_twice()
    {
        (await Stripe.ControlAsync("/_emulator/webhooks/duplicates", ("enabled", "true"))).EnsureOk();

        await Flows.CreateCustomerAsync(Stripe, "one@example.com");
        await Flows.CreateCustomerAsync(Stripe, "two@example.com");
        var deliveries = await emulator.Receiver.WaitForAsync(d => d.Count >= 4);

        Assert.Equal(2, deliveries.Select(d => d.EventId).Distinct().Count());
        Assert.All(deliveries.GroupBy(d => d.EventId), group => Assert.Equal(2, group.Count()));

        (await Stripe.ControlAsync("/_emulator/webhooks/duplicates", ("enabled", "false"))).EnsureOk();
        emulator.Receiver.Clear();
        await Flows.CreateCustomerAsync(Stripe, "three@example.com");
        await emulator.Receiver.WaitForTypesAsync("customer.created");
        await Task.Delay(300);
        Assert.Single(emulator.Receiver.Deliveries);
    }

    [Fact]
    public async Task Held_deliveries_are_released_in_reverse_order()
    {
        (await Stripe.ControlAsync("/_emulator/webhooks/hold")).EnsureOk();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Flows.CreateCustomerAsync(Stripe, $"held{i}@example.com"));
        }

        await Task.Delay(500);
        Assert.Empty(emulator.Receiver.Deliveries);

        var released = (await Stripe.ControlAsync("/_emulator/webhooks/release", ("order", "reverse"))).EnsureOk().Body;
        var deliveries = await emulator.Receiver.WaitForAsync(d => d.Count >= 3);

        Assert.Equal(3, released.Number("released"));
        Assert.Equal(Enumerable.Reverse(ids), deliveries.Select(d => d.DataObject.Str("id")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // a release without a hold reorders nothing: the deliveries waiting for the sender go in creation order
    public async Task Deliveries_made_while_a_delivery_is_in_flight_are_held_and_released_in_the_order_asked(bool hold)
    {
        // The emulator sends one delivery at a time and sets a new one aside as held when it takes it up: a release
        // while another endpoint was still answering found nothing held, and the deliveries went out in creation order.
        var endpoint = FreePort.StartHttpListener();
        using var slow = endpoint.Listener;
        (await Stripe.ControlAsync("/_emulator/webhook_endpoints", ("url", endpoint.Url.ToString()), ("secret", "whsec_slow_endpoint_secret"))).EnsureOk();
        await Flows.CreateCustomerAsync(Stripe, "busy@example.com");
        var inFlight = await slow.GetContextAsync();
        if (hold)
        {
            (await Stripe.ControlAsync("/_emulator/webhooks/hold")).EnsureOk();
        }

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Flows.CreateCustomerAsync(Stripe, $"queued{i}@example.com"));
        }

        var released = (await Stripe.ControlAsync("/_emulator/webhooks/release", ("order", "reverse"))).EnsureOk().Body;
        inFlight.Response.Close();
        _ = AnswerEveryRequestAsync(slow);
        var deliveries = await emulator.Receiver.WaitForAsync(d => d.Count(x => ids.Contains(x.DataObject.Str("id"))) == 3);

        Assert.Equal(hold ? 6 : 0, released.Number("released")); // three events, two endpoints
        Assert.Equal(hold ? Enumerable.Reverse(ids) : ids, deliveries.Select(d => d.DataObject.Str("id")).Where(ids.Contains));
    }

    [Fact]
    public async Task A_seeded_shuffle_is_reproducible()
    {
        async Task<List<string>> ReleaseShuffledAsync()
        {
            await emulator.ResetAsync();
            (await Stripe.ControlAsync("/_emulator/webhooks/hold")).EnsureOk();
            for (var i = 0; i < 6; i++)
            {
                await Flows.CreateCustomerAsync(Stripe, $"shuffle{i}@example.com");
            }

            (await Stripe.ControlAsync("/_emulator/webhooks/release", ("order", "shuffle"), ("seed", "42"))).EnsureOk();
            var deliveries = await emulator.Receiver.WaitForAsync(d => d.Count >= 6);
            return [.. deliveries.Select(d => d.DataObject.Str("email"))];
        }

        var first = await ReleaseShuffledAsync();
        var second = await ReleaseShuffledAsync();

        Assert.Equal(first, second);
        Assert.Equal(6, first.Distinct().Count());
    }

    [Fact]
    public async Task An_endpoint_registered_at_run_time_gets_events_signed_with_its_own_secret()
    {
        await using var second = new WebhookReceiver("whsec_runtime_endpoint_secret");
        var endpoint = (await Stripe.ControlAsync("/_emulator/webhook_endpoints", ("url", second.Url), ("secret", second.Secret))).EnsureOk().Body;

        await Flows.CreateCustomerAsync(Stripe, "fanout@example.com");
        var atSecond = await second.WaitForTypesAsync("customer.created");
        var atFirst = await emulator.Receiver.WaitForTypesAsync("customer.created");

        Assert.StartsWith("we_", endpoint.Str("id"));
        Assert.True(atSecond.Single().SignatureValid);
        Assert.Equal(atFirst.Single().EventId, atSecond.Single().EventId);
        Assert.False(StripeSignature.IsValid(atSecond.Single().Signature, atSecond.Single().Body, EmulatorFixture.WebhookSecret, DateTimeOffset.UtcNow));
        var listed = (await Stripe.ControlGetAsync("/_emulator/webhook_endpoints")).EnsureOk().Body.Data();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, e => Assert.Equal("2026-10-28.endive", e!.Str("api_version")));
        var badVersion = await Stripe.ControlAsync("/_emulator/webhook_endpoints", ("url", second.Url), ("api_version", "latest"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badVersion.Status);
        Assert.Equal("api_version", badVersion.Error.Str("param"));
    }

    [Fact]
    public async Task Events_can_be_listed_by_type_with_wildcards_and_retrieved()
    {
        await Flows.SubscribeAsync(Stripe);
        await emulator.Receiver.WaitForTypesAsync("invoice.payment_succeeded");

        var invoiceEvents = (await Stripe.GetAsync("/v1/events?type=invoice.*")).EnsureOk().Body.Data();
        var exact = (await Stripe.GetAsync("/v1/events?type=customer.subscription.created")).EnsureOk().Body.Data();
        var page = (await Stripe.GetAsync("/v1/events?limit=2")).EnsureOk().Body;
        var next = (await Stripe.GetAsync($"/v1/events?limit=10&starting_after={page.Data()[1]!.Str("id")}")).EnsureOk().Body;
        var one = (await Stripe.GetAsync($"/v1/events/{exact[0]!.Str("id")}")).EnsureOk().Body;

        Assert.Equal(["invoice.payment_succeeded", "invoice.paid", "invoice.finalized", "invoice.created"], invoiceEvents.Select(e => e!.Str("type")));
        Assert.Single(exact);
        Assert.True(page.Bool("has_more"));
        Assert.Equal(5, next.Data().Count);
        Assert.False(next.Bool("has_more"));
        Assert.Equal("customer.subscription.created", one.Str("type"));
        Assert.Equal("subscription", one["data"]!["object"]!.Str("object"));
    }

    [Fact]
    public async Task Delivery_success_false_lists_the_events_some_endpoint_has_not_received_and_true_those_every_endpoint_received()
    {
        (await Stripe.ControlAsync("/_emulator/webhooks/hold")).EnsureOk();
        await Flows.CreateCustomerAsync(Stripe, "held@example.com");
        var held = (await Stripe.GetAsync("/v1/events?delivery_success=false")).EnsureOk().Body.Data().Single()!.Str("id");
        Assert.Empty((await Stripe.GetAsync("/v1/events?delivery_success=true")).EnsureOk().Body.Data());

        (await Stripe.ControlAsync("/_emulator/webhooks/release")).EnsureOk();
        await RecordedAttemptsAsync(held, 1);
        Assert.Empty((await Stripe.GetAsync("/v1/events?delivery_success=false")).EnsureOk().Body.Data());
        Assert.Equal([held], (await Stripe.GetAsync("/v1/events?delivery_success=true")).EnsureOk().Body.Data().Select(e => e!.Str("id")));

        // Two endpoints, one failing every attempt: the event is not delivered while one of them has not received it.
        await using var failing = new WebhookReceiver("whsec_failing_endpoint_secret");
        failing.FailNext(100, 503);
        (await Stripe.ControlAsync("/_emulator/webhook_endpoints", ("url", failing.Url), ("secret", failing.Secret))).EnsureOk();
        await Flows.CreateCustomerAsync(Stripe, "half@example.com");
        var half = (await emulator.Receiver.WaitForAsync(d => d.Count == 2))[1].EventId;
        await RecordedAttemptsAsync(half, 2);

        Assert.Equal([half], (await Stripe.GetAsync("/v1/events?delivery_success=false&types[]=customer.created")).EnsureOk().Body.Data().Select(e => e!.Str("id")));
        Assert.Equal([held], (await Stripe.GetAsync("/v1/events?delivery_success=true")).EnsureOk().Body.Data().Select(e => e!.Str("id")));
        Assert.Equal(1, (await Stripe.GetAsync($"/v1/events/{half}")).EnsureOk().Body.Number("pending_webhooks"));
        Assert.Equal("delivery_success", (await Stripe.GetAsync("/v1/events?delivery_success=maybe")).Error.Str("param"));
    }

    /// <summary>The emulator records an attempt once the endpoint's answer is in, which can be just after the receiver
    /// saw the request: wait until <paramref name="count"/> attempts are recorded.</summary>
    private async Task<System.Text.Json.Nodes.JsonArray> RecordedAttemptsAsync(string eventId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var attempts = (await Stripe.ControlGetAsync($"/_emulator/events/{eventId}/deliveries")).EnsureOk().Body.Data();
            if (attempts.Count >= count || DateTime.UtcNow > deadline)
            {
                return attempts;
            }

            await Task.Delay(50);
        }
    }

    private static async Task AnswerEveryRequestAsync(System.Net.HttpListener listener)
    {
        while (true)
        {
            try
            {
                (await listener.GetContextAsync()).Response.Close();
            }
            catch (Exception e) when (e is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "condition not met in time");
    }
}
