using System.Net;
using Billing.StripeEmulator.Tests.StripeNet.Support;
using Stripe;

namespace Billing.StripeEmulator.Tests.StripeNet;

[Collection(SharedStripeNetEmulator.Name)]
public sealed class RefundTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("RefundService.CreateAsync", "RefundService.GetAsync", "ChargeService.GetAsync")]
    public async Task A_payment_is_refunded_in_parts_until_nothing_is_left_with_charge_refunded_events()
    {
        var session = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_r", quantity: 2));
        await Checkout.CompleteAsync(fixture.Emulator, session.Id);
        var paid = await Client.V1.Checkout.Sessions.GetAsync(session.Id);

        var part = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions
        {
            PaymentIntent = paid.PaymentIntentId,
            Amount = 500,
            Reason = "requested_by_customer",
            Metadata = new Dictionary<string, string> { ["ticket"] = "T-1" },
        });
        var tooMuch = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.PaymentIntentId, Amount = 1600 }));
        var rest = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = part.ChargeId });
        var done = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = part.ChargeId }));
        var fetched = await Client.V1.Refunds.GetAsync(part.Id);
        var charge = await Client.V1.Charges.GetAsync(part.ChargeId);
        var deliveries = await fixture.Receiver.WaitForAsync(d => d.Count(x => x.Type == "charge.refunded") == 2, what: "two charge.refunded events");

        Assert.StartsWith("re_", part.Id);
        Assert.Equal("succeeded", part.Status);
        Assert.Equal(500, fetched.Amount);
        Assert.Equal("requested_by_customer", fetched.Reason);
        Assert.Equal("T-1", fetched.Metadata["ticket"]);
        Assert.Equal(paid.PaymentIntentId, fetched.PaymentIntentId);
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.HttpStatusCode);
        Assert.Equal("amount_too_large", tooMuch.StripeError.Code);
        Assert.Equal("amount", tooMuch.StripeError.Param);
        Assert.Equal(1500, rest.Amount);
        Assert.Equal("charge_already_refunded", done.StripeError.Code);
        Assert.True(charge.Refunded);
        Assert.Equal(2000, charge.AmountRefunded);
        Assert.Equal(2, charge.Refunds.Data.Count);
        var refunded = deliveries.Where(d => d.Type == "charge.refunded").ToList();
        Assert.Equal(500, refunded[0].DataObject["amount_refunded"]!.GetValue<long>());
        Assert.False(refunded[0].DataObject["refunded"]!.GetValue<bool>());
        Assert.True(refunded[1].DataObject["refunded"]!.GetValue<bool>());
        Assert.Equal(2, deliveries.Count(d => d.Type == "refund.created"));
    }

    [Fact]
    [Covers("RefundService.CreateAsync", "InvoiceService.GetAsync")]
    public async Task A_paid_subscription_invoice_is_refunded_through_its_payment_intent()
    {
        var session = await Checkout.SubscribeAsync(Client, fixture.Emulator);
        var invoice = await Client.V1.Invoices.GetAsync(session.InvoiceId, new InvoiceGetOptions { Expand = ["payments"] });
        var intentId = Assert.Single(invoice.Payments.Data).Payment.PaymentIntentId;

        var refund = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intentId });
        var unknown = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = "pi_missing" }));

        Assert.Equal(4900, refund.Amount);
        Assert.Equal("paid", (await Client.V1.Invoices.GetAsync(invoice.Id)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.HttpStatusCode);
        Assert.Equal("resource_missing", unknown.StripeError.Code);
        Assert.Equal("payment_intent", unknown.StripeError.Param);
    }
}
