using Billing.StripeEmulator.Tests.Infrastructure;
using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;
using Stripe.Checkout;

namespace Billing.StripeEmulator.Tests.StripeNet;

/// <summary>
/// Checkout completion -> signed webhooks delivered to a local HTTP receiver -> every delivery verified and parsed
/// by <see cref="EventUtility.ConstructEvent(string, string, string, long, bool)"/> with its defaults, including the
/// API-version check.
/// </summary>
[Collection(SharedStripeNetEmulator.Name)]
public sealed class WebhookTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private static readonly string[] SubscriptionCheckoutEvents =
    [
        "customer.created", "checkout.session.completed", "customer.subscription.created", "invoice.created",
        "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
    ];

    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("Checkout.SessionService.CreateAsync")]
    public async Task Delivered_checkout_events_verify_and_parse_with_construct_event_defaults()
    {
        var session = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Subscription("price_pro_monthly", "tenant_e2e"), new RequestOptions { IdempotencyKey = "checkout:tenant_e2e:pro:1" });
        await Checkout.CompleteAsync(fixture.Emulator, session.Id);
        var deliveries = await fixture.Receiver.WaitForAsync(d => d.Count >= SubscriptionCheckoutEvents.Length, what: "the checkout events");

        var events = deliveries.Select(d => EventUtility.ConstructEvent(d.Body, d.Signature, StripeNetFixture.WebhookSecret)).ToList();

        Assert.Equal(SubscriptionCheckoutEvents, events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(StripeConfiguration.ApiVersion, e.ApiVersion));
        Assert.Equal("buyer@example.com", Assert.IsType<Customer>(events[0].Data.Object).Email);
        var completed = Assert.IsType<Session>(events[1].Data.Object);
        Assert.Equal(session.Id, completed.Id);
        Assert.Equal("paid", completed.PaymentStatus);
        Assert.Equal("tenant_e2e", completed.ClientReferenceId);
        Assert.Equal(["card"], completed.AllowedPaymentMethodTypes);
        var subscription = Assert.IsType<Subscription>(events[2].Data.Object);
        Assert.Equal(completed.SubscriptionId, subscription.Id);
        var paid = Assert.IsType<Invoice>(events[5].Data.Object);
        Assert.Equal(subscription.Id, paid.Parent.SubscriptionDetails.SubscriptionId);
        Assert.Equal(4900, paid.AmountPaid);
        // The customer paid on the hosted page, not through the API: no request caused these events.
        Assert.All(events, e => Assert.Null(e.Request.Id));
    }

    [Fact]
    public async Task An_endpoint_with_an_older_api_version_gets_events_stripe_net_refuses_by_default()
    {
        const string secret = "whsec_dahlia_endpoint_secret";
        await using var dahlia = new WebhookReceiver(secret);
        var registered = await fixture.Emulator.ControlAsync("/_emulator/webhook_endpoints", new Dictionary<string, string>
        {
            ["url"] = dahlia.Url,
            ["secret"] = secret,
            ["api_version"] = "2026-07-29.dahlia",
        });

        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "versions@example.com" });
        var delivery = (await dahlia.WaitForTypesAsync("customer.created")).Single();
        var refused = Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(delivery.Body, delivery.Signature, secret));
        var parsed = EventUtility.ConstructEvent(delivery.Body, delivery.Signature, secret, throwOnApiVersionMismatch: false);

        Assert.Equal("2026-07-29.dahlia", registered.GetProperty("api_version").GetString());
        Assert.Contains("2026-07-29.dahlia", refused.Message, StringComparison.Ordinal);
        Assert.Equal("2026-07-29.dahlia", parsed.ApiVersion);
        Assert.Equal("versions@example.com", Assert.IsType<Customer>(parsed.Data.Object).Email);
    }

    [Fact]
    public async Task A_tampered_body_fails_signature_verification()
    {
        await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "tamper@example.com" });
        var delivery = (await fixture.Receiver.WaitForTypesAsync("customer.created")).Single();

        var tampered = Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(delivery.Body.Replace("tamper@", "other@", StringComparison.Ordinal), delivery.Signature, StripeNetFixture.WebhookSecret));
        var wrongSecret = Assert.Throws<StripeException>(() => EventUtility.ConstructEvent(delivery.Body, delivery.Signature, "whsec_wrong"));

        Assert.Equal(0, (int)tampered.HttpStatusCode);
        Assert.Contains("signature", wrongSecret.Message, StringComparison.OrdinalIgnoreCase);
    }
}
