using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;
using Stripe.Checkout;

namespace Billing.StripeEmulator.Tests.StripeNet;

[Collection(SharedStripeNetEmulator.Name)]
public sealed class CheckoutSessionTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("Checkout.SessionService.CreateAsync", "Checkout.SessionService.GetAsync")]
    public async Task A_subscription_session_with_allowed_payment_method_types_completes_into_a_subscription()
    {
        var created = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Subscription("price_pro_monthly", "tenant_1", trialDays: 14));

        Assert.StartsWith("cs_test_", created.Id);
        Assert.Equal(["card"], created.AllowedPaymentMethodTypes);
        Assert.Equal("open", created.Status);
        Assert.Equal($"{fixture.ApiBase}/checkout/{created.Id}", created.Url);

        await Checkout.CompleteAsync(fixture.Emulator, created.Id);
        var completed = await Client.V1.Checkout.Sessions.GetAsync(created.Id, new SessionGetOptions { Expand = ["line_items", "subscription"] });

        Assert.Equal("complete", completed.Status);
        Assert.Equal("no_payment_required", completed.PaymentStatus);
        Assert.Equal("tenant_1", completed.ClientReferenceId);
        Assert.Equal("price_pro_monthly", Assert.Single(completed.LineItems.Data).Price.Id);
        Assert.Equal("trialing", completed.Subscription.Status);
        Assert.Equal("tenant_1", completed.Subscription.Metadata["tenant_id"]);
        Assert.Null(completed.Subscription.StatusDetails);
        var item = Assert.Single(completed.Subscription.Items.Data);
        Assert.Equal(item.CurrentPeriodEnd, item.BilledUntil);
        Assert.True(item.CurrentPeriodEnd > item.CurrentPeriodStart);
    }

    [Fact]
    [Covers("Checkout.SessionService.CreateAsync", "Checkout.SessionLineItemService.ListAsync", "PaymentIntentService.GetAsync", "ChargeService.GetAsync")]
    public async Task A_payment_mode_session_is_paid_with_a_payment_intent_carrying_its_metadata()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "credits@example.com" });
        var created = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_2", quantity: 3, customer: customer.Id));
        var lines = await Client.V1.Checkout.Sessions.LineItems.ListAsync(created.Id);

        await Checkout.CompleteAsync(fixture.Emulator, created.Id);
        var deliveries = await fixture.Receiver.WaitForTypesAsync("checkout.session.completed");
        var completed = await Client.V1.Checkout.Sessions.GetAsync(created.Id);
        var intent = await Client.V1.PaymentIntents.GetAsync(completed.PaymentIntentId);
        var charge = await Client.V1.Charges.GetAsync(intent.LatestChargeId);

        Assert.Equal(3000, Assert.Single(lines.Data).AmountTotal);
        Assert.Equal("payment", completed.Mode);
        Assert.Equal("paid", completed.PaymentStatus);
        Assert.Equal(3000, completed.AmountTotal);
        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(3000, intent.Amount);
        Assert.Equal(customer.Id, intent.CustomerId);
        Assert.Equal("credits", intent.Metadata["purchase"]);
        Assert.Equal("credits", charge.Metadata["purchase"]);
        Assert.True(charge.Paid);
        Assert.Equal(completed.PaymentIntentId, deliveries.Single(d => d.Type == "checkout.session.completed").DataObject["payment_intent"]!.GetValue<string>());
    }

    [Fact]
    [Covers("Checkout.SessionService.CreateAsync")]
    public async Task A_delayed_payment_completes_unpaid_then_succeeds_or_fails_with_the_async_events()
    {
        var succeeding = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_3"));
        var failing = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_4"));
        await Checkout.CompleteAsync(fixture.Emulator, succeeding.Id, "delayed");
        await Checkout.CompleteAsync(fixture.Emulator, failing.Id, "delayed");

        var unpaid = await Client.V1.Checkout.Sessions.GetAsync(succeeding.Id);
        await fixture.Emulator.ControlAsync($"/_emulator/checkout/sessions/{succeeding.Id}/async_payment", new Dictionary<string, string> { ["outcome"] = "succeeded" });
        await fixture.Emulator.ControlAsync($"/_emulator/checkout/sessions/{failing.Id}/async_payment", new Dictionary<string, string> { ["outcome"] = "failed" });
        await fixture.Receiver.WaitForTypesAsync("checkout.session.async_payment_succeeded", "checkout.session.async_payment_failed");

        Assert.Equal("complete", unpaid.Status);
        Assert.Equal("unpaid", unpaid.PaymentStatus);
        Assert.Equal("paid", (await Client.V1.Checkout.Sessions.GetAsync(succeeding.Id)).PaymentStatus);
        Assert.Equal("unpaid", (await Client.V1.Checkout.Sessions.GetAsync(failing.Id)).PaymentStatus);
        Assert.Equal("succeeded", (await Client.V1.PaymentIntents.GetAsync(unpaid.PaymentIntentId)).Status);
    }

    [Fact]
    [Covers("Checkout.SessionService.ListAsync", "Checkout.SessionService.ListAutoPagingAsync", "Checkout.SessionService.ExpireAsync")]
    public async Task Sessions_list_by_customer_and_status_and_an_open_one_expires_with_an_event()
    {
        var customer = await Client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "lister@example.com" });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_5", customer: customer.Id))).Id);
        }

        await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "other"));
        await Checkout.CompleteAsync(fixture.Emulator, ids[0]);
        var expired = await Client.V1.Checkout.Sessions.ExpireAsync(ids[1]);

        var open = await Client.V1.Checkout.Sessions.ListAsync(new SessionListOptions { Customer = customer.Id, Status = "open" });
        var all = new List<Session>();
        await foreach (var session in Client.V1.Checkout.Sessions.ListAutoPagingAsync(new SessionListOptions { Customer = customer.Id, Limit = 2 }))
        {
            all.Add(session);
        }

        var again = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Checkout.Sessions.ExpireAsync(ids[0]));
        var deliveries = await fixture.Receiver.WaitForTypesAsync("checkout.session.expired");

        Assert.Equal("expired", expired.Status);
        Assert.Null(expired.Url);
        Assert.Equal([ids[4], ids[3], ids[2]], open.Data.Select(s => s.Id));
        Assert.Equal(Enumerable.Reverse(ids), all.Select(s => s.Id));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, again.HttpStatusCode);
        Assert.Equal("invalid_request_error", again.StripeError.Type);
        Assert.Equal(ids[1], deliveries.Single(d => d.Type == "checkout.session.expired").DataObject["id"]!.GetValue<string>());
    }
}
