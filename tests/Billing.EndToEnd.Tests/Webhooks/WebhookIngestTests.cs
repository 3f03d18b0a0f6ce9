using System.Net;
using System.Text.Json;
using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Ingest;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Webhooks;

/// <summary>
/// <c>POST /api/stripe/webhook</c> on the real app: every documented outcome, and that a refused request stores and
/// queues nothing while an accepted one is kept and processed.
/// </summary>
public sealed class WebhookIngestTests(WebhookIngestTests.StackFixture fixture) : IClassFixture<WebhookIngestTests.StackFixture>
{
    private WebhookStack Stack => fixture.Stack;

    [Fact]
    public async Task A_valid_event_is_stored_acknowledged_and_an_unhandled_type_is_recorded_as_ignored()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "charge.succeeded", """{"id":"ch_1","object":"charge","amount":500}""");

        using var response = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"received":true,"duplicate":false}""", await response.Content.ReadAsStringAsync());
        var record = await Stack.Data.WaitForEventAsync(id, e => e.Status == StripeEventStatus.Ignored, "ignored");
        Assert.Equal(body, record.Payload); // the raw body, exactly
        Assert.Equal("charge.succeeded", record.Type);
        Assert.Equal(1, record.Attempts);
        Assert.Equal("Event type 'charge.succeeded' is recorded; it needs no action.", record.Note);
    }

    [Fact]
    public async Task A_repeated_delivery_of_a_processed_event_answers_200_duplicate_and_is_not_queued_again()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "invoice.upcoming", """{"id":"in_1","object":"invoice","customer":"cus_x"}""");
        using (await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret)))
        {
        }

        await Stack.Data.WaitForEventAsync(id, e => e.Status.IsFinal(), "done");

        using var again = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("""{"received":true,"duplicate":true}""", await again.Content.ReadAsStringAsync());
        await Stack.App.WaitForOutputAsync($"Stripe event {id} (invoice.upcoming) delivered again; already Ignored, nothing to do");
        Assert.Equal(1, (await Stack.Data.Events.GetAsync(id, CancellationToken.None))!.Attempts);

        // A message queued for it would be visible after StripeEventIngest.MessageInvisibility and acknowledged by the
        // processor within a poll (this stack polls every 200 ms), saying so.
        await Task.Delay(StripeEventIngest.MessageInvisibility + TimeSpan.FromSeconds(2));
        Assert.False(Stack.App.Logged($"Stripe event {id} (invoice.upcoming) is already"), Stack.App.Output);
    }

    [Theory]
    [InlineData("wrong secret", "no_matching_signature")]
    [InlineData("stale timestamp", "timestamp_outside_tolerance")]
    [InlineData("future timestamp", "timestamp_outside_tolerance")]
    [InlineData("tampered body", "no_matching_signature")]
    [InlineData("no signature", "missing_signature")]
    [InlineData("garbled signature", "malformed_signature")]
    public async Task A_request_that_fails_verification_is_refused_with_400_and_nothing_is_stored(string tampering, string reason)
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "invoice.paid", """{"id":"in_2","object":"invoice","customer":"cus_y"}""");
        using var request = tampering switch
        {
            "wrong secret" => SignedWebhook.Create(body, "whsec_someone_elses_secret"),
            "stale timestamp" => SignedWebhook.Create(body, WebhookStack.WebhookSecret, DateTimeOffset.UtcNow.AddMinutes(-10)),
            "future timestamp" => SignedWebhook.Create(body, WebhookStack.WebhookSecret, DateTimeOffset.UtcNow.AddMinutes(10)),
            "tampered body" => SignedWebhook.Create(body, WebhookStack.WebhookSecret, sendInstead: body.Replace("cus_y", "cus_z", StringComparison.Ordinal)),
            _ => SignedWebhook.Create(body, WebhookStack.WebhookSecret),
        };
        if (tampering == "no signature")
        {
            request.Headers.Remove("Stripe-Signature");
        }
        else if (tampering == "garbled signature")
        {
            request.Headers.Remove("Stripe-Signature");
            request.Headers.TryAddWithoutValidation("Stripe-Signature", "v1=abc");
        }

        using var response = await Stack.App.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(reason, problem.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Null(await Stack.Data.Events.GetAsync(id, CancellationToken.None));
    }

    [Theory]
    [InlineData("{\"id\":\"evt_broken\",\"object\":\"event\",", "evt_broken")]
    [InlineData("[1,2,3]", null)] // no id to store it under
    [InlineData("{\"id\":\"not-an-event-id\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1750000000,\"data\":{\"object\":{}}}", "not-an-event-id")]
    [InlineData("{\"id\":\"evt_\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1750000000,\"data\":{\"object\":{}}}", "evt_")]
    [InlineData("{\"id\":\"evt_dupA\",\"id\":\"evt_dupB\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":1750000000,\"data\":{\"object\":{}}}", "evt_dupB")] // was stored under the last id
    public async Task A_correctly_signed_body_that_is_not_an_event_is_refused_with_400(string body, string? id)
    {
        using var response = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("malformed_event", problem.RootElement.GetProperty("code").GetString());
        if (id is not null)
        {
            Assert.Null(await Stack.Data.Events.GetAsync(id, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        var id = SignedWebhook.NewEventId();
        var padding = new string('x', 300 * 1024);
        var body = SignedWebhook.Event(id, "invoice.paid", "{\"id\":\"in_3\",\"object\":\"invoice\",\"description\":\"" + padding + "\"}");

        using var response = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("payload_too_large", problem.RootElement.GetProperty("code").GetString());
        Assert.Null(await Stack.Data.Events.GetAsync(id, CancellationToken.None));

        // Stripe retries it for days and the event is never kept: the operator must see the refusal, as every other one.
        await Stack.App.WaitForOutputAsync("Stripe webhook rejected: payload_too_large"); // the line comes over gRPC, apart from the answer: the default wait only bounds a hang
    }

    [Fact]
    public async Task An_event_for_an_unknown_account_is_kept_and_ignored_with_the_reason_and_creates_nothing()
    {
        var id = SignedWebhook.NewEventId();
        var customer = "cus_" + Guid.NewGuid().ToString("N")[..14];
        var body = SignedWebhook.Event(id, "customer.subscription.updated", $$$"""
            {"id":"sub_unknown","object":"subscription","customer":"{{{customer}}}","status":"active","metadata":{},
             "items":{"object":"list","data":[]}}
            """);

        using var response = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await Stack.Data.WaitForEventAsync(id, e => e.Status.IsFinal(), "done");
        Assert.Equal(StripeEventStatus.Ignored, record.Status);
        Assert.Equal($"Stripe customer {customer} is not linked to a billing account and the event names none.", record.Note);
        Assert.Null(await Stack.Data.Links.FindAccountIdAsync(customer, CancellationToken.None));
    }

    [Fact]
    public async Task A_valid_event_whose_data_the_processor_cannot_read_is_kept_and_poisoned_for_a_replay_not_ignored()
    {
        var id = SignedWebhook.NewEventId();
        var body = SignedWebhook.Event(id, "customer.subscription.updated", """{"id":42,"object":"subscription"}""");

        using var response = await Stack.App.Http.SendAsync(SignedWebhook.Create(body, WebhookStack.WebhookSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var queue = TestQueues.Client(Stack.Emulators.StorageConnectionString, Stack.QueueName + "-poison");
        await Eventually.UntilAsync(async () => (await queue.PeekTextsAsync()).Any(m => m.Contains(id, StringComparison.Ordinal)), "the poison message", TimeSpan.FromSeconds(60));
        var record = await Stack.Data.WaitForEventAsync(id, e => e.Status == StripeEventStatus.Failed && e.Attempts == WebhookStack.MaxDequeueCount, "failed on every attempt");
        Assert.StartsWith(
            $"Attempt {WebhookStack.MaxDequeueCount}: MalformedStripeEventException: The stored payload of this customer.subscription.updated event does not read: The payload is not a readable Stripe event",
            record.Note,
            StringComparison.Ordinal);
        Assert.Equal(body, record.Payload);
    }

    /// <summary>One app for the ingest tests; no Stripe emulator (none of their events needs Stripe).</summary>
    public sealed class StackFixture : SharedStackFixture
    {
        private protected override Task<WebhookStack> StartAsync() => WebhookStack.StartAsync(emulator: false);
    }
}
