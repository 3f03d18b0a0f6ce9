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
    [Covers("RefundService.CreateAsync", "RefundService.GetAsync", "RefundService.ListAutoPagingAsync", "ChargeService.GetAsync")]
    public async Task A_refund_that_fails_is_no_longer_refunded_on_the_charge_and_the_payment_can_be_refunded_again()
    {
        var session = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_f"));
        await Checkout.CompleteAsync(fixture.Emulator, session.Id);
        var paid = await Client.V1.Checkout.Sessions.GetAsync(session.Id);
        var refund = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.PaymentIntentId });

        await fixture.Emulator.ControlAsync($"/_emulator/refunds/{refund.Id}/fail", new Dictionary<string, string> { ["failure_reason"] = "lost_or_stolen_card" });
        var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Emulator.ControlAsync($"/_emulator/refunds/{refund.Id}/fail"));
        var failed = await Client.V1.Refunds.GetAsync(refund.Id);
        var listed = await Client.V1.Refunds.ListAutoPagingAsync(new RefundListOptions { Charge = refund.ChargeId }).ToListAsync();
        var charge = await Client.V1.Charges.GetAsync(refund.ChargeId);
        var deliveries = await fixture.Receiver.WaitForAsync(d => d.Any(x => x.Type == "refund.failed"), what: "refund.failed");
        var again = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.PaymentIntentId });

        Assert.Equal(("failed", "lost_or_stolen_card"), (failed.Status, failed.FailureReason));
        Assert.Equal("failed", Assert.Single(listed).Status);
        Assert.Equal((0L, false), (charge.AmountRefunded, charge.Refunded));
        Assert.Contains("only a succeeded or pending refund can fail", twice.Message, StringComparison.Ordinal);
        var event_ = Assert.Single(deliveries, d => d.Type == "refund.failed");
        Assert.Equal((refund.Id, refund.ChargeId, paid.PaymentIntentId), (event_.DataObject["id"]!.GetValue<string>(), event_.DataObject["charge"]!.GetValue<string>(), event_.DataObject["payment_intent"]!.GetValue<string>()));
        Assert.Equal("failed", Assert.Single(deliveries, d => d.Type == "refund.updated").DataObject["status"]!.GetValue<string>());
        Assert.Equal(1000, again.Amount);
        var both = await Client.V1.Refunds.ListAutoPagingAsync(new RefundListOptions { Charge = refund.ChargeId, Limit = 1 }).ToListAsync(); // a page of one: the pager follows has_more
        Assert.Equal([again.Id, refund.Id], both.Select(r => r.Id));
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

[Collection(SharedStripeNetEmulator.Name)]
public sealed class DisputeTests(StripeNetFixture fixture) : IAsyncLifetime
{
    private StripeClient Client => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    [Covers("ChargeService.GetAsync", "DisputeService.ListAutoPagingAsync")]
    public async Task A_dispute_opens_on_a_paid_charge_and_closes_lost_with_Stripes_events_and_shape()
    {
        var session = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_d"));
        await Checkout.CompleteAsync(fixture.Emulator, session.Id);
        var intent = await Client.V1.PaymentIntents.GetAsync((await Client.V1.Checkout.Sessions.GetAsync(session.Id)).PaymentIntentId);

        var opened = await fixture.Emulator.ControlAsync($"/_emulator/charges/{intent.LatestChargeId}/dispute", new Dictionary<string, string> { ["reason"] = "fraudulent" });
        var disputeId = opened.GetProperty("id").GetString()!;
        var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Emulator.ControlAsync($"/_emulator/charges/{intent.LatestChargeId}/dispute"));
        await fixture.Emulator.ControlAsync($"/_emulator/disputes/{disputeId}/close", new Dictionary<string, string> { ["outcome"] = "lost" });
        var closedAgain = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Emulator.ControlAsync($"/_emulator/disputes/{disputeId}/close", new Dictionary<string, string> { ["outcome"] = "won" }));
        var dispute = await Client.V1.Disputes.GetAsync(disputeId);
        var charge = await Client.V1.Charges.GetAsync(intent.LatestChargeId);
        var ofCharge = await Client.V1.Disputes.ListAutoPagingAsync(new DisputeListOptions { Charge = intent.LatestChargeId, Limit = 1 }).ToListAsync();
        var ofOther = await Client.V1.Disputes.ListAutoPagingAsync(new DisputeListOptions { Charge = "ch_other" }).ToListAsync();
        var deliveries = await fixture.Receiver.WaitForAsync(d => d.Any(x => x.Type == "charge.dispute.closed"), what: "charge.dispute.closed");

        Assert.StartsWith("du_", dispute.Id);
        Assert.Equal("lost", dispute.Status);
        Assert.Equal("fraudulent", dispute.Reason);
        Assert.Equal(1000, dispute.Amount);
        Assert.Equal(intent.LatestChargeId, dispute.ChargeId);
        Assert.Equal(intent.Id, dispute.PaymentIntentId);
        Assert.True(charge.Disputed);
        Assert.Equal((disputeId, "lost"), (Assert.Single(ofCharge).Id, ofCharge[0].Status));
        Assert.Empty(ofOther);
        Assert.Contains("already been disputed", twice.Message, StringComparison.Ordinal);
        Assert.Contains("already closed", closedAgain.Message, StringComparison.Ordinal);
        var created = Assert.Single(deliveries, d => d.Type == "charge.dispute.created");
        Assert.Equal("needs_response", created.DataObject["status"]!.GetValue<string>());
        var closed = Assert.Single(deliveries, d => d.Type == "charge.dispute.closed");
        Assert.Equal("lost", closed.DataObject["status"]!.GetValue<string>());
        Assert.Equal(intent.Id, closed.DataObject["payment_intent"]!.GetValue<string>());
    }
    [Fact]
    [Covers("RefundService.CreateAsync")]
    public async Task A_charge_charged_back_is_refused_a_refund_with_charge_disputed_until_its_dispute_is_won()
    {
        var session = await Client.V1.Checkout.Sessions.CreateAsync(Checkout.Payment("price_credits_1000", "tenant_dr"));
        await Checkout.CompleteAsync(fixture.Emulator, session.Id);
        var intent = await Client.V1.PaymentIntents.GetAsync((await Client.V1.Checkout.Sessions.GetAsync(session.Id)).PaymentIntentId);
        var disputeId = (await fixture.Emulator.ControlAsync($"/_emulator/charges/{intent.LatestChargeId}/dispute")).GetProperty("id").GetString()!;

        var open = await Assert.ThrowsAsync<StripeException>(() => Client.V1.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }));
        await fixture.Emulator.ControlAsync($"/_emulator/disputes/{disputeId}/close", new Dictionary<string, string> { ["outcome"] = "won" });
        var afterWon = await Client.V1.Refunds.CreateAsync(new RefundCreateOptions { Charge = intent.LatestChargeId, Amount = 400 });

        Assert.Equal(HttpStatusCode.BadRequest, open.HttpStatusCode);
        Assert.Equal(("invalid_request_error", "charge_disputed"), (open.StripeError.Type, open.StripeError.Code));
        Assert.Contains("has been charged back", open.StripeError.Message, StringComparison.Ordinal);
        Assert.Equal(400, afterWon.Amount);
        Assert.Equal(400, (await Client.V1.Charges.GetAsync(intent.LatestChargeId)).AmountRefunded);
    }
}
