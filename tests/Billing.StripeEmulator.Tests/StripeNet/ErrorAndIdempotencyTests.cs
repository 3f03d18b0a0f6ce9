using System.Net;
using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

/// <summary>How the emulator's errors and idempotency look through Stripe.net.</summary>
[Collection(SharedStripeNetEmulator.Name)]
public sealed class ErrorAndIdempotencyTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("CustomerService.CreateAsync")]
    public async Task The_same_idempotency_key_replays_the_same_object_and_other_parameters_are_an_idempotency_error()
    {
        var options = new RequestOptions { IdempotencyKey = "create-customer-acct-9" };
        var first = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "once@example.com" }, options);
        var replay = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "once@example.com" }, options);
        var misuse = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "other@example.com" }, options));
        var list = await Client.V1.Customers.ListAsync();

        Assert.Equal(first.Id, replay.Id);
        Assert.Equal("true", replay.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(list.Data);
        Assert.Equal(HttpStatusCode.BadRequest, misuse.HttpStatusCode);
        Assert.Equal("idempotency_error", misuse.StripeError.Type);
    }

    [Fact]
    [Covers("Checkout.SessionService.CreateAsync")]
    public async Task A_missing_or_invalid_parameter_is_a_400_naming_it()
    {
        var missing = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Checkout.Sessions.CreateAsync(new Stripe.Checkout.SessionCreateOptions
        {
            LineItems = [new Stripe.Checkout.SessionLineItemOptions { Price = "price_pro_monthly", Quantity = 1 }],
        }));
        var unknownPrice = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Checkout.Sessions.CreateAsync(Checkout.Subscription("price_nope", "t")));
        var badType = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Checkout.Sessions.CreateAsync(new Stripe.Checkout.SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new Stripe.Checkout.SessionLineItemOptions { Price = "price_credits_1000", Quantity = 1 }],
            AllowedPaymentMethodTypes = ["carrier_pigeon"],
        }));

        Assert.Equal(HttpStatusCode.BadRequest, missing.HttpStatusCode);
        Assert.Equal("invalid_request_error", missing.StripeError.Type);
        Assert.Equal("parameter_missing", missing.StripeError.Code);
        Assert.Equal("mode", missing.StripeError.Param);
        Assert.Equal("resource_missing", unknownPrice.StripeError.Code);
        Assert.Equal("line_items[0][price]", unknownPrice.StripeError.Param);
        Assert.Equal("allowed_payment_method_types", badType.StripeError.Param);
        Assert.StartsWith("req_", missing.StripeResponse.RequestId);
    }

    [Fact]
    [Covers("InvoiceService.PayAsync")]
    public async Task A_declined_card_is_a_402_card_error()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "declined@example.com" });
        await fixture.Emulator.ControlAsync($"/_emulator/customers/{customer.Id}/payment_method", new Dictionary<string, string> { ["behavior"] = "failing" });
        await Client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions { Customer = customer.Id, Amount = 700, Currency = "usd" });
        var invoice = await Client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, PendingInvoiceItemsBehavior = "include" });

        var declined = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Invoices.PayAsync(invoice.Id));

        Assert.Equal(HttpStatusCode.PaymentRequired, declined.HttpStatusCode);
        Assert.Equal("card_error", declined.StripeError.Type);
        Assert.Equal("card_declined", declined.StripeError.Code);
        Assert.Equal("generic_decline", declined.StripeError.DeclineCode);
        Assert.Equal("open", (await Client.V1.Invoices.GetAsync(invoice.Id)).Status);
    }

    [Fact]
    [Covers("SubscriptionService.GetAsync", "CustomerService.GetAsync")]
    public async Task An_unknown_id_is_a_404_and_a_bad_key_a_401()
    {
        var missing = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Subscriptions.GetAsync("sub_missing"));
        var badKey = await Assert.ThrowsAsync<StripeException>(() => fixture.NewClient("sk_live_not_a_test_key").V1.Customers.GetAsync("cus_x"));

        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatusCode);
        Assert.Equal("invalid_request_error", missing.StripeError.Type);
        Assert.Equal("resource_missing", missing.StripeError.Code);
        Assert.Equal("id", missing.StripeError.Param);
        Assert.Equal(HttpStatusCode.Unauthorized, badKey.HttpStatusCode);
        Assert.Equal("invalid_request_error", badKey.StripeError.Type);
    }
}
