using System.Text.Json;
using Billing.Stripe;
using Billing.Stripe.Checkout;
using Billing.Stripe.Events;
using Billing.Stripe.Invoices;
using Billing.Stripe.Subscriptions;
using Billing.Stripe.Webhooks;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;
using Billing.StripeEmulator.Tests.Infrastructure;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

/// <summary>
/// Checkout completion -> signed webhooks delivered to a local HTTP endpoint -> every delivery verified by the
/// product's <see cref="StripeWebhookVerifier"/> over the raw body bytes and parsed into typed objects.
/// </summary>
[Collection(SharedEmulator.Name)]
public sealed class CheckoutWebhookEndToEndTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private const string EndpointSecret = "whsec_client_compatibility_endpoint";

    private static readonly string[] SubscriptionCheckoutEvents =
    [
        StripeEventTypes.CustomerCreated,
        StripeEventTypes.CheckoutSessionCompleted,
        StripeEventTypes.CustomerSubscriptionCreated,
        StripeEventTypes.InvoiceCreated,
        StripeEventTypes.InvoiceFinalized,
        StripeEventTypes.InvoicePaid,
        StripeEventTypes.InvoicePaymentSucceeded,
    ];

    private readonly WebhookReceiver receiver = new(EndpointSecret);

    private IStripeClient Stripe => fixture.Client;

    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        await fixture.Emulator.AddWebhookEndpointAsync(new Uri(receiver.Url), EndpointSecret);
    }

    public Task DisposeAsync() => receiver.DisposeAsync().AsTask();

    [Fact]
    public async Task Checkout_completion_delivers_verifiable_events_whose_objects_parse_as_typed_objects()
    {
        var session = await Stripe.CheckoutSessions.CreateAsync(
            Subscribe.SessionRequest("price_pro_monthly", "tenant_e2e"),
            new StripeRequestOptions { IdempotencyKey = "checkout:tenant_e2e:pro:1" });
        await Subscribe.CompleteAsync(fixture.Emulator, session.Id);
        var deliveries = await receiver.WaitForAsync(d => d.Count >= SubscriptionCheckoutEvents.Length, what: "the checkout events");
        var verifier = Verifier(TimeProvider.System, EndpointSecret);

        var events = deliveries.Select(delivery =>
        {
            var result = verifier.VerifyAndParse(delivery.RawBody, delivery.Signature);
            Assert.True(result.IsValid, $"{delivery.Type}: {result.Reason}");
            Assert.Equal(result.Event.Id, StripeEventParser.Parse(delivery.RawBody).Id);
            return result.Event;
        }).ToList();

        Assert.Equal(SubscriptionCheckoutEvents, events.Select(e => e.Type));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        Assert.All(events, e =>
        {
            Assert.StartsWith("evt_", e.Id);
            Assert.Equal(StripeApiVersion.Current, e.ApiVersion);
            Assert.False(e.Livemode);
        });
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Created <= pair.Second.Created), "created never goes backwards");

        var customer = events[0].Data.ToCustomer();
        Assert.Equal("buyer@example.com", customer.Email);

        var completed = events[1].Data.ToCheckoutSession();
        Assert.Equal(session.Id, completed.Id);
        Assert.Equal(CheckoutSessionStatuses.Complete, completed.Status);
        Assert.Equal(CheckoutPaymentStatuses.Paid, completed.PaymentStatus);
        Assert.Equal("tenant_e2e", completed.ClientReferenceId);
        Assert.Equal("tenant_e2e", completed.Metadata!["tenant_id"]);
        Assert.Equal(customer.Id, completed.Customer!.Id);

        var subscription = events[2].Data.ToSubscription();
        Assert.Equal(completed.Subscription!.Id, subscription.Id);
        Assert.Equal(StripeSubscriptionStatuses.Active, subscription.Status);
        Assert.Equal(customer.Id, subscription.Customer!.Id);
        Assert.Equal("tenant_e2e", subscription.Metadata!["tenant_id"]);
        Assert.Equal("price_pro_monthly", Assert.Single(subscription.Items!.Data).Price!.Id);
        var period = subscription.CurrentPeriod!;
        Assert.Equal(period.Start.AddMonths(1), period.End);

        var invoices = events.Skip(3).Select(e => e.Data.ToInvoice()).ToList();
        Assert.Single(invoices.Select(i => i.Id).Distinct());
        Assert.Equal([InvoiceStatuses.Draft, InvoiceStatuses.Open, InvoiceStatuses.Paid, InvoiceStatuses.Paid], invoices.Select(i => i.Status));
        Assert.All(invoices, invoice =>
        {
            Assert.Equal(subscription.Id, invoice.SubscriptionId);
            Assert.Equal("subscription_create", invoice.BillingReason);
            Assert.Equal(4900, invoice.Total);
            Assert.Equal("usd", invoice.Currency);
        });
        Assert.Equal(4900, invoices[^1].AmountPaid);
        var line = Assert.Single(invoices[^1].Lines!.Data);
        Assert.Equal(period, line.Period);

        var stored = await Stripe.Events.GetAsync(events[1].Id);
        Assert.Equal(events[1].Type, stored.Type);
        Assert.Equal(events[1].Created, stored.Created);
    }

    [Fact]
    public async Task Deliveries_fail_verification_with_a_wrong_secret_a_changed_body_or_an_old_timestamp()
    {
        await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly", "tenant_sig");
        var deliveries = await receiver.WaitForAsync(d => d.Count >= SubscriptionCheckoutEvents.Length, what: "the checkout events");
        var now = DateTimeOffset.UtcNow;

        var wrongSecret = Verifier(TimeProvider.System, "whsec_not_the_endpoint_secret");
        var rotating = Verifier(TimeProvider.System, "whsec_the_next_secret", EndpointSecret);
        var laterClock = new ManualTimeProvider(now);
        var late = Verifier(laterClock, EndpointSecret);

        Assert.All(deliveries, delivery =>
        {
            Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, wrongSecret.Verify(delivery.RawBody, delivery.Signature).Failure);
            Assert.True(rotating.Verify(delivery.RawBody, delivery.Signature).IsValid);

            var tampered = (byte[])delivery.RawBody.Clone();
            tampered[tampered.Length / 2] ^= 0x01;
            Assert.Equal(WebhookVerificationFailure.NoMatchingSignature, rotating.Verify(tampered, delivery.Signature).Failure);
        });

        var first = deliveries[0];
        Assert.True(late.Verify(first.RawBody, first.Signature).IsValid);
        laterClock.Advance(StripeWebhookOptions.DefaultTolerance + TimeSpan.FromMinutes(1));
        Assert.Equal(WebhookVerificationFailure.TimestampOutsideTolerance, late.Verify(first.RawBody, first.Signature).Failure);
        Assert.Equal(WebhookVerificationFailure.MissingHeader, late.Verify(first.RawBody, null).Failure);
    }

    [Fact]
    public async Task A_trial_ending_delivers_the_updated_subscription_with_its_new_period_and_previous_attributes()
    {
        var session = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator, "price_basic_monthly", "tenant_trial", trialDays: 7);
        await receiver.WaitForAsync(d => d.Count >= SubscriptionCheckoutEvents.Length, what: "the checkout events");
        var trialing = await Stripe.Subscriptions.GetAsync(session.Subscription!.Id);
        receiver.Clear();

        await fixture.Emulator.ControlAsync("/_emulator/clock/advance", new Dictionary<string, string> { ["seconds"] = $"{8 * 86400}" });
        var deliveries = await receiver.WaitForAsync(d => d.Any(x => x.Type == StripeEventTypes.InvoicePaymentSucceeded), what: "the first charge after the trial");
        var verifier = Verifier(TimeProvider.System, EndpointSecret);
        var events = deliveries.Select(d => verifier.VerifyAndParse(d.RawBody, d.Signature)).Select(r => r.IsValid ? r.Event : throw new InvalidOperationException(r.Reason)).ToList();

        var updated = events.Single(e => e.Type == StripeEventTypes.CustomerSubscriptionUpdated);
        var active = updated.Data.ToSubscription();
        Assert.Equal(StripeSubscriptionStatuses.Active, active.Status);
        Assert.Equal(trialing.TrialEnd, active.CurrentPeriod!.Start);
        Assert.Equal(trialing.TrialEnd!.Value.AddMonths(1), active.CurrentPeriod.End);
        var previous = updated.Data.PreviousAttributes!.Value;
        Assert.Equal(StripeSubscriptionStatuses.Trialing, previous.GetProperty("status").GetString());
        var previousItem = previous.GetProperty("items").GetProperty("data")[0];
        Assert.Equal(trialing.CurrentPeriod!.End.ToUnixTimeSeconds(), previousItem.GetProperty("current_period_end").GetInt64());
        Assert.Contains(events, e => e.Type == StripeEventTypes.CustomerSubscriptionTrialWillEnd);
        var paid = events.Single(e => e.Type == StripeEventTypes.InvoicePaid).Data.ToInvoice();
        Assert.Equal(1900, paid.AmountPaid);
        Assert.Equal("subscription_cycle", paid.BillingReason);
        Assert.Equal(active.Id, paid.SubscriptionId);
    }

    private static StripeWebhookVerifier Verifier(TimeProvider clock, params string[] secrets)
    {
        var options = new StripeWebhookOptions();
        foreach (var secret in secrets)
        {
            options.Secrets.Add(secret);
        }

        return new StripeWebhookVerifier(options, clock);
    }
}
